import Glibc

/// A POSIX error number returned by a system call.
public struct BPFErrno: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
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

    public static var current: BPFErrno { BPFErrno(rawValue: errno) }

    public static let EPERM = BPFErrno(rawValue: Glibc.EPERM)
    public static let ENOENT = BPFErrno(rawValue: Glibc.ENOENT)
    public static let EINTR = BPFErrno(rawValue: Glibc.EINTR)
    public static let EAGAIN = BPFErrno(rawValue: Glibc.EAGAIN)
    public static let E2BIG = BPFErrno(rawValue: Glibc.E2BIG)
    public static let EINVAL = BPFErrno(rawValue: Glibc.EINVAL)
    public static let ENOSPC = BPFErrno(rawValue: Glibc.ENOSPC)
    public static let EEXIST = BPFErrno(rawValue: Glibc.EEXIST)
    public static let EACCES = BPFErrno(rawValue: Glibc.EACCES)
    public static let ENOTSUPP = BPFErrno(rawValue: 524)
    public static let EOPNOTSUPP = BPFErrno(rawValue: Glibc.EOPNOTSUPP)
}
