import Synchronization

/// The asynchronous sequences of the event readers. A detached thread (not the cooperative
/// pool, since it blocks in epoll) runs `step` until the consuming task is cancelled, the reader
/// is closed, or `step` throws; `finish` runs once after a close that was not a cancellation,
/// so records that arrived just before it are still delivered.
enum ReaderStream {
    static func make(
        wake: @escaping @Sendable () -> Void,
        isClosed: @escaping @Sendable () -> Bool,
        step: @escaping @Sendable (_ yield: ([UInt8]) -> Void) throws(BPFError) -> Void,
        finish: @escaping @Sendable (_ yield: ([UInt8]) -> Void) -> Void = { _ in }
    ) -> AsyncThrowingStream<[UInt8], any Error> {
        let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream(bufferingPolicy: .unbounded)
        let stop = StopFlag()
        continuation.onTermination = { _ in
            stop.set()
            wake()
        }
        let yield: @Sendable ([UInt8]) -> Void = { continuation.yield($0) }
        do {
            try Threads.spawn {
                while !stop.isSet, !isClosed() {
                    do {
                        try step(yield)
                    } catch {
                        continuation.finish(throwing: error)
                        return
                    }
                }
                if !stop.isSet { finish(yield) }
                continuation.finish()
            }
        } catch {
            continuation.finish(throwing: error)
        }
        return stream
    }
}

/// A one-way flag shared between a stream's termination handler and its producer thread.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .releasing) }
    var isSet: Bool { flag.load(ordering: .acquiring) }
}
