import BPF
import Foundation
import Synchronization
import SwiftBPFNet

/// The `flows` collector over `FlowMonitor` (swiftbpf flows): per-connection bytes become
/// counters by process, peer and service port (capped per family like every label set), the
/// tracked connections a gauge, and every closed connection an event (`flow_close`). Losses
/// are reported: ring records lost (as the collector's lost events), connections not tracked
/// because a map was full, and connections evicted by the cap.
///
/// Options: `max_flows` (the cap of each of the TCP and UDP maps, default 16384), `udp` and
/// `dns` (`true`/`false`, default true).
final class FlowsCollector: Collector {
    let name = "flows"
    let config: CollectorConfig
    private let box: MonitorBox
    private let running = Atomic<Bool>(true)
    private let finished = DispatchGroup()
    private let sink: any CollectorSink
    private let cgroups: CgroupLabels
    private let lost = Atomic<UInt64>(0)
    /// The connections tracked at the last read (the maps' size bounds it).
    private let tracked = Mutex<[Flow]>([])

    /// `FlowMonitor` keeps mutable state (listeners, socket owners): only the reader thread
    /// uses it, and `stop()` releases it after that thread ended.
    private final class MonitorBox: @unchecked Sendable {
        var monitor: FlowMonitor?
        init(_ m: FlowMonitor) { monitor = m }
    }

    init(config: CollectorConfig, sink: any CollectorSink, cgroups: CgroupLabels) throws {
        self.config = config
        self.sink = sink
        self.cgroups = cgroups
        var options = FlowMonitor.Options()
        options.filter = FlowFilter(pid: config.pid, comm: config.comm, cgroupPath: config.cgroup)
        if let text = config.options["max_flows"] {
            guard let n = UInt32(text), n >= 16 else { throw ConfigError("collectors.flows.options.max_flows: an integer ≥ 16, got \(text)") }
            options.maxFlows = n
        } else {
            options.maxFlows = 16384
        }
        func flag(_ key: String) throws -> Bool? {
            guard let text = config.options[key] else { return nil }
            guard let v = Bool(text) else { throw ConfigError("collectors.flows.options.\(key): true or false, got \(text)") }
            return v
        }
        if let v = try flag("udp") { options.trackUDP = v }
        if let v = try flag("dns") { options.trackDNS = v }
        box = MonitorBox(try FlowMonitor(options: options))
        finished.enter()
        let thread = Thread { [self] in
            self.read()
            self.finished.leave()
        }
        thread.name = "collector-flows"
        thread.start()
    }

    /// Byte counts of a connection when last accounted, by socket cookie (and peer for UDP).
    private struct Seen {
        var sent: UInt64
        var received: UInt64
    }

    private func read() {
        guard let monitor = box.monitor else { return }
        var seen: [FlowID: Seen] = [:]
        var nextRefresh: Int64 = 0
        var reported = FlowMonitor.Stats()
        while running.load(ordering: .relaxed) {
            var events: [AgentEvent] = []
            do {
                try monitor.poll(timeoutMilliseconds: 250) { event in
                    guard case .closed(let flow) = event else { return }
                    account(flow, &seen)
                    seen[flow.id] = nil
                    events.append(self.event(flow))
                }
                let now = Clocks.now(CLOCK_MONOTONIC)
                if now >= nextRefresh {
                    nextRefresh = now + Int64(config.intervalSeconds * 1e9)
                    let (flows, expired) = try monitor.refresh()
                    var live = Set<FlowID>()
                    for f in flows {
                        account(f, &seen)
                        live.insert(f.id)
                    }
                    for f in expired { account(f, &seen); events.append(event(f)) }
                    seen = seen.filter { live.contains($0.key) }
                    tracked.locked { $0 = flows }
                    sink.gauge("swiftbpf_agent_flows_tracked", [("transport", "tcp")], Double(flows.count(where: { $0.transport == .tcp })))
                    sink.gauge("swiftbpf_agent_flows_tracked", [("transport", "udp")], Double(flows.count(where: { $0.transport == .udp })))
                    let stats = try monitor.stats()
                    lost.store(stats.lostEvents, ordering: .relaxed)
                    let untracked: [(String, UInt64, UInt64)] = [
                        ("tcp_map_full", stats.tcpMapFull, reported.tcpMapFull), ("udp_map_full", stats.udpMapFull, reported.udpMapFull),
                        ("owner_map_full", stats.ownerMapFull, reported.ownerMapFull), ("evicted", stats.evicted, reported.evicted),
                    ]
                    for (reason, total, before) in untracked where total > before {
                        sink.countUncapped(family: "swiftbpf_agent_flows_untracked_total", labels: [("reason", reason)], by: Int64(total - before))
                    }
                    reported = stats
                }
            } catch {
                // The monitor's maps or ring are gone: this reader ends, the state shows it.
                running.store(false, ordering: .relaxed)
            }
            if !events.isEmpty { sink.deliver(events, kept: [Bool](repeating: true, count: events.count), from: name) }
        }
    }

