import Glibc

/// Thin wrappers of the socket system calls the library makes: socket(2), bind(2), send(2),
/// recv(2), setsockopt(2) and getsockopt(2). Used by the netlink client (`NetlinkSocket`) and by
/// socket-filter attachment (`SO_ATTACH_BPF`).
extension Syscalls {
    /// socket(2), close-on-exec.
    package static func socket(domain: Int32, type: Int32, protocol: Int32) throws(BPFError) -> FileDescriptor {
        let fd = Glibc.socket(domain, type | Int32(SOCK_CLOEXEC.rawValue), `protocol`)
        guard fd >= 0 else { throw .syscall(operation: "socket(\(domain), \(type), \(`protocol`))", errno: .current) }
        return try FileDescriptor(taking: fd)
    }

    /// bind(2) to the raw socket address `address` (a `sockaddr_*` laid out in bytes).
    package static func bind(_ fd: Int32, address: [UInt8], _ name: String) throws(BPFError) {
        let r = address.withUnsafeBytes { p in
            Glibc.bind(fd, p.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(p.count))
        }
        guard r == 0 else { throw .syscall(operation: "bind(\(name))", errno: .current) }
    }

    /// send(2) of a whole datagram. Retries EINTR. A short send of a datagram is an error.
    package static func send(_ fd: Int32, _ bytes: [UInt8], _ name: String) throws(BPFError) {
        while true {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
            if n == bytes.count { return }
            if n < 0, BPFErrno.current == .EINTR { continue }
            if n < 0 { throw .syscall(operation: "send(\(name))", errno: .current) }
            throw .invalidArgument("send(\(name)): only \(n) of \(bytes.count) bytes were sent")
        }
    }

    /// recv(2) of one datagram into a buffer of `capacity` bytes. With `MSG_TRUNC` in `flags`
    /// the result's count is the datagram's real length, which may exceed `capacity`; the
    /// returned bytes are never more than `capacity`. Retries EINTR.
    package static func receive(_ fd: Int32, capacity: Int, flags: Int32 = 0, _ name: String) throws(BPFError) -> (bytes: [UInt8], length: Int) {
        var buffer = [UInt8](repeating: 0, count: capacity)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, flags) }
            if n >= 0 { return (Array(buffer.prefix(min(n, capacity))), n) }
            if BPFErrno.current == .EINTR { continue }
            throw .syscall(operation: "recv(\(name))", errno: .current)
        }
    }

    /// setsockopt(2) with a plain value (an `Int32`, a `UInt32`...).
    package static func setSocketOption<T: BitwiseCopyable>(_ fd: Int32, level: Int32, option: Int32, value: T, _ name: String) throws(BPFError) {
        var v = value
        let r = withUnsafeBytes(of: &v) { Glibc.setsockopt(fd, level, option, $0.baseAddress, socklen_t($0.count)) }
        guard r == 0 else { throw .syscall(operation: "setsockopt(\(name))", errno: .current) }
    }

    /// getsockopt(2) of a 32-bit value.
    package static func socketOption(_ fd: Int32, level: Int32, option: Int32, _ name: String) throws(BPFError) -> Int32 {
        var v: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard Glibc.getsockopt(fd, level, option, &v, &length) == 0 else {
            throw .syscall(operation: "getsockopt(\(name))", errno: .current)
        }
        return v
    }
}
