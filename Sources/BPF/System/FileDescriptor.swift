import CBPF
import Glibc

/// An owned file descriptor. It is closed exactly once: when the value is destroyed, or when
/// `close()` consumes it. It is never 0, 1 or 2: the BPF UAPI reads fd 0 as "no fd", so
/// descriptors below 3 are moved up with `F_DUPFD_CLOEXEC`, as libbpf does.
package struct FileDescriptor: ~Copyable, Sendable {
    /// The kernel's descriptor number. Valid while this value lives.
    package let rawValue: Int32

    /// Takes ownership of `raw`. Moves it above 2 if needed.
    package init(taking raw: Int32) throws(BPFError) {
        precondition(raw >= 0, "FileDescriptor of a negative number")
        if raw > 2 {
            rawValue = raw
            return
        }
        let moved = Syscalls.fcntl(raw, F_DUPFD_CLOEXEC, 3)
        let err = BPFErrno.current
        Syscalls.close(raw)
        guard moved >= 0 else { throw .syscall(operation: "fcntl(F_DUPFD_CLOEXEC)", errno: err) }
        rawValue = moved
    }

    /// Duplicates the descriptor (close-on-exec, above 2).
    package func duplicate() throws(BPFError) -> FileDescriptor {
        let fd = Syscalls.fcntl(rawValue, F_DUPFD_CLOEXEC, 3)
        guard fd >= 0 else { throw .syscall(operation: "fcntl(F_DUPFD_CLOEXEC)", errno: .current) }
        return try FileDescriptor(taking: fd)
    }

    /// Gives up ownership without closing; the caller now owns the number.
    package consuming func release() -> Int32 {
        let raw = rawValue
        discard self
        return raw
    }

    /// Closes now rather than at the end of the value's lifetime.
    package consuming func close() {
        Syscalls.close(rawValue)
        discard self
    }

    deinit { Syscalls.close(rawValue) }
}
