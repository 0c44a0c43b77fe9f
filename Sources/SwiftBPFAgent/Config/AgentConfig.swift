/// The agent's configuration: which collectors run with which filters, where the API listens,
/// the store, the OTLP export, the metric limits and the overhead budget. Parsed from YAML by
/// `AgentConfig.parse(yaml:)`; `AgentConfig.builtIn` is what runs with no file.
public struct AgentConfig: Sendable, Equatable {
    /// `host:port` of the HTTP API and `/metrics`. Loopback by default; any other address
    /// needs `tokenFile` (a bearer token).
    public var listen: ListenAddress = ListenAddress(host: "127.0.0.1", port: 9464)
    /// A file holding the bearer token the API requires (one line). Required off loopback.
    public var tokenFile: String?
    /// PEM files of the API's certificate (chain) and private key: with both, the API and
    /// `/metrics` are served over HTTPS only. Set together or not at all.
    public var tlsCertFile: String?
    public var tlsKeyFile: String?
    /// swift-log level of the agent's own log: trace, debug, info, notice, warning, error.
    public var logLevel: String = "info"
    /// The collectors, by name (`exec`, `exit`, `open`, `tcp`, `runqlat`, `biolatency`,
    /// `syscount`, `profile`, `flows`, `guard`, `http`, `sslsniff`, `firewall`: `collectorNames`). A collector absent here does not run.
    public var collectors: [String: CollectorConfig] = [:]
    public var metrics = MetricsConfig()
    public var store = StoreConfig()
    public var otlp = OTLPConfig()
    public var governor = GovernorConfig()
    /// Metrics read from the maps of the user's own compiled CO-RE objects.
    public var userMetrics: [UserMetricConfig] = []

    public init() {}

    /// The collectors that are enabled, by name, in a stable order.
    public var enabledCollectors: [(name: String, config: CollectorConfig)] {
        collectors.filter { $0.value.enabled }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}

/// Where the API listens.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }
    /// 127.0.0.0/8, ::1 or "localhost".
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// One collector's settings. Filters run in the kernel where the tool supports them.
public struct CollectorConfig: Sendable, Equatable {
    public var enabled = true
    /// Only this process id.
    public var pid: UInt32?
    /// Only this command name (at most 15 bytes).
    public var comm: String?
    public var uid: UInt32?
    /// Only tasks in this cgroup v2 directory or below (a container or a systemd unit).
    public var cgroup: String?
    /// Keep one event in `sample` for the store, the stream and OTLP (metrics count all). 1 keeps all.
    public var sample: Int = 1
    /// exec, exit and open: at most about this many events a second leave the kernel (each CPU gets
    /// an equal share); the rest are only counted there, so the metrics stay exact and
    /// `swiftbpf_agent_events_held_total` says how many events were not sent. 0: no limit.
    public var maxEventsPerSecond: Int = 0
    /// The governor sheds collectors with the lowest priority first.
    public var priority: Int = 50
    /// Seconds between reads of kernel-side histograms and tables (runqlat, biolatency, syscount, profile).
    public var intervalSeconds: Double = 5
    /// Collector-specific options: `failed_only` (open, exit), `tools` (tcp: connect, accept,
    /// life, retrans), `per_disk` (biolatency), `frequency` (profile, Hz), `path_prefix` (open).
    public var options: [String: String] = [:]
    public init() {}
}

public struct MetricsConfig: Sendable, Equatable {
    /// Series per metric family before new label sets go to one `overflow` series.
    public var maxSeriesPerFamily = 2000
    /// Seconds a process's or container's label set is kept after it was last seen.
    public var evictionGraceSeconds: Double = 300
    /// Turn on `kernel.bpf_stats_enabled` while the agent runs (restored at exit), for
    /// per-program run counts and run time.
    public var bpfStats = false
    /// Label events with the systemd unit / container of their cgroup.
    public var cgroupLabels = true
    public init() {}
}

public struct StoreConfig: Sendable, Equatable {
    /// The SQLite file; nil runs without a store.
    public var path: String?
    public var retentionHours: Double = 24
    /// Retention by size: the oldest events go when the file passes this.
    public var maxSizeMB: Double = 512
    public var batchSize = 1000
    public var flushIntervalMilliseconds = 500
    public init() {}
}

public struct OTLPConfig: Sendable, Equatable {
    /// The collector's OTLP/HTTP base URL (e.g. http://127.0.0.1:4318); nil: no export.
    public var endpoint: String?
    public var exportIntervalSeconds: Double = 10
    /// Events waiting to become log records; beyond it they are dropped and counted.
    public var queueSize = 10_000
    /// Send events as OTLP log records (metrics are always sent when an endpoint is set).
    public var eventsAsLogs = true
    public init() {}
}

public struct GovernorConfig: Sendable, Equatable {
    /// Percent of one core the agent may use (0: no budget).
    public var cpuPercent: Double = 0
    /// Resident memory budget in MiB (0: no budget).
    public var rssMB: Double = 0
    /// Seconds between checks.
    public var intervalSeconds: Double = 5
    public init() {}
}

/// ebpf_exporter-style metrics from a map of the user's compiled object.
public struct UserMetricConfig: Sendable, Equatable {
    /// A name for the object (metric names are `swiftbpf_user_<name>_<metric>`).
    public var name: String
    /// Path of the compiled CO-RE object (`clang -target bpf -g -O2`).
    public var object: String
    public var metrics: [UserMetricSpec]
    public init(name: String, object: String, metrics: [UserMetricSpec]) {
        self.name = name
        self.object = object
        self.metrics = metrics
    }
}

/// One metric from one map: each key's value becomes a series, its key fields labels.
public struct UserMetricSpec: Sendable, Equatable {
    public enum Kind: String, Sendable { case counter, gauge }
    public var name: String
    public var help: String
    public var kind: Kind
    public var map: String
    /// One decoder per key field, in the key struct's field order (from the object's BTF).
    public var labels: [LabelDecoderSpec]
    public init(name: String, help: String, kind: Kind, map: String, labels: [LabelDecoderSpec]) {
        self.name = name
        self.help = help
        self.kind = kind
        self.map = map
        self.labels = labels
    }
}

/// How a key field becomes a label value.
public struct LabelDecoderSpec: Sendable, Equatable {
    public enum Decoder: String, Sendable, CaseIterable {
        /// The integer in decimal.
        case integer
        /// A kernel address as its symbol (/proc/kallsyms).
        case ksym
        /// Four bytes (network order) as an IPv4 address.
        case ipv4
        /// Sixteen bytes as an IPv6 address.
        case ipv6
        /// A cgroup id as its path under the cgroup v2 mount.
        case cgroup
        /// A C string.
        case string
        /// The integer looked up in `mapping` (the value when absent: the integer).
        case staticMap = "static_map"
        /// The text (after the decoders above) must match `regex`, else the entry is skipped.
        case regex
    }
    /// The label's name.
    public var name: String
    /// The key field it reads (nil: the field at the label's position).
    public var field: String?
    public var decoders: [Decoder]
    public var mapping: [String: String] = [:]
    public var regex: String?
    public init(name: String, field: String? = nil, decoders: [Decoder], mapping: [String: String] = [:], regex: String? = nil) {
        self.name = name
        self.field = field
        self.decoders = decoders
        self.mapping = mapping
        self.regex = regex
    }
}
