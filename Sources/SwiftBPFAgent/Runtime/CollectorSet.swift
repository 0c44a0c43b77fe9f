import Logging
import Synchronization

/// The running collectors and the state of every configured one. Reconciles with a new
/// configuration (SIGHUP): collectors whose settings changed restart, removed ones stop, new
/// ones start; the others, and every metric, carry on untouched.
final class CollectorSet: Sendable {
    struct Entry: Sendable {
        var config: CollectorConfig
        var state: CollectorState
        var error: String?
        var collector: (any Collector)?
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let sink: EventPipeline
    private let logger: Logger

    init(sink: EventPipeline, logger: Logger) {
        self.sink = sink
        self.logger = logger
    }

    /// Starts a collector; a failure (the kernel refused, a bad option) is recorded as its
    /// state, not thrown: the other collectors run on.
    private func start(_ name: String, _ config: CollectorConfig) -> Entry {
        do {
            let c = try Self.make(name, config, sink: sink, logger: logger)
            logger.info("collector started", metadata: ["collector": "\(name)", "programs": "\(c.programs.count)"])
            return Entry(config: config, state: .running, collector: c)
        } catch {
            logger.error("collector failed to start", metadata: ["collector": "\(name)", "error": "\(error)"])
            return Entry(config: config, state: .failed, error: "\(error)")
        }
    }

    static func make(_ name: String, _ c: CollectorConfig, sink: EventPipeline, logger: Logger) throws -> any Collector {
        func events(_ sources: [EventSource]) -> EventCollector {
            EventCollector(name: name, config: c, sources: sources, sink: sink, cgroups: sink.cgroups)
        }
        switch name {
        case "exec": return events(try ExecAdapter.sources(c))
        case "exit": return events(try ExitAdapter.sources(c))
        case "open": return events(try OpenAdapter.sources(c))
        case "tcp": return events(try TCPAdapter.sources(c))
        case "runqlat": return try RunQLatAdapter.collector(c, sink: sink)
        case "biolatency": return try BioLatencyAdapter.collector(c, sink: sink)
        case "syscount": return try SysCountAdapter.collector(c, sink: sink)
        case "profile": return try ProfileAdapter.collector(c, sink: sink, logger: logger)
        case "flows": return try FlowsCollector(config: c, sink: sink, cgroups: sink.cgroups)
        case "guard": return try GuardCollector(config: c, sink: sink)
        case "http": return try HTTPCollector(config: c, sink: sink, cgroups: sink.cgroups)
        case "sslsniff": return try SSLSniffCollector(config: c, sink: sink, cgroups: sink.cgroups)
        case "firewall": return try FirewallCollector(config: c, sink: sink)
        default: throw ConfigError("no such collector: \(name)")
        }
    }

    /// Makes the running set match `configs`. Returns the names started and stopped.
    @discardableResult
    func reconcile(_ configs: [String: CollectorConfig]) -> (started: [String], stopped: [String]) {
        let current = entries.locked { $0 }
        var started: [String] = []
        var stopped: [String] = []
        for (name, entry) in current where configs[name] == nil || configs[name]?.enabled == false || configs[name] != entry.config {
            entry.collector?.stop()
            entries.locked { _ = $0.removeValue(forKey: name) }
            stopped.append(name)
            logger.info("collector stopped", metadata: ["collector": "\(name)"])
        }
        for (name, config) in configs.sorted(by: { $0.key < $1.key }) where config.enabled {
            if entries.locked({ $0[name] }) != nil { continue }
            let entry = start(name, config)
            entries.locked { $0[name] = entry }
            started.append(name)
        }
        return (started, stopped)
    }

    /// Stops one collector to save resources, keeping its entry as `shed`.
    func shed(_ name: String, reason: String) {
        guard let entry = entries.locked({ $0[name] }), entry.state == .running else { return }
        entry.collector?.stop()
        entries.locked { $0[name] = Entry(config: entry.config, state: .shed, error: reason, collector: nil) }
        logger.warning("collector shed by the overhead governor", metadata: ["collector": "\(name)", "reason": "\(reason)"])
    }

    /// Restarts a shed collector.
    func restore(_ name: String) {
        guard let entry = entries.locked({ $0[name] }), entry.state == .shed else { return }
        let fresh = start(name, entry.config)
        entries.locked { $0[name] = fresh }
    }

    var snapshot: [String: Entry] { entries.locked { $0 } }

    var running: [any Collector] { entries.locked { $0.values.compactMap(\.collector) } }

    func stopAll() {
        let all = entries.locked { e -> [any Collector] in
            let c = e.values.compactMap(\.collector)
            e.removeAll()
            return c
        }
        for c in all { c.stop() }
    }
}
