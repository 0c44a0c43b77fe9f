import BPF
import Foundation
import HummingbirdTLS
import Logging
import Synchronization

/// The host agent: collectors feeding metrics, the live stream, the store and OTLP export.
/// `AgentRunner` runs it with its HTTP API until SIGTERM; tests drive it directly.
public final class Agent: Sendable {
    public let metrics: AgentMetrics
    public let hub: EventHub
    public let store: EventStore?
    let export: OTLPExport?
    let collectors: CollectorSet
    let pipeline: EventPipeline
    let governor: Governor
    let userMetrics: UserMetricsSet
    let logger: Logger
    /// The bearer token the API requires (nil: none, only allowed on loopback).
    public let token: String?
    /// The API's TLS settings (nil: plain HTTP), read from `tls_cert_file` and `tls_key_file` at start.
    let tls: TLSConfiguration?
    private let currentConfig: Mutex<AgentConfig>
    private let deltas = DeltaTracker()
    private let previousStats = Mutex<ProcessStats?>(nil)
    private let statsSwitch = Mutex<Bool?>(nil)
    private let lastEviction = Mutex<Int64>(0)
    private let lastOccupancy = Mutex<Int64>(0)
    let startedAt = Date()

    /// Checks the configuration (a non-loopback listen needs a token), reads the token, opens
    /// the store and sets up the export. Loads nothing into the kernel yet (`start()` does).
    public init(config: AgentConfig, logger: Logger) throws {
        try config.validate()
        self.logger = logger
        let hub = EventHub()
        self.hub = hub
        if let file = config.tokenFile {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw AgentError("token_file \(file) cannot be read")
            }
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard text.count >= 16 else { throw AgentError("token_file \(file) holds \(text.count) characters; a token needs at least 16") }
            token = text
        } else {
            token = nil
        }
        if let cert = config.tlsCertFile, let key = config.tlsKeyFile {
            tls = try APITLS.serverConfiguration(certificateFile: cert, keyFile: key)
        } else {
            tls = nil
        }
        let export = try config.otlp.endpoint.map { try OTLPExport(config: config.otlp, endpoint: $0, logger: logger) }
        let metrics = AgentMetrics(config: config.metrics, extraFactory: export?.metricsFactory)
        var store: EventStore?
        if let path = config.store.path {
            do {
                store = try EventStore(config: config.store, path: path, logger: logger)
            } catch {
                throw AgentError("store \(path) cannot be opened: \(error)")
            }
        }
        let pipeline = EventPipeline(metrics: metrics, hub: hub, cgroups: CgroupLabels())
        pipeline.setCgroupLabels(config.metrics.cgroupLabels)
        pipeline.connect(store: store, export: export)
        self.export = export
        self.metrics = metrics
        self.store = store
        self.pipeline = pipeline
        collectors = CollectorSet(sink: pipeline, logger: logger)
        governor = Governor(config: config.governor)
        userMetrics = UserMetricsSet(logger: logger)
        currentConfig = Mutex(config)
    }

    public var config: AgentConfig { currentConfig.locked { $0 } }

    /// Loads and attaches the configured collectors and user metrics.
    public func start() {
        let config = self.config
        if config.metrics.bpfStats { enableBPFStats() }
        collectors.reconcile(config.collectors)
        userMetrics.reconcile(config.userMetrics, metrics: metrics)
        tick()
    }

    /// Applies a new configuration without losing state: collectors are reconciled, user
    /// metrics reloaded, limits updated. Listen address, token, store and OTLP endpoint are
    /// read at start only (a change there is logged and needs a restart).
    @discardableResult
    public func reload(_ new: AgentConfig) -> (started: [String], stopped: [String]) {
        let old = config
        for (what, changed) in [("listen", old.listen != new.listen), ("token_file", old.tokenFile != new.tokenFile),
                                ("tls_cert_file/tls_key_file", old.tlsCertFile != new.tlsCertFile || old.tlsKeyFile != new.tlsKeyFile),
                                ("store", old.store != new.store), ("otlp", old.otlp != new.otlp)] where changed {
            logger.warning("reload: \(what) changed; it takes effect at the next restart")
        }
        currentConfig.locked { $0 = new }
        metrics.update(config: new.metrics)
        pipeline.setCgroupLabels(new.metrics.cgroupLabels)
        governor.update(config: new.governor)
        if new.metrics.bpfStats != old.metrics.bpfStats {
            if new.metrics.bpfStats { enableBPFStats() } else { restoreBPFStats() }
        }
        let result = collectors.reconcile(new.collectors)
        userMetrics.reconcile(new.userMetrics, metrics: metrics)
        metrics.incrementUncapped("swiftbpf_agent_reloads_total", [])
        logger.info("configuration reloaded", metadata: ["started": "\(result.started)", "stopped": "\(result.stopped)"])
        return result
    }

    /// Periodic work (once a second): tables and histograms, self-metrics, losses, program
    /// statistics, series eviction, the governor, the store's health.
    public func tick() {
        let now = Clocks.now(CLOCK_MONOTONIC)
        for c in collectors.running { timedTick(c, now: now) }
        userMetrics.read(into: metrics)
        recordSelfMetrics(now: now)
        for c in collectors.running {
            let lost = deltas.delta("lost/\(c.name)", c.lostEvents())
            metrics.incrementUncapped("swiftbpf_agent_events_lost_total", [("collector", c.name)], by: Int64(lost))
            for (name, program) in c.programs {
                guard let info = try? program.info() else { continue }
                let runs = deltas.delta("runs/\(c.name)/\(name)", info.runCount)
                let ns = deltas.delta("ns/\(c.name)/\(name)", info.runTimeNanoseconds)
                metrics.incrementUncapped("swiftbpf_agent_bpf_program_runs_total", [("collector", c.name), ("program", name)], by: Int64(runs))
                metrics.incrementFloat("swiftbpf_agent_bpf_program_run_seconds_total", [("collector", c.name), ("program", name)], by: Double(ns) / 1e9)
            }
        }
        for (name, entry) in collectors.snapshot {
            metrics.gauge("swiftbpf_agent_collector_up", [("collector", name)], entry.state == .running ? 1 : 0)
            metrics.gauge("swiftbpf_agent_collector_shed", [("collector", name)], entry.state == .shed ? 1 : 0)
        }
        if let store {
            let s = store.status
            metrics.incrementUncapped("swiftbpf_agent_store_events_total", [], by: Int64(deltas.delta("store/stored", UInt64(s.storedEvents))))
            metrics.incrementUncapped("swiftbpf_agent_store_dropped_total", [], by: Int64(deltas.delta("store/dropped", UInt64(s.droppedEvents))))
            metrics.gauge("swiftbpf_agent_store_healthy", [], s.state == .ok || s.state == .recovered ? 1 : 0)
        }
        if let export {
            let c = export.counters
            metrics.incrementUncapped("swiftbpf_agent_otlp_dropped_total", [], by: Int64(deltas.delta("otlp/dropped", UInt64(c.dropped.load(ordering: .relaxed)))))
            metrics.incrementUncapped("swiftbpf_agent_otlp_export_failures_total", [], by: Int64(deltas.delta("otlp/failures", UInt64(c.failures.load(ordering: .relaxed)))))
            metrics.gauge("swiftbpf_agent_otlp_queue", [], Double(export.queued))
        }
        let evictDue = lastEviction.locked { last -> Bool in
            guard now - last > 10_000_000_000 else { return false }
            last = now
            return true
        }
        if evictDue { metrics.evictStale(now: now) }
        let occupancyDue = lastOccupancy.locked { last -> Bool in
            guard last == 0 || now - last > 30_000_000_000 else { return false }
            last = now
            return true
        }
        if occupancyDue { recordMapOccupancy() }
    }

    /// A periodic read that takes longer than this is logged: it delays every other
    /// collector's reads and the shutdown.
    static let slowTickSeconds = 1.0

    /// One collector's periodic read, timed (`swiftbpf_agent_collector_tick_seconds`).
    private func timedTick(_ c: any Collector, now: Int64) {
        let start = Clocks.now(CLOCK_MONOTONIC)
        c.tick(now: now)
        let seconds = Double(Clocks.now(CLOCK_MONOTONIC) - start) / 1e9
        metrics.gauge("swiftbpf_agent_collector_tick_seconds", [("collector", c.name)], seconds)
        if seconds > Self.slowTickSeconds {
            logger.warning("a collector's periodic read was slow", metadata: ["collector": "\(c.name)", "seconds": "\(seconds)"])
        }
    }

    /// Hash-type maps whose entries can run out (`BPF_MAP_TYPE_HASH`, `PERCPU_HASH`,
    /// `LRU_HASH`, `LRU_PERCPU_HASH`): their fill, from a key walk every 30 s.
    static let countedMapTypes: Set<UInt32> = [1, 5, 9, 10]

    private func recordMapOccupancy() {
        for c in collectors.running {
            for (name, map) in c.maps where Self.countedMapTypes.contains(map.type.rawValue) {
                guard let keys = try? map.allKeys() else { continue }
                let labels = [("collector", c.name), ("map", name)]
                metrics.gauge("swiftbpf_agent_map_entries", labels, Double(keys.count))
                metrics.gauge("swiftbpf_agent_map_capacity", labels, Double(map.maxEntries))
            }
        }
    }

    private func recordSelfMetrics(now: Int64) {
        guard let stats = ProcessStats.read() else { return }
        metrics.gauge("swiftbpf_agent_resident_memory_bytes", [], Double(stats.residentBytes))
        let previous = previousStats.locked { p -> ProcessStats? in
            let old = p
            p = stats
            return old
        }
        if let previous, stats.cpuSeconds >= previous.cpuSeconds {
            metrics.incrementFloat("swiftbpf_agent_cpu_seconds_total", by: stats.cpuSeconds - previous.cpuSeconds)
        }
        governor.observe(stats: stats, now: now, collectors: collectors, metrics: metrics)
    }

    private func enableBPFStats() {
        let before = BPFStatsSwitch.read()
        if statsSwitch.locked({ $0 }) == nil { statsSwitch.locked { $0 = before } }
        if before != true, !BPFStatsSwitch.write(true) {
            logger.warning("cannot set kernel.bpf_stats_enabled; program run statistics stay at 0")
        }
    }

    private func restoreBPFStats() {
        if let before = statsSwitch.locked({ v -> Bool? in let b = v; v = nil; return b }), before == false {
            BPFStatsSwitch.write(false)
        }
    }

    /// Stops every collector (detaching and unloading their programs), flushes the store and
    /// restores `kernel.bpf_stats_enabled`. Nothing of the agent remains in the kernel after it.
    public func stop() {
        collectors.stopAll()
        userMetrics.stopAll()
        restoreBPFStats()
        store?.close()
        hub.finish()
        logger.info("agent stopped")
    }

    /// Events by time range and filters: from the store when there is one, else the latest
    /// in memory.
    public func events(_ query: EventQuery) throws -> [AgentEvent] {
        if let store { return try store.query(query) }
        return hub.recent(query)
    }
}

import Glibc
