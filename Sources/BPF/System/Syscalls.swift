import CBPF
import Glibc

/// The one place where the library calls the kernel. Every system call the library makes goes
/// through a function of this type (bpf, perf_event_open, ioctl, mmap, epoll, file I/O), so that
/// errno handling, EINTR retries and fd ownership are decided here and nowhere else.
package enum Syscalls {
    /// bpf(2). Returns the result or throws with the command's name and errno.
    /// Retries EINTR; EAGAIN is retried by the callers that expect it (`BPF_PROG_LOAD`).
    @discardableResult
    package static func bpf<Attr>(_ cmd: bpf_cmd, _ attr: inout Attr, _ name: @autoclosure () -> String) throws(BPFError) -> Int32 {
        while true {
            let r = withUnsafeMutablePointer(to: &attr) { p in
                cbpf_sys_bpf(Int32(cmd.rawValue), p, UInt32(MemoryLayout<Attr>.size))
            }
            if r >= 0 { return Int32(r) }
            let e = BPFErrno.current
            if e == .EINTR { continue }
            throw .syscall(operation: name(), errno: e)
        }
    }

    /// bpf(2) for commands that return a new file descriptor, which the caller then owns.
    package static func bpfFD<Attr>(_ cmd: bpf_cmd, _ attr: inout Attr, _ name: @autoclosure () -> String) throws(BPFError) -> FileDescriptor {
        let raw = try bpf(cmd, &attr, name())
        return try FileDescriptor(taking: raw)
    }

    /// perf_event_open(2).
    package static func perfEventOpen(_ attr: inout perf_event_attr, pid: Int32, cpu: Int32, groupFD: Int32 = -1, flags: UInt = UInt(PERF_FLAG_FD_CLOEXEC)) throws(BPFError) -> FileDescriptor {
        let r = cbpf_sys_perf_event_open(&attr, pid, cpu, groupFD, flags)
        guard r >= 0 else { throw .syscall(operation: "perf_event_open", errno: .current) }
        return try FileDescriptor(taking: Int32(r))
    }

    /// ioctl(2) with an integer argument.
    package static func ioctl(_ fd: Int32, _ request: UInt, _ arg: UInt, _ name: String) throws(BPFError) {
        guard cbpf_ioctl_int(fd, request, arg) >= 0 else { throw .syscall(operation: name, errno: .current) }
    }

    static func fcntl(_ fd: Int32, _ cmd: Int32, _ arg: Int32) -> Int32 { cbpf_fcntl_int(fd, cmd, arg) }

    static func close(_ fd: Int32) { _ = Glibc.close(fd) }

    /// open(2), close-on-exec.
    package static func open(_ path: String, _ flags: Int32, mode: UInt32? = nil) throws(BPFError) -> FileDescriptor {
        let r: Int32
        if let mode { r = cbpf_open_mode(path, flags, mode) } else { r = cbpf_open(path, flags) }
        guard r >= 0 else { throw .syscall(operation: "open(\(path))", errno: .current) }
        return try FileDescriptor(taking: r)
    }

    /// Reads a whole file. Used for /sys, /proc and object files.
    package static func readFile(_ path: String) throws(BPFError) -> [UInt8] {
        let fd = try open(path, O_RDONLY)
        var out: [UInt8] = []
        var st = stat()
        if fstat(fd.rawValue, &st) == 0, st.st_size > 0 { out.reserveCapacity(Int(st.st_size)) }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd.rawValue, $0.baseAddress, $0.count) }
            if n < 0 {
                if BPFErrno.current == .EINTR { continue }
                throw .syscall(operation: "read(\(path))", errno: .current)
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    /// Writes a whole file, creating or truncating it.
    package static func writeFile(_ path: String, _ bytes: [UInt8]) throws(BPFError) {
        let fd = try open(path, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
        try writeAll(fd, bytes, path: path)
    }

    /// Writes all of `bytes` to `fd` (the file at `path`, named in errors), retrying short writes
    /// and EINTR.
    static func writeAll(_ fd: borrowing FileDescriptor, _ bytes: [UInt8], path: String) throws(BPFError) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd.rawValue, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if BPFErrno.current == .EINTR { continue }
                throw .syscall(operation: "write(\(path))", errno: .current)
            }
            done += n
        }
    }

    /// mmap(2) of a descriptor, shared.
    package static func mmap(_ fd: Int32, length: Int, protection: Int32, offset: Int) throws(BPFError) -> UnsafeMutableRawPointer {
        guard let p = Glibc.mmap(nil, length, protection, MAP_SHARED, fd, off_t(offset)), p != MAP_FAILED else {
            throw .syscall(operation: "mmap", errno: .current)
        }
        return p
    }

    /// munmap(2).
    package static func munmap(_ address: UnsafeMutableRawPointer, length: Int) {
        _ = Glibc.munmap(address, length)
    }

    /// The system page size.
    package static let pageSize: Int = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// uname(2) release, e.g. "6.18.44".
    package static func kernelRelease() -> String {
        var u = utsname()
        _ = uname(&u)
        return withUnsafeBytes(of: &u.release) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
    }
}