    /// Adds what a connection sent and received since it was last seen to the byte counters
    /// of its process, direction, peer and service port.
    private func account(_ f: Flow, _ seen: inout [FlowID: Seen]) {
        let before = seen[f.id] ?? Seen(sent: 0, received: 0)
        let sent = f.bytesSent >= before.sent ? f.bytesSent - before.sent : f.bytesSent
        let received = f.bytesReceived >= before.received ? f.bytesReceived - before.received : f.bytesReceived
        seen[f.id] = Seen(sent: f.bytesSent, received: f.bytesReceived)
        guard sent > 0 || received > 0 else { return }
        let servicePort = f.direction == .incoming ? f.local.port : f.remote.port
        let labels = [("comm", f.owner?.comm ?? ""), ("transport", f.transport.rawValue), ("direction", f.direction.rawValue),
                      ("peer", f.remote.address), ("port", "\(servicePort)")]
        if sent > 0 { sink.count(family: "swiftbpf_agent_flow_sent_bytes_total", labels: labels, by: Int64(sent)) }
        if received > 0 { sink.count(family: "swiftbpf_agent_flow_received_bytes_total", labels: labels, by: Int64(received)) }
    }

    /// The connections tracked at the last read that were seen at or after `since` (Unix
    /// nanoseconds), as `flow` records with the fields of `flow_close` and the TCP state.
    func connections(since: Int64?) -> [AgentEvent] {
        let offset = Clocks.monotonicToWallOffset()
        return tracked.locked { flows in
            flows.compactMap { f in
                let seen = Int64(bitPattern: f.lastSeenNanos) + offset
                if let since, seen < since { return nil }
                var e = event(f, kind: "flow", time: seen)
                if let state = f.state { e.fields["state"] = state }
                return e
            }
        }
    }

    private func event(_ f: Flow, kind: String = "flow_close", time: Int64? = nil) -> AgentEvent {
        let owner = f.owner
        return AgentEvent(
            timeNanoseconds: time ?? Clocks.wallNanoseconds(), kind: kind, collector: name, pid: owner?.pid ?? 0, ppid: 0,
            uid: owner?.uid ?? 0, comm: owner?.comm ?? "", cgroupID: owner?.cgroupID ?? 0,
            cgroup: cgroups.names(of: owner?.cgroupID ?? 0).path,
            fields: [
                "transport": f.transport.rawValue, "direction": f.direction.rawValue,
                "saddr": f.local.address, "sport": "\(f.local.port)", "daddr": f.remote.address, "dport": "\(f.remote.port)",
                "tx_bytes": "\(f.bytesSent)", "rx_bytes": "\(f.bytesReceived)", "retransmits": "\(f.retransmits)",
                "rtt_us": "\(f.rttMicros)", "duration_ns": "\(f.lastSeenNanos &- f.firstSeenNanos)",
                "flow_id": f.id.description,
            ])
    }

    func tick(now: Int64) {}

    func lostEvents() -> UInt64 { lost.load(ordering: .relaxed) }

    /// FlowMonitor keeps its generated object to itself: no per-program statistics here.
    var programs: [(name: String, program: Program)] { [] }

    func stop() {
        running.store(false, ordering: .relaxed)
        finished.wait()
        box.monitor = nil
        tracked.locked { $0 = [] }
    }
}
