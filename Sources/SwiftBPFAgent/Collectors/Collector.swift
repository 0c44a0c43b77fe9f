import BPF
import SwiftBPFTools

/// What a collector is doing, as the API and `swiftbpf_agent_collector_up` show it.
public enum CollectorState: String, Sendable {
    case running
    /// Stopped by the overhead governor to stay within budget.
    case shed
    case failed
    case stopped
}

/// Where collectors deliver what they read. The agent's pipeline implements it.
protocol CollectorSink: AnyObject, Sendable {
    /// Events read from a ring buffer, in arrival order. `kept` is false for events that
    /// sampling leaves out of the store, the stream and OTLP (metrics count them all).
    func deliver(_ events: [AgentEvent], kept: [Bool], from collector: String)
    /// A kernel-side histogram read since the last call (log2 slots, to add to the totals).
    func observe(histogram: String, labels: [(String, String)], slots: [UInt64], unit: String)
    /// Counts a collector read from a kernel table since the last call.
    func count(family: String, labels: [(String, String)], by: Int64)
    /// Counts of one command in one cgroup read from a kernel table since the last call, with
    /// the labels events get (`comm`, `unit`, `container`) and `extra` after them.
    func countProcess(family: String, comm: String, cgroupID: UInt64, extra: [(String, String)], by: Int64)
    /// Symbolised CPU stacks sampled up to `timeNanoseconds` (Unix time), for the profile history.
    func profile(_ stacks: [FoldedStack], timeNanoseconds: Int64)
    /// Counts outside the series cap (a collector's own bookkeeping: losses by reason).
    func countUncapped(family: String, labels: [(String, String)], by: Int64)
    /// Sets a gauge (a table's size, tracked connections).
    func gauge(_ name: String, _ labels: [(String, String)], _ value: Double)
}

/// A running collector: loaded BPF programs that the agent reads and, at stop, releases
/// (which detaches and unloads them: nothing remains in the kernel).
protocol Collector: AnyObject, Sendable {
    var name: String { get }
    var config: CollectorConfig { get }
    /// Reads tables and histograms when their interval has passed; event collectors read on
    /// their own threads and do nothing here.
    func tick(now: Int64)
    /// Events the kernel side could not queue, in total since the start.
    func lostEvents() -> UInt64
    /// The collector's programs, for run statistics.
    var programs: [(name: String, program: Program)] { get }
    /// Stops reading and releases the programs. Waits for reader threads.
    func stop()
    /// The collector's maps by name, for the occupancy gauges (empty when its object is not
    /// reachable from here).
    var maps: [String: Map] { get }
}

extension Collector {
    var maps: [String: Map] { [:] }
}

extension ToolSession {
    /// The session's programs by name, sorted.
    var namedPrograms: [(name: String, program: Program)] {
        object.programs.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
