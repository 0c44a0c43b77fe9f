import BPF
import Glibc
import Synchronization

/// Events counted in the kernel by a tool's counting mode (`BPFInclude/swiftbpf_counts.h`:
/// execsnoop's, exitsnoop's and opensnoop's `startCounting`): every event that passes the filters is counted
/// per cgroup, command and outcome, whether or not the rate limit let it reach the ring.
/// `take()` reads and empties the table.
public final class KernelCounts: Sendable {
    /// The events of one cgroup and command with one outcome since the last `take`. What an
    /// outcome means is the tool's (`ExecSnoop.Outcome`, `ExitSnoop.Outcome`, `OpenSnoop.Outcome`).
    public struct Count: Sendable, Equatable {
        public var cgroupID: UInt64
        public var comm: String
        public var outcome: UInt32
        public var count: UInt64
    }

    /// What one `take` returns.
    public struct Taken: Sendable {
        /// Per cgroup, command and outcome.
        public var counts: [Count]
        /// Events counted while the table was full, by outcome (index), without cgroup or command.
        public var whileFull: [UInt64]
        /// Events counted but not sent, because their CPU had sent its share of the second.
        public var held: UInt64
    }

    /// `tool_counts`' default size: the distinct (cgroup, command, outcome) of one interval.
    public static let defaultCapacity: UInt32 = 4096

    private let takeCounts: @Sendable () throws(BPFError) -> [Count]
    private let full: ArrayMap<UInt64>
    private let heldPerCPU: @Sendable () throws(BPFError) -> [UInt64]
    private let last = Mutex<(full: [UInt64], held: UInt64)>(([], 0))

    init<Object: ToolCountingObject>(_ object: Object) {
        let counts = object.toolCounts
        takeCounts = { () throws(BPFError) in
            try counts.takeAll().map {
                Count(cgroupID: $0.key.cgroupId, comm: $0.key.commString, outcome: $0.key.outcome, count: $0.value)
            }
        }
        full = object.toolCountsFull
        let rate = object.toolRate
        heldPerCPU = { () throws(BPFError) in try rate.values(at: 0).map(\.held) }
    }

    /// The counts since the last call, emptying the table (an event counted while its entry is
    /// being taken may be lost; none is counted twice or under another key), with the events
    /// counted meanwhile while it was full and those the rate limit held back.
    public func take() throws(BPFError) -> Taken {
        let counts = try takeCounts()
        let fullNow = try full.values()
        let heldNow = try heldPerCPU().reduce(0, &+)
        return last.withLock { last in
            let fullDelta = fullNow.indices.map { fullNow[$0] &- (last.full.indices.contains($0) ? last.full[$0] : 0) }
            let heldDelta = heldNow &- last.held
            last = (fullNow, heldNow)
            return Taken(counts: counts, whileFull: fullDelta, held: heldDelta)
        }
    }

    /// `tool_targ_rate` for a limit of `eventsPerSecond` on the whole machine: each CPU's share
    /// of it (at least 1), since every CPU keeps its own window. 0 stays 0 (no limit).
    static func perCPURate(_ eventsPerSecond: UInt32) -> UInt32 {
        guard eventsPerSecond > 0 else { return 0 }
        let cpus = max(1, UInt32(clamping: sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        return max(1, (eventsPerSecond + cpus - 1) / cpus)
    }
}

/// The generated bindings of a tool with swiftbpf_counts.h's counting mode.
protocol ToolCountingObject: ToolObject where Config: ToolCountingConfig {
    associatedtype CountKey: ToolCountKeyBinding
    associatedtype RateWindow: ToolRateWindowBinding
    var toolCounts: HashMap<CountKey, UInt64> { get }
    var toolCountsFull: ArrayMap<UInt64> { get }
    var toolRate: PerCPUArrayMap<RateWindow> { get }
}

/// `struct tool_count_key` as each tool's bindings generate it.
protocol ToolCountKeyBinding: BitwiseCopyable {
    var cgroupId: UInt64 { get }
    var commString: String { get }
    var outcome: UInt32 { get }
}

/// `struct tool_rate_window` as each tool's bindings generate it.
protocol ToolRateWindowBinding: BitwiseCopyable {
    var held: UInt64 { get }
}

/// The counting mode's load-time settings in a tool's `Config`.
protocol ToolCountingConfig: ToolFilterConfig where MaxEntries: ToolCountingMaxEntries {
    /// `tool_targ_count`: 1 to count in `tool_counts`.
    var toolTargCount: UInt8 { get set }
    /// `tool_targ_rate`: events a second each CPU may send; 0 for no limit.
    var toolTargRate: UInt32 { get set }
}

protocol ToolCountingMaxEntries: ToolMaxEntries {
    var toolCounts: UInt32? { get set }
}

/// The counting mode's settings, as a tool's `startCounting` takes them.
public struct CountingOptions: Sendable {
    /// At most this many events a second are sent (about: each CPU gets an equal share); the
    /// rest are only counted. 0 sends every event.
    public var eventsPerSecond: UInt32
    /// The count table's size: distinct (cgroup, command, outcome) between two takes.
    public var capacity: UInt32

    public init(eventsPerSecond: UInt32 = 0, capacity: UInt32 = KernelCounts.defaultCapacity) {
        self.eventsPerSecond = eventsPerSecond
        self.capacity = capacity
    }

    /// Writes the settings into a tool's configuration.
    func apply<Config: ToolCountingConfig>(to config: inout Config) throws(BPFError) {
        guard capacity >= 1 else { throw .invalidArgument("counting: the count table needs at least one entry") }
        config.toolTargCount = 1
        config.toolTargRate = KernelCounts.perCPURate(eventsPerSecond)
        config.maxEntries.toolCounts = capacity
    }
}
