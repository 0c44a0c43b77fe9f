import Foundation
import Yams

extension AgentConfig {
    /// The collector names the agent knows.
    public static let collectorNames = ["exec", "exit", "open", "tcp", "runqlat", "biolatency", "syscount", "profile", "flows", "guard", "http", "sslsniff", "firewall"]

    /// Reads `path`; a missing or unreadable file is an error naming it.
    public static func load(path: String) throws(ConfigError) -> AgentConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError("cannot read \(path) (missing or unreadable)")
        }
        do {
            return try parse(yaml: String(decoding: data, as: UTF8.self))
        } catch {
            throw ConfigError("\(path): \(error.message)")
        }
    }

    /// The built-in configuration (`DefaultConfig.yaml`), used when no file is given.
    public static var builtIn: AgentConfig {
        // The default is a constant of this module; a parse failure is a bug caught by its test.
        (try? parse(yaml: DefaultConfig.yaml)) ?? AgentConfig()
    }

    /// Parses a configuration. Absent keys keep their defaults; unknown keys are errors.
    public static func parse(yaml: String) throws(ConfigError) -> AgentConfig {
        let root: Node?
        do {
            // The basic resolver tags every plain scalar a string: YAMLFields reads numbers,
            // booleans and nulls from the text itself. Yams' default resolver does it with
            // NSRegularExpression, which brings ICU's pages (3.3 MiB) into the agent's memory.
            root = try Yams.compose(yaml: yaml, .basic)
        } catch {
            throw ConfigError("not valid YAML: \(error)")
        }
        var f = try YAMLFields(root, path: "")
        var c = AgentConfig()
        if let listen = try f.string("listen") { c.listen = try ListenAddress(parsing: listen) }
        c.tokenFile = try f.string("token_file")
        c.tlsCertFile = try f.string("tls_cert_file")
        c.tlsKeyFile = try f.string("tls_key_file")
        if let level = try f.string("log_level") {
            guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(level) else {
                throw ConfigError("log_level must be trace, debug, info, notice, warning, error or critical, got \(level)")
            }
            c.logLevel = level
        }
        var collectors = try f.mapping("collectors")
        for name in collectors.keys {
            guard collectorNames.contains(name) else {
                throw ConfigError("collectors.\(name): no such collector (known: \(collectorNames.joined(separator: ", ")))")
            }
            c.collectors[name] = try CollectorConfig(try collectors.mapping(name))
        }
        c.metrics = try MetricsConfig(try f.mapping("metrics"))
        c.store = try StoreConfig(try f.mapping("store"))
        c.otlp = try OTLPConfig(try f.mapping("otlp"))
        c.governor = try GovernorConfig(try f.mapping("governor"))
        for (i, node) in try f.sequence("user_metrics").enumerated() {
            c.userMetrics.append(try UserMetricConfig(try YAMLFields(node, path: "user_metrics[\(i)]")))
        }
        try f.rejectUnknown()
        try c.validate()
        return c
    }

    /// Cross-field rules.
    func validate() throws(ConfigError) {
        if !listen.isLoopback && tokenFile == nil {
            throw ConfigError("listen \(listen) is not loopback: set token_file (the API needs a bearer token off loopback)")
        }
        if (tlsCertFile == nil) != (tlsKeyFile == nil) {
            throw ConfigError("tls_cert_file and tls_key_file go together: set both for HTTPS, or neither")
        }
        if let endpoint = otlp.endpoint, !(endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://")) {
            throw ConfigError("otlp.endpoint must be an http:// or https:// URL, got \(endpoint)")
        }
    }
}

extension ListenAddress {
    /// "host:port" or "[v6]:port".
    init(parsing text: String) throws(ConfigError) {
        var host = Substring(text)
        var portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw ConfigError("listen must be host:port or [v6]:port, got \(text)")
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw ConfigError("listen must be host:port, got \(text)") }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard let port = Int(portText), (0...65535).contains(port), !host.isEmpty else {
            throw ConfigError("listen must be host:port with a port 0-65535, got \(text)")
        }
        self.init(host: String(host), port: port)
    }
}

extension CollectorConfig {
    init(_ f: YAMLFields) throws(ConfigError) {
        var f = f
        self.init()
        enabled = try f.bool("enabled") ?? true
        pid = try f.uint32("pid")
        comm = try f.string("comm")
        if let comm, comm.isEmpty || comm.utf8.count > 15 {
            throw ConfigError("\(f.child("comm")) must be 1 to 15 bytes (a task's comm), got \(comm.utf8.count)")
        }
        uid = try f.uint32("uid")
        cgroup = try f.string("cgroup")
        sample = try f.int("sample") ?? 1
        guard sample >= 1 else { throw ConfigError("\(f.child("sample")) must be at least 1 (1 keeps every event)") }
        maxEventsPerSecond = try f.int("max_events_per_second") ?? 0
        guard (0...1_000_000).contains(maxEventsPerSecond) else {
            throw ConfigError("\(f.child("max_events_per_second")) must be 0 (no limit) to 1000000")
        }
        priority = try f.int("priority") ?? 50
        intervalSeconds = try f.double("interval_seconds") ?? 5
        guard intervalSeconds >= 0.1 else { throw ConfigError("\(f.child("interval_seconds")) must be at least 0.1") }
        var opts = try f.mapping("options")
        for key in opts.keys {
            if let n = opts.node(key) {
                if let seq = n.sequence {
                    options[key] = seq.compactMap { $0.string }.joined(separator: ",")
                } else if let s = n.string {
                    options[key] = s
                } else {
                    throw ConfigError("\(opts.child(key)) must be a scalar or a list of scalars")
                }
            }
        }
        try f.rejectUnknown()
    }
}

