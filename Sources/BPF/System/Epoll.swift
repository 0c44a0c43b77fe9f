import CBPF
import Glibc

/// An epoll instance (epoll(7)) that owns its descriptor. Used by readers to wait for a ring
/// buffer's or perf buffer's descriptor to become readable, together with an `EventFD` to wake
/// the wait for cancellation.
package struct Epoll: ~Copyable, Sendable {
    package let fd: FileDescriptor

    package init() throws(BPFError) {
        let r = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard r >= 0 else { throw .syscall(operation: "epoll_create1", errno: .current) }
        fd = try FileDescriptor(taking: r)
    }

    /// Watches `descriptor` for input (`EPOLLIN`); `token` comes back from `wait`.
    package func add(_ descriptor: Int32, token: UInt64) throws(BPFError) {
        var ev = epoll_event()
        ev.events = EPOLLIN.rawValue
        ev.data.u64 = token
        guard epoll_ctl(fd.rawValue, EPOLL_CTL_ADD, descriptor, &ev) == 0 else {
            throw .syscall(operation: "epoll_ctl(EPOLL_CTL_ADD)", errno: .current)
        }
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever) and returns the tokens of the ready
    /// descriptors (empty on timeout). EINTR returns an empty list.
    package func wait(timeoutMilliseconds: Int32, maxEvents: Int = 8) throws(BPFError) -> [UInt64] {
        var events = [epoll_event](repeating: epoll_event(), count: maxEvents)
        let n = events.withUnsafeMutableBufferPointer { epoll_wait(fd.rawValue, $0.baseAddress, Int32($0.count), timeoutMilliseconds) }
        if n < 0 {
            if BPFErrno.current == .EINTR { return [] }
            throw .syscall(operation: "epoll_wait", errno: .current)
        }
        return events.prefix(Int(n)).map { $0.data.u64 }
    }
}

/// A non-blocking pipe(2) used to wake an `Epoll.wait` from another thread: `signal()` makes the
/// read end readable. (eventfd(2) is not visible through the Glibc module; a pipe does the same.)
package struct WakeupPipe: ~Copyable, Sendable {
    /// The read end, to add to an `Epoll`.
    package let readEnd: FileDescriptor
    let writeEnd: FileDescriptor

    package init() throws(BPFError) {
        var fds: [Int32] = [-1, -1]
        let r = fds.withUnsafeMutableBufferPointer { pipe($0.baseAddress) }
        guard r == 0 else { throw .syscall(operation: "pipe", errno: .current) }
        for fd in fds {
            _ = Syscalls.fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = Syscalls.fcntl(fd, F_SETFL, O_NONBLOCK)
        }
        let reader: FileDescriptor
        do {
            reader = try FileDescriptor(taking: fds[0])
        } catch {
            Syscalls.close(fds[1])
            throw error
        }
        let writer = try FileDescriptor(taking: fds[1])
        readEnd = reader
        writeEnd = writer
    }

    /// Makes the read end readable. A full pipe is already readable, so errors are ignored.
    package func signal() {
        var one: UInt8 = 1
        _ = Glibc.write(writeEnd.rawValue, &one, 1)
    }

    /// Empties the pipe.
    package func drain() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while buffer.withUnsafeMutableBytes({ Glibc.read(readEnd.rawValue, $0.baseAddress, $0.count) }) > 0 {}
    }
}
