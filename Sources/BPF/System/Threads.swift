import Glibc

/// Detached POSIX threads, for readers that block in epoll without occupying Swift's
/// cooperative thread pool.
package enum Threads {
    final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    /// Starts `body` on a new detached thread.
    package static func spawn(_ body: @escaping @Sendable () -> Void) throws(BPFError) {
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var thread = pthread_t()
        let r = pthread_create(&thread, nil, { arg in
            guard let arg else { return nil }
            Unmanaged<Box>.fromOpaque(arg).takeRetainedValue().body()
            return nil
        }, box)
        guard r == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            throw .syscall(operation: "pthread_create", errno: BPFErrno(rawValue: r))
        }
        pthread_detach(thread)
    }
}
