import SwiftBPFTools
import Synchronization

/// The continuous profile in memory: the profile collector's symbolised stacks summed per
/// minute, for the last `minutes` minutes, queried by time range, process id, command, thread
/// id and container.
///
/// Memory is bounded: each minute holds at most `maxStacksPerMinute` distinct stacks (a stack
/// is its frames with its process, thread and cgroup) and one more: past the bound, the
/// samples of stacks not held yet count under that minute's `[profile history full]` stack,
/// so the totals stay right.
public final class ProfileHistory: Sendable {
    struct Key: Hashable {
        var frames: [FoldedFrame]
        var pid: UInt32
        var tid: UInt32
        var cgroupID: UInt64
        /// The container id of the cgroup (`CgroupLabels`), "" when none.
        var container: String
    }

    /// The stand-in frame of the samples a full minute could not keep apart.
    static let overflowFrame = FoldedFrame(name: "[profile history full]", kind: .missing)

    private let buckets = Mutex<[Int64: [Key: UInt64]]>([:])
    let minutes: Int64
    let maxStacksPerMinute: Int

    init(minutes: Int64 = 60, maxStacksPerMinute: Int = 10_000) {
        self.minutes = minutes
        self.maxStacksPerMinute = maxStacksPerMinute
    }

    /// Adds stacks sampled up to `timeNanoseconds` (Unix time) to that minute; `container`
    /// names the container of a cgroup id (called once per distinct id).
    func add(_ stacks: [FoldedStack], timeNanoseconds: Int64, container: (UInt64) -> String = { _ in "" }) {
        let minute = timeNanoseconds / 60_000_000_000
        var containers: [UInt64: String] = [:]
        let keyed = stacks.map { s -> (Key, UInt64) in
            let cgroup = s.cgroupID ?? 0
            if containers[cgroup] == nil { containers[cgroup] = cgroup == 0 ? "" : container(cgroup) }
            return (Key(frames: s.frames, pid: s.pid ?? 0, tid: s.tid ?? 0, cgroupID: cgroup, container: containers[cgroup] ?? ""), s.count)
        }
        buckets.locked { b in
            var bucket = b[minute] ?? [:]
            for (key, count) in keyed { bucket[place(key, in: bucket), default: 0] += count }
            b[minute] = bucket
            b = b.filter { $0.key > minute - minutes }
        }
    }

    static let overflowKey = Key(frames: [overflowFrame], pid: 0, tid: 0, cgroupID: 0, container: "")

    /// Where a stack counts in a bucket: itself while there is room or it is there already,
    /// else the minute's overflow stack.
    private func place(_ key: Key, in bucket: [Key: UInt64]) -> Key {
        bucket[key] != nil || bucket.count < maxStacksPerMinute ? key : Self.overflowKey
    }

    /// The stacks of the minutes overlapping [since, until) (Unix nanoseconds), optionally of
    /// one process, command, thread, or container (its id, or a prefix of it such as the 12
    /// characters `docker ps` shows), summed per process, largest first.
    public func stacks(since: Int64?, until: Int64?, pid: UInt32? = nil, comm: String? = nil, tid: UInt32? = nil,
                       container: String? = nil) -> [FoldedStack] {
        let first = since.map { $0 / 60_000_000_000 } ?? Int64.min
        let last = until.map { ($0 - 1) / 60_000_000_000 } ?? Int64.max
        var sum: [Key: UInt64] = [:]
        buckets.locked { b in
            for (minute, bucket) in b where minute >= first && minute <= last {
                for (k, n) in bucket {
                    if let pid, k.pid != pid { continue }
                    if let comm, k.frames.first?.name != comm { continue }
                    if let tid, k.tid != tid { continue }
                    if let container, container.isEmpty || !k.container.hasPrefix(container) { continue }
                    // Threads and cgroups select; the answer is per process, as before them.
                    sum[Key(frames: k.frames, pid: k.pid, tid: 0, cgroupID: 0, container: ""), default: 0] += n
                }
            }
        }
        return sum.map { FoldedStack(frames: $0.key.frames, count: $0.value, pid: $0.key.pid) }
            .sorted { $0.count > $1.count }
    }

    /// Minutes held.
    var minuteCount: Int { buckets.locked { $0.count } }

    /// Distinct stacks held, over all minutes.
    var stackCount: Int { buckets.locked { $0.values.reduce(0) { $0 + $1.count } } }
}
