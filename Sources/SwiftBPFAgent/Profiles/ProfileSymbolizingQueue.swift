import Dispatch
import Glibc
import Logging
import Synchronization
import SwiftBPFTools

/// Symbolises the profile collector's samples on a queue of its own, so that the agent's
/// once-a-second tick only copies the counts out of the kernel's maps. Symbolising is user
/// space only (ELF symbol tables of the sampled binaries, /proc/kallsyms), and its first sight
/// of a large binary can take seconds: on the tick it delayed every collector's reads, and at
/// shutdown the services' cancellation limit. `stop()` does not wait for a batch in progress:
/// that batch touches no BPF object and is dropped when it ends.
///
/// Bounded: while one batch is symbolised, later samples wait in one pending batch of at most
/// `pendingLimit` entries; what does not fit is counted in `droppedSamples` (the collector's
/// lost events).
final class ProfileSymbolizingQueue: Sendable {
    static let pendingLimit = 50_000

    private struct Batch {
        var samples: [ProfileSample]
        var timeNanoseconds: Int64
    }

    private struct State {
        var busy = false
        var stopped = false
        var pending: Batch?
        var droppedSamples: UInt64 = 0
    }

    private let queue = DispatchQueue(label: "swiftbpf-agent.profile-symbolize", qos: .utility)
    private let state = Mutex(State())
    private let symbolize: @Sendable ([ProfileSample]) -> [FoldedStack]
    private let deliver: @Sendable (_ stacks: [FoldedStack], _ timeNanoseconds: Int64) -> Void

    private let logger: Logger?

    /// A batch that takes longer than this to symbolise is logged.
    static let slowBatchSeconds = 2.0

    /// `symbolize` turns one batch into stacks on the queue, one batch at a time; `deliver`
    /// hands them on unless `stop()` came meanwhile.
    init(logger: Logger? = nil, symbolize: @escaping @Sendable ([ProfileSample]) -> [FoldedStack],
         deliver: @escaping @Sendable (_ stacks: [FoldedStack], _ timeNanoseconds: Int64) -> Void) {
        self.logger = logger
        self.symbolize = symbolize
        self.deliver = deliver
    }

    /// Sample counts (not entries) dropped because the pending batch was full.
    var droppedSamples: UInt64 { state.locked { $0.droppedSamples } }

    /// Queues samples taken at `timeNanoseconds` (Unix time). Samples arriving while a batch is
    /// symbolised join the pending batch, stamped with the newest time.
    func submit(_ samples: [ProfileSample], timeNanoseconds: Int64) {
        guard !samples.isEmpty else { return }
        let start = state.locked { s -> Batch? in
            guard !s.stopped else { return nil }
            if !s.busy {
                s.busy = true
                return Batch(samples: samples, timeNanoseconds: timeNanoseconds)
            }
            var pending = s.pending ?? Batch(samples: [], timeNanoseconds: timeNanoseconds)
            let room = max(0, Self.pendingLimit - pending.samples.count)
            pending.samples.append(contentsOf: samples.prefix(room))
            for dropped in samples.dropFirst(room) { s.droppedSamples &+= dropped.count }
            pending.timeNanoseconds = timeNanoseconds
            s.pending = pending
            return nil
        }
        if let start { queue.async { self.drain(start) } }
    }

    /// Stops delivering: a batch in progress is dropped when it ends, pending ones at once.
    func stop() {
        state.locked {
            $0.stopped = true
            $0.pending = nil
        }
    }

    private func drain(_ first: Batch) {
        var batch = first
        while true {
            if state.locked({ $0.stopped }) { break }
            let start = Clocks.now(CLOCK_MONOTONIC)
            let stacks = symbolize(batch.samples)
            let seconds = Double(Clocks.now(CLOCK_MONOTONIC) - start) / 1e9
            if seconds > Self.slowBatchSeconds {
                logger?.warning("the profile's symbolisation was slow (a first look at a large binary reads its whole symbol table)",
                                metadata: ["seconds": "\(seconds)", "samples": "\(batch.samples.count)"])
            }
            if state.locked({ $0.stopped }) { break }
            deliver(stacks, batch.timeNanoseconds)
            guard let next = state.locked({ s -> Batch? in
                let n = s.pending
                s.pending = nil
                if n == nil || s.stopped { s.busy = false }
                return s.stopped ? nil : n
            }) else { return }
            batch = next
        }
        state.locked { $0.busy = false }
    }
}
