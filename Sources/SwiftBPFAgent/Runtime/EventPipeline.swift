import SwiftBPFTools
import Synchronization

/// Where collectors' output goes: every event is counted in the metrics (by kind, with
/// process and cgroup labels); the events sampling keeps go on to the live stream, the store
/// and the OTLP queue.
final class EventPipeline: CollectorSink {
    let metrics: AgentMetrics
    let hub: EventHub
    let cgroups: CgroupLabels
    /// The profile collector's stacks per minute (the Profiles page and `/api/v1/profile`).
    let profiles = ProfileHistory()
    private let outputs = Mutex<Outputs>(Outputs())
    private let labelCgroups = Atomic<Bool>(true)

    struct Outputs {
        var store: EventStore?
        var export: OTLPExport?
    }

    init(metrics: AgentMetrics, hub: EventHub, cgroups: CgroupLabels) {
        self.metrics = metrics
        self.hub = hub
        self.cgroups = cgroups
    }

    func connect(store: EventStore?, export: OTLPExport?) {
        outputs.locked { $0 = Outputs(store: store, export: export) }
    }

    func setCgroupLabels(_ on: Bool) { labelCgroups.store(on, ordering: .relaxed) }

    func deliver(_ events: [AgentEvent], kept: [Bool], from collector: String) {
        metrics.incrementUncapped("swiftbpf_agent_events_total", [("collector", collector)], by: Int64(events.count))
        let withCgroups = labelCgroups.load(ordering: .relaxed)
        for e in events { EventMetrics.count(e, into: metrics, cgroups: withCgroups ? cgroups : nil) }
        var keep = events
        if kept.contains(false) { keep = zip(events, kept).filter { $0.1 }.map(\.0) }
        guard !keep.isEmpty else { return }
        hub.publish(keep)
        let out = outputs.locked { $0 }
        out.store?.enqueue(keep)
        out.export?.enqueue(keep)
    }

    func observe(histogram: String, labels: [(String, String)], slots: [UInt64], unit: String) {
        metrics.histograms.add(histogram, labels: labels, slots: slots, unit: unit)
    }

    func count(family: String, labels: [(String, String)], by: Int64) {
        metrics.increment(family, labels, by: by)
    }

    func profile(_ stacks: [FoldedStack], timeNanoseconds: Int64) {
        profiles.add(stacks, timeNanoseconds: timeNanoseconds) { [cgroups] in cgroups.names(of: $0).container }
    }

    func countProcess(family: String, comm: String, cgroupID: UInt64, extra: [(String, String)], by: Int64) {
        let cgroups = labelCgroups.load(ordering: .relaxed) ? cgroups : nil
        metrics.increment(family, EventMetrics.processLabels(comm: comm, cgroupID: cgroupID, cgroups: cgroups) + extra, by: by)
    }

    func countUncapped(family: String, labels: [(String, String)], by: Int64) {
        metrics.incrementUncapped(family, labels, by: by)
    }

    func gauge(_ name: String, _ labels: [(String, String)], _ value: Double) {
        metrics.gauge(name, labels, value)
    }
}
