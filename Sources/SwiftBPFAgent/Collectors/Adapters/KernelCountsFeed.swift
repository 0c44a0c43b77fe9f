import SwiftBPFTools

/// Feeds a tool's counting mode (`KernelCounts`: exec, exit, open) into a metric family on the
/// agent's tick: counts by command, cgroup and outcome; counts made while the kernel's table
/// was full under the command `[table full]`; and the events the rate limit held back in
/// `swiftbpf_agent_events_held_total`.
enum KernelCountsFeed {
    /// The command label of events counted while the kernel's table was full.
    static let overflowComm = "[table full]"
    static let heldFamily = "swiftbpf_agent_events_held_total"

    /// A source's `tick`: takes the counts and adds them to `family`, with the labels
    /// `outcomeLabels` gives an outcome after the process labels.
    static func tick(_ counts: KernelCounts, family: String, collector: String,
                     outcomeLabels: @escaping @Sendable (UInt32) -> [(String, String)]) -> @Sendable (any CollectorSink) -> Void {
        { sink in
            guard let taken = try? counts.take() else { return }
            for n in taken.counts {
                sink.countProcess(family: family, comm: n.comm, cgroupID: n.cgroupID, extra: outcomeLabels(n.outcome),
                                  by: Int64(clamping: n.count))
            }
            for (outcome, n) in taken.whileFull.enumerated() where n > 0 {
                sink.countProcess(family: family, comm: overflowComm, cgroupID: 0, extra: outcomeLabels(UInt32(outcome)),
                                  by: Int64(clamping: n))
            }
            if taken.held > 0 {
                sink.countUncapped(family: heldFamily, labels: [("collector", collector)], by: Int64(clamping: taken.held))
            }
        }
    }
}
