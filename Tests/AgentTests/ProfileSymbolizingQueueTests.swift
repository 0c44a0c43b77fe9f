import Dispatch
import Synchronization
import Testing
@testable import SwiftBPFAgent
import SwiftBPFTools

/// The profile collector's symbolising queue without the kernel: samples that arrive while a
/// batch is symbolised wait in one bounded pending batch (the rest counted as dropped), and
/// `stop()` returns at once while a slow batch is in progress, whose result is then not
/// delivered. (At shutdown the agent's tick had waited for a symbolisation that outlasted the
/// service group's cancellation limit.)
@Suite struct ProfileSymbolizingQueueTests {
    static func samples(_ n: Int, count: UInt64 = 1) -> [ProfileSample] {
        (0..<n).map { ProfileSample(tgid: UInt32($0 + 1), comm: "p\($0)", userStackID: -1, kernelStackID: -1, count: count) }
    }

    /// A symbolize step that blocks until the test releases it, and records what it saw.
    final class Gate: Sendable {
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let batches = Mutex<[Int]>([])
        let delivered = Mutex<[Int64]>([])
        let done = DispatchSemaphore(value: 0)

        func queue() -> ProfileSymbolizingQueue {
            ProfileSymbolizingQueue(
                symbolize: { samples in
                    self.batches.locked { $0.append(samples.count) }
                    self.entered.signal()
                    self.release.wait()
                    return samples.map { FoldedStack(frames: [], count: $0.count) }
                },
                deliver: { _, time in
                    self.delivered.locked { $0.append(time) }
                    self.done.signal()
                })
        }

        /// Lets the blocked batch end and waits for its delivery.
        func finishBatch() {
            release.signal()
            done.wait()
        }
    }

    @Test func samplesArrivingDuringABatchWaitInOnePendingBatch() {
        let gate = Gate()
        let queue = gate.queue()
        queue.submit(Self.samples(3), timeNanoseconds: 1)
        gate.entered.wait()
        queue.submit(Self.samples(2), timeNanoseconds: 2)
        queue.submit(Self.samples(4), timeNanoseconds: 3)
        gate.finishBatch()
        gate.entered.wait()
        gate.finishBatch()
        #expect(gate.batches.locked { $0 } == [3, 6])
        #expect(gate.delivered.locked { $0 } == [1, 3], "the pending batch carries the newest time")
        #expect(queue.droppedSamples == 0)
    }

    @Test func aFullPendingBatchCountsTheSamplesItDrops() {
        let gate = Gate()
        let queue = gate.queue()
        queue.submit(Self.samples(1), timeNanoseconds: 1)
        gate.entered.wait()
        let limit = ProfileSymbolizingQueue.pendingLimit
        queue.submit(Self.samples(limit - 10), timeNanoseconds: 2)
        queue.submit(Self.samples(25, count: 3), timeNanoseconds: 3)
        #expect(queue.droppedSamples == 15 * 3, "15 entries of 3 samples each did not fit")
        gate.finishBatch()
        gate.entered.wait()
        #expect(gate.batches.locked { $0 } == [1, limit])
        gate.finishBatch()
    }

    @Test func stopReturnsDuringASlowBatchAndItsResultIsDropped() {
        let gate = Gate()
        let queue = gate.queue()
        queue.submit(Self.samples(2), timeNanoseconds: 1)
        gate.entered.wait()
        queue.submit(Self.samples(2), timeNanoseconds: 2)
        queue.stop()  // returns although the batch is still blocked in symbolize
        queue.submit(Self.samples(2), timeNanoseconds: 3)
        gate.release.signal()
        // Nothing is delivered: neither the batch in progress nor the pending one.
        #expect(gate.done.wait(timeout: .now() + .milliseconds(300)) == .timedOut)
        #expect(gate.batches.locked { $0 } == [2])
        #expect(gate.delivered.locked { $0 }.isEmpty)
    }
}
