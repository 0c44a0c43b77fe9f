import CBPF
import Synchronization

extension Mutex where Value: ~Copyable {
    /// `withLock`, made visible to ThreadSanitizer. On Linux, `Mutex` hands a contended lock
    /// from one thread to the next through a priority-inheritance futex inside the
    /// uninstrumented Swift runtime, so ThreadSanitizer sees no synchronisation between the two
    /// critical sections and reports every value a `Mutex` guards as a data race. This wrapper
    /// tells it: an acquire on the mutex's address when the section starts, a release when it
    /// ends. The annotations are compiled only into a ThreadSanitizer build
    /// (`Scripts/sanitize.sh thread` defines `SWIFTBPF_THREAD_SANITIZER`); anywhere else this is
    /// `withLock` itself, so the tools' code and its layout stay as they were.
    /// Use it instead of `withLock` everywhere in the package (`Scripts/sanitize.sh` lists
    /// stray `withLock` calls).
    @inlinable @inline(__always)
    package borrowing func locked<Result: ~Copyable, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result {
        #if SWIFTBPF_THREAD_SANITIZER
        try withLock { (value: inout sending Value) throws(E) -> sending Result in
            let token = withUnsafePointer(to: self) { UnsafeRawPointer($0) }
            cbpf_tsan_acquire(token)
            defer { cbpf_tsan_release(token) }
            return try body(&value)
        }
        #else
        try withLock(body)
        #endif
    }
}
