import Foundation
import Logging
import Metrics
import OTel
import ServiceLifecycle
import Synchronization

/// OTLP/HTTP export through swift-otel: the agent's counters and gauges (the OTel metrics
/// backend gets every update the Prometheus registry gets) and events as log records. Events
/// wait in a bounded queue; when it is full the newest are dropped and counted
/// (`swiftbpf_agent_otlp_dropped_total`). swift-otel batches and retries the HTTP requests.
final class OTLPExport: Sendable {
    /// The OTel metrics backend, multiplexed into `AgentMetrics`.
    let metricsFactory: any MetricsFactory
    /// Background services: the metrics and logs exporters, and the queue drain.
    let services: [any Service]
    let endpoint: String
    private let queue: Mutex<[AgentEvent]>
    private let capacity: Int
    let counters: ExportCounters
    private let eventLogger: Logger?

    init(config: OTLPConfig, endpoint: String, logger: Logger) throws {
        self.endpoint = endpoint
        capacity = config.queueSize
        queue = Mutex([])
        let base = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        var c = OTel.Configuration.default
        c.serviceName = "swiftbpf-agent"
        c.resourceAttributes = ["host.name": ProcessInfo.processInfo.hostName]
        c.diagnosticLogger = .custom(logger)
        c.traces.enabled = false
        c.metrics.exportInterval = .milliseconds(Int64(config.exportIntervalSeconds * 1000))
        c.metrics.otlpExporter.endpoint = base + "/v1/metrics"
        c.metrics.otlpExporter.protocol = .httpProtobuf
        c.logs.otlpExporter.endpoint = base + "/v1/logs"
        c.logs.otlpExporter.protocol = .httpProtobuf
        c.logs.batchLogRecordProcessor.scheduleDelay = .milliseconds(Int64(min(config.exportIntervalSeconds, 1) * 1000))
        let counters = ExportCounters()
        self.counters = counters
        let onFailure: OTel.Configuration.OTLPExporterConfiguration.ExportFailureHandler = { _ in
            counters.failures.add(1, ordering: .relaxed)
            return .discard
        }
        c.metrics.otlpExporter.onExportFailure = onFailure
        c.logs.otlpExporter.onExportFailure = onFailure
        let metrics = try OTel.makeMetricsBackend(configuration: c)
        metricsFactory = metrics.factory
        var services: [any Service] = [metrics.service]
        if config.eventsAsLogs {
            let logs = try OTel.makeLoggingBackend(configuration: c)
            var l = Logger(label: "swiftbpf-agent.events", factory: logs.factory)
            l.logLevel = .info
            eventLogger = l
            services.append(logs.service)
        } else {
            eventLogger = nil
        }
        self.services = services
    }

    /// Queues events to become log records; beyond the queue's capacity they are dropped.
    func enqueue(_ events: [AgentEvent]) {
        guard eventLogger != nil else { return }
        let over = queue.locked { q -> Int in
            let room = capacity - q.count
            q.append(contentsOf: events.prefix(max(0, room)))
            return max(0, events.count - max(0, room))
        }
        if over > 0 { counters.dropped.add(over, ordering: .relaxed) }
    }

    /// Hands up to `max` queued events to the OTel log processor; returns how many.
    @discardableResult
    func drain(max: Int = 512) -> Int {
        guard let eventLogger else { return 0 }
        let batch = queue.locked { q -> [AgentEvent] in
            let n = Swift.min(max, q.count)
            let out = Array(q.prefix(n))
            q.removeFirst(n)
            return out
        }
        for e in batch {
            var metadata: Logger.Metadata = [
                "event.kind": .string(e.kind), "collector": .string(e.collector), "process.pid": .stringConvertible(e.pid),
                "process.parent_pid": .stringConvertible(e.ppid), "process.command": .string(e.comm),
                "user.id": .stringConvertible(e.uid), "cgroup": .string(e.cgroup),
                "event.time_unix_nano": .stringConvertible(e.timeNanoseconds),
            ]
            for (k, v) in e.fields { metadata["event.\(k)"] = .string(v) }
            eventLogger.info("\(e.kind) \(e.comm)", metadata: metadata)
        }
        counters.sent.add(batch.count, ordering: .relaxed)
        return batch.count
    }

    var queued: Int { queue.locked { $0.count } }
}

/// The export's counts: events dropped at the full queue, handed to OTel, failed exports.
final class ExportCounters: Sendable {
    let dropped = Atomic<Int>(0)
    let sent = Atomic<Int>(0)
    let failures = Atomic<Int>(0)
}

/// Drains the export queue ten times a second until shutdown.
struct OTLPDrainService: Service {
    let export: OTLPExport
    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            export.drain()
            try? await Task.sleep(for: .milliseconds(100))
        }
        export.drain(max: .max)
    }
}
