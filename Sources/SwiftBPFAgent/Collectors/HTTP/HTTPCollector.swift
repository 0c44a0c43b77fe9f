import BPF
import Foundation
import Synchronization
import SwiftBPFTools

/// The `http` collector over `HTTPTracer` (swiftbpf http): HTTP/1.x exchanges read from TLS
/// plaintext (uprobes on OpenSSL and GnuTLS) and from plain TCP sockets become request counts
/// and bytes per service (command name), role, method, route and status class under the
/// series cap, a latency histogram per service, role and route, and one `http_request` event
/// each. Heads that could not be parsed or paired are counted by reason; ring records the
/// kernel could not queue are the collector's lost events.
///
/// Options: `tls`, `plain` (what to trace, both true by default), `max_bytes` (captured per
/// call, default 4096), `binaries` (statically linked TLS programs), `templates` (route
/// templates), `collapse_ids` (default true), `redact` (query values masked in events, default
/// true), `idle_seconds` (default 30), `max_histograms` (default 500).
final class HTTPCollector: Collector {
    let name = "http"
    let config: CollectorConfig
    private let options: HTTPCollectorOptions
    private let tracer: HTTPTracer
    private let routes: RouteTemplates
    private let sink: any CollectorSink
    private let cgroups: CgroupLabels
    private let sampleCounter = Atomic<Int>(0)
    private let reader = ReaderThread(name: "http")

    init(config: CollectorConfig, sink: any CollectorSink, cgroups: CgroupLabels) throws {
        self.config = config
        self.sink = sink
        self.cgroups = cgroups
        let options = try HTTPCollectorOptions(config)
        self.options = options
        routes = try RouteTemplates(templates: options.templates, collapseIDs: options.collapseIDs)
        tracer = try HTTPTracer(options: .init(filter: ToolFilter(config), maxBytes: options.maxBytes, tls: options.tls,
                                               plain: options.plain, binaries: options.binaries))
        reader.start { [self] reader in self.read(reader) }
    }

    /// Why TLS is not traced although asked for (no TLS library found yet), for the log.
    var tlsProblem: String? { tracer.tlsProblem }

    private func read(_ reader: ReaderThread) {
        var tracker = HTTPConnectionTracker()
        var cgroupOf: [UInt32: UInt64] = [:]
        var histogramKeys = Set<[String]>()
        var reported = tracker.stats
        let interval = Int64(config.intervalSeconds * 1e9)
        var nextHousekeeping: Int64 = 0
        while reader.isRunning {
            var exchanges: [HTTPExchange] = []
            var records = 0
            do {
                records = try tracer.poll(timeoutMilliseconds: 250) { e in
                    // The tracker keeps no cgroup: remember each process's latest one.
                    if cgroupOf.count >= 16384 { cgroupOf.removeAll(keepingCapacity: true) }
                    cgroupOf[e.task.tgid] = e.task.cgroupID
                    exchanges += tracker.feed(e)
                }
            } catch {
                reader.end()
            }
            let now = Clocks.now(CLOCK_MONOTONIC)
            if now >= nextHousekeeping {
                nextHousekeeping = now + interval
                exchanges += tracker.expire(before: UInt64(max(0, now - Int64(options.idleSeconds * 1e9))))
                // New processes may map a TLS library the probes are not on yet (containers).
                if options.tls { _ = tracer.probes.followNewProcesses() }
                let s = tracker.stats
                let counts: [(String, Int, Int)] = [
                    ("invalid", s.invalid, reported.invalid), ("unmatched", s.unmatched, reported.unmatched),
                    ("dropped", s.dropped, reported.dropped), ("evicted", s.evicted, reported.evicted),
                ]
                for (reason, total, before) in counts where total > before {
                    sink.countUncapped(family: "swiftbpf_agent_http_unparsed_total", labels: [("reason", reason)], by: Int64(total - before))
                }
                reported = s
                sink.gauge("swiftbpf_agent_http_connections", [], Double(tracker.connectionCount))
            }
            if !exchanges.isEmpty { account(exchanges, cgroupOf: cgroupOf, histogramKeys: &histogramKeys) }
            ReadPacing.agent.afterBatch(records)
        }
    }

    /// Counts the exchanges, adds their latencies to the histograms and delivers their events.
    private func account(_ exchanges: [HTTPExchange], cgroupOf: [UInt32: UInt64], histogramKeys: inout Set<[String]>) {
        var latencies: [[String]: [UInt64]] = [:]
        var events: [AgentEvent] = []
        var kept: [Bool] = []
        let offset = Clocks.monotonicToWallOffset()
        let sample = config.sample
        for e in exchanges {
            let route = routes.route(for: e.target)
            let labels = [("service", e.comm), ("role", e.role.rawValue), ("method", e.method), ("route", route),
                          ("status_class", "\(e.status / 100)xx")]
            sink.count(family: "swiftbpf_agent_http_requests_total", labels: labels, by: 1)
            sink.count(family: "swiftbpf_agent_http_request_bytes_total", labels: labels, by: Int64(e.request.totalBytes))
            sink.count(family: "swiftbpf_agent_http_response_bytes_total", labels: labels, by: Int64(e.response.totalBytes))
            var key = [e.comm, e.role.rawValue, route]
            if !histogramKeys.contains(key) {
                if histogramKeys.count >= options.maxHistograms { key[2] = "{other}" } else { histogramKeys.insert(key) }
            }
            let us = e.latencyNanoseconds / 1000
            latencies[key, default: [UInt64](repeating: 0, count: 64)][us == 0 ? 0 : min(63, 64 - us.leadingZeroBitCount)] += 1

            let cgroupID = cgroupOf[e.tgid] ?? 0
            let time = e.response.firstByteTime > 0 ? Int64(e.response.firstByteTime) + offset : Clocks.wallNanoseconds()
            var fields = [
                "role": e.role.rawValue, "tls": "\(e.tls)", "method": e.method,
                "target": options.redact ? HTTPRedaction.target(e.target) : e.target, "route": route, "status": "\(e.status)",
                "request_bytes": "\(e.request.totalBytes)", "response_bytes": "\(e.response.totalBytes)",
                "latency_ns": "\(e.latencyNanoseconds)", "complete": "\(e.request.complete && e.response.complete)",
            ]
            if let l = e.local { fields["local"] = l }
            if let r = e.remote { fields["remote"] = r }
            events.append(AgentEvent(timeNanoseconds: time, kind: "http_request", collector: name, pid: e.tgid, comm: e.comm,
                                     cgroupID: cgroupID, cgroup: cgroups.names(of: cgroupID).path, fields: fields))
            kept.append(sample == 1 || sampleCounter.wrappingAdd(1, ordering: .relaxed).oldValue % sample == 0)
        }
        for (key, slots) in latencies {
            sink.observe(histogram: "swiftbpf_agent_http_latency_microseconds",
                         labels: [("service", key[0]), ("role", key[1]), ("route", key[2])], slots: slots, unit: "microseconds")
        }
        sink.deliver(events, kept: kept, from: name)
    }

    func tick(now: Int64) {}

    func lostEvents() -> UInt64 { (try? tracer.droppedEvents()) ?? 0 }

    var programs: [(name: String, program: Program)] { tracer.session.namedPrograms }

    var maps: [String: Map] { tracer.session.object.maps }

    func stop() {
        reader.stop()
        tracer.stop()
    }
}
