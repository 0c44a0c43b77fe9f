import Glibc

/// A whole file mapped read-only (`PROT_READ`; `MAP_PRIVATE`, or `MAP_SHARED` when asked). The
/// mapping is removed when the value is destroyed. Used for kernel BTF
/// (`/sys/kernel/btf/vmlinux`), whose pages then stay in the page cache instead of the process
/// heap, and for executables.
///
/// The bytes never change after mapping, so sharing them across threads is safe.
package final class MappedFile: @unchecked Sendable {
    /// The mapped bytes; valid while this object lives.
    package let bytes: UnsafeRawBufferPointer
    private let address: UnsafeMutableRawPointer

    /// Maps `path`. Throws if it cannot be opened, is empty, or cannot be mapped (some
    /// files in /sys and /proc do not support mmap; callers fall back to `Syscalls.readFile`).
    ///
    /// `shared`: a private mapping of an executable file is one the kernel's uprobes write their
    /// breakpoints into (every private mapping that may execute gets them, whatever its
    /// protection), so the code read through it would show `int3` wherever any tracer has a
    /// probe. A shared mapping never gets them. Kernel BTF refuses shared mappings.
    package init(path: String, shared: Bool = false) throws(BPFError) {
        let fd = try Syscalls.open(path, O_RDONLY)
        var st = stat()
        guard fstat(fd.rawValue, &st) == 0 else { throw .syscall(operation: "fstat(\(path))", errno: .current) }
        let length = Int(st.st_size)
        guard length > 0 else { throw .invalidArgument("\(path) is empty or has no size; cannot map it") }
        guard let p = Glibc.mmap(nil, length, PROT_READ, shared ? MAP_SHARED : MAP_PRIVATE, fd.rawValue, 0), p != MAP_FAILED else {
            throw .syscall(operation: "mmap(\(path))", errno: .current)
        }
        address = p
        bytes = UnsafeRawBufferPointer(start: p, count: length)
    }

    deinit {
        Syscalls.munmap(address, length: bytes.count)
    }
}
