import SwiftBPFTools
import Synchronization

/// The continuous profile in memory: the profile collector's symbolised stacks summed per
/// minute, for the last `minutes` minutes, queried by time range, process id and command.
public final class ProfileHistory: Sendable {
    struct Key: Hashable {
        var frames: [FoldedFrame]
        var pid: UInt32
    }

    private let buckets = Mutex<[Int64: [Key: UInt64]]>([:])
    let minutes: Int64

    init(minutes: Int64 = 60) { self.minutes = minutes }

    /// Adds stacks sampled up to `timeNanoseconds` (Unix time) to that minute.
    func add(_ stacks: [FoldedStack], timeNanoseconds: Int64) {
        let minute = timeNanoseconds / 60_000_000_000
        buckets.withLock { b in
            var bucket = b[minute] ?? [:]
            for s in stacks { bucket[Key(frames: s.frames, pid: s.pid ?? 0), default: 0] += s.count }
            b[minute] = bucket
            b = b.filter { $0.key > minute - minutes }
        }
    }

    /// The stacks of the minutes overlapping [since, until) (Unix nanoseconds), optionally of
    /// one process or command, summed, largest first.
    public func stacks(since: Int64?, until: Int64?, pid: UInt32? = nil, comm: String? = nil) -> [FoldedStack] {
        let first = since.map { $0 / 60_000_000_000 } ?? Int64.min
        let last = until.map { ($0 - 1) / 60_000_000_000 } ?? Int64.max
        var sum: [Key: UInt64] = [:]
        buckets.withLock { b in
            for (minute, bucket) in b where minute >= first && minute <= last {
                for (k, n) in bucket {
                    if let pid, k.pid != pid { continue }
                    if let comm, k.frames.first?.name != comm { continue }
                    sum[k, default: 0] += n
                }
            }
        }
        return sum.map { FoldedStack(frames: $0.key.frames, count: $0.value, pid: $0.key.pid) }
            .sorted { $0.count > $1.count }
    }

    /// Minutes held.
    var minuteCount: Int { buckets.withLock { $0.count } }
}
