import Glibc

/// A POSIX error number returned by a system call.
public struct BPFErrno: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The error number, as errno(3) holds it.
    public let rawValue: Int32
    /// The error with number `rawValue`.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// The symbolic name, e.g. `EPERM`, where known.
    public var name: String {
        switch rawValue {
        case Glibc.EPERM: return "EPERM"
        case Glibc.ENOENT: return "ENOENT"
        case Glibc.ESRCH: return "ESRCH"
        case Glibc.EINTR: return "EINTR"
        case Glibc.EIO: return "EIO"
        case Glibc.E2BIG: return "E2BIG"
        case Glibc.EBADF: return "EBADF"
        case Glibc.EAGAIN: return "EAGAIN"
        case Glibc.ENOMEM: return "ENOMEM"
        case Glibc.EACCES: return "EACCES"
        case Glibc.EFAULT: return "EFAULT"
        case Glibc.EBUSY: return "EBUSY"
        case Glibc.EEXIST: return "EEXIST"
        case Glibc.ENODEV: return "ENODEV"
        case Glibc.EINVAL: return "EINVAL"
        case Glibc.ENOSPC: return "ENOSPC"
        case Glibc.ERANGE: return "ERANGE"
        case Glibc.ENOSYS: return "ENOSYS"
        case Glibc.EOPNOTSUPP: return "EOPNOTSUPP"
        case 524: return "ENOTSUPP"  // kernel-internal, leaks out of bpf(2)
        default: return "errno \(rawValue)"
        }
    }

    public var description: String {
        if rawValue == 524 { return "ENOTSUPP (operation not supported by this kernel)" }
        return "\(name) (\(String(cString: strerror(rawValue))))"
    }

    package static var current: BPFErrno { BPFErrno(rawValue: errno) }

    /// Operation not permitted: not root, or without `CAP_BPF`/`CAP_PERFMON`, or refused by lockdown.
    public static let EPERM = BPFErrno(rawValue: Glibc.EPERM)
    /// No such file, map element or object.
    public static let ENOENT = BPFErrno(rawValue: Glibc.ENOENT)
    /// Interrupted by a signal.
    public static let EINTR = BPFErrno(rawValue: Glibc.EINTR)
    /// Try again; the verifier also returns it when its log buffer is too small.
    public static let EAGAIN = BPFErrno(rawValue: Glibc.EAGAIN)
    /// An argument is too large (a bpf(2) attribute the kernel does not know, a map full).
    public static let E2BIG = BPFErrno(rawValue: Glibc.E2BIG)
    /// Invalid argument.
    public static let EINVAL = BPFErrno(rawValue: Glibc.EINVAL)
    /// No space left: the verifier log did not fit, or a map is full.
    public static let ENOSPC = BPFErrno(rawValue: Glibc.ENOSPC)
    /// Already exists: a map element with `BPF_NOEXIST`, an attached program.
    public static let EEXIST = BPFErrno(rawValue: Glibc.EEXIST)
    /// Permission denied; the verifier returns it for an unsafe program.
    public static let EACCES = BPFErrno(rawValue: Glibc.EACCES)
    /// The kernel-internal 524, which bpf(2) returns for an operation this kernel does not support.
    public static let ENOTSUPP = BPFErrno(rawValue: 524)
    /// Operation not supported.
    public static let EOPNOTSUPP = BPFErrno(rawValue: Glibc.EOPNOTSUPP)
}