extension MetricsConfig {
    init(_ f: YAMLFields) throws(ConfigError) {
        var f = f
        self.init()
        maxSeriesPerFamily = try f.int("max_series_per_family") ?? maxSeriesPerFamily
        guard maxSeriesPerFamily >= 1 else { throw ConfigError("metrics.max_series_per_family must be at least 1") }
        evictionGraceSeconds = try f.double("eviction_grace_seconds") ?? evictionGraceSeconds
        bpfStats = try f.bool("bpf_stats") ?? bpfStats
        cgroupLabels = try f.bool("cgroup_labels") ?? cgroupLabels
        try f.rejectUnknown()
    }
}

extension StoreConfig {
    init(_ f: YAMLFields) throws(ConfigError) {
        var f = f
        self.init()
        path = try f.string("path")
        retentionHours = try f.double("retention_hours") ?? retentionHours
        maxSizeMB = try f.double("max_size_mb") ?? maxSizeMB
        batchSize = try f.int("batch_size") ?? batchSize
        flushIntervalMilliseconds = try f.int("flush_interval_ms") ?? flushIntervalMilliseconds
        guard batchSize >= 1, flushIntervalMilliseconds >= 10, retentionHours > 0, maxSizeMB > 0 else {
            throw ConfigError("store: batch_size ≥ 1, flush_interval_ms ≥ 10, retention_hours > 0 and max_size_mb > 0")
        }
        try f.rejectUnknown()
    }
}

extension OTLPConfig {
    init(_ f: YAMLFields) throws(ConfigError) {
        var f = f
        self.init()
        endpoint = try f.string("endpoint")
        exportIntervalSeconds = try f.double("export_interval_seconds") ?? exportIntervalSeconds
        queueSize = try f.int("queue_size") ?? queueSize
        eventsAsLogs = try f.bool("events_as_logs") ?? eventsAsLogs
        guard queueSize >= 1, exportIntervalSeconds >= 0.1 else {
            throw ConfigError("otlp: queue_size ≥ 1 and export_interval_seconds ≥ 0.1")
        }
        try f.rejectUnknown()
    }
}

extension GovernorConfig {
    init(_ f: YAMLFields) throws(ConfigError) {
        var f = f
        self.init()
        cpuPercent = try f.double("cpu_percent") ?? cpuPercent
        rssMB = try f.double("rss_mb") ?? rssMB
        intervalSeconds = try f.double("interval_seconds") ?? intervalSeconds
        try f.rejectUnknown()
    }
}

extension UserMetricConfig {
    init(_ f: YAMLFields) throws(ConfigError) {
        var f = f
        guard let name = try f.string("name"), let object = try f.string("object") else {
            throw ConfigError("\(f.path) needs name and object")
        }
        var metrics: [UserMetricSpec] = []
        for (i, node) in try f.sequence("metrics").enumerated() {
            var m = try YAMLFields(node, path: "\(f.path).metrics[\(i)]")
            guard let mname = try m.string("name"), let map = try m.string("map") else {
                throw ConfigError("\(m.path) needs name and map")
            }
            let kindText = try m.string("type") ?? "counter"
            guard let kind = UserMetricSpec.Kind(rawValue: kindText) else {
                throw ConfigError("\(m.child("type")) must be counter or gauge, got \(kindText)")
            }
            var labels: [LabelDecoderSpec] = []
            for (j, ln) in try m.sequence("labels").enumerated() {
                var l = try YAMLFields(ln, path: "\(m.path).labels[\(j)]")
                guard let lname = try l.string("name") else { throw ConfigError("\(l.path) needs name") }
                var decoders: [LabelDecoderSpec.Decoder] = []
                for d in try l.sequence("decoders") {
                    guard let text = d.string, let decoder = LabelDecoderSpec.Decoder(rawValue: text) else {
                        throw ConfigError("\(l.child("decoders")): unknown decoder \(d.string ?? "?") (known: \(LabelDecoderSpec.Decoder.allCases.map(\.rawValue).joined(separator: ", ")))")
                    }
                    decoders.append(decoder)
                }
                var mapping: [String: String] = [:]
                var mf = try l.mapping("mapping")
                for k in mf.keys { mapping[k] = try mf.string(k) }
                let regex = try l.string("regex")
                if decoders.contains(.regex), regex == nil { throw ConfigError("\(l.path): the regex decoder needs regex") }
                labels.append(LabelDecoderSpec(name: lname, field: try l.string("field"), decoders: decoders, mapping: mapping, regex: regex))
                try l.rejectUnknown()
            }
            metrics.append(UserMetricSpec(name: mname, help: try m.string("help") ?? mname, kind: kind, map: map, labels: labels))
            try m.rejectUnknown()
        }
        try f.rejectUnknown()
        self.init(name: name, object: object, metrics: metrics)
    }
}
