import Foundation
import Synchronization

/// A collector's reader: one thread running a loop of short polls until `stop()`, which
/// waits for the loop to end (so the collector releases its programs only after the last read).
final class ReaderThread: Sendable {
    private let running = Atomic<Bool>(true)
    private let finished = DispatchGroup()
    private let name: String

    /// A reader not started yet (a collector makes it before its other state is ready).
    init(name: String) { self.name = name }

    /// Starts `body` on a thread named `collector-<name>`. The body loops while `isRunning`,
    /// each round bounded by a poll timeout, and calls `end()` when its source is gone.
    func start(_ body: @escaping @Sendable (ReaderThread) -> Void) {
        finished.enter()
        let thread = Thread { [self] in
            body(self)
            self.finished.leave()
        }
        thread.name = "collector-\(name)"
        thread.start()
    }

    var isRunning: Bool { running.load(ordering: .relaxed) }

    /// Ends the loop from inside (a failed poll: the ring's fd is gone).
    func end() { running.store(false, ordering: .relaxed) }

    /// Ends the loop and waits for the thread's last round.
    func stop() {
        running.store(false, ordering: .relaxed)
        finished.wait()
    }
}
