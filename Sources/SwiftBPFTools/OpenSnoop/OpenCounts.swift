import BPF
import Synchronization

/// Opens counted in the kernel by opensnoop's counting mode (`OpenSnoop.startCounting`), per
/// cgroup, command and outcome: the map `open_counts`, taken (read and emptied) at each call.
public final class OpenCounts: Sendable {
    /// The opens of one cgroup and command with one outcome since the last `take`.
    public struct Count: Sendable, Equatable {
        public var cgroupID: UInt64
        public var comm: String
        public var failed: Bool
        public var count: UInt64
    }

    /// `open_counts`' default size: the distinct (cgroup, command, outcome) of one interval.
    public static let defaultCapacity: UInt32 = 4096

    let counts: HashMap<OpensnoopObject.OpenCountKey, UInt64>
    let full: ArrayMap<UInt64>
    private let lastFull = Mutex<[UInt64]>([0, 0])

    init(counts: HashMap<OpensnoopObject.OpenCountKey, UInt64>, full: ArrayMap<UInt64>) {
        self.counts = counts
        self.full = full
    }

    /// The counts since the last call, emptying the table (`BPF_MAP_LOOKUP_AND_DELETE_BATCH`),
    /// and the opens counted meanwhile while it was full (succeeded, failed), which have no
    /// cgroup or command. An open counted while its entry is being taken may be lost; none is
    /// counted twice or under another key.
    public func take() throws(BPFError) -> (counts: [Count], whileFull: (succeeded: UInt64, failed: UInt64)) {
        let entries = try counts.takeAll()
        let now = try full.values()
        let since = lastFull.locked { last -> [UInt64] in
            let delta = zip(now, last).map { $0 &- $1 }
            last = now
            return delta
        }
        let out = entries.map { Count(cgroupID: $0.key.cgroupId, comm: $0.key.commString, failed: $0.key.failed != 0, count: $0.value) }
        return (out, (since.first ?? 0, since.dropFirst().first ?? 0))
    }
}
