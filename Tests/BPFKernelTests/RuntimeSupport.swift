import BPF
import Glibc
import Testing

/// Shared conditions of the runtime tests.
enum RuntimeTestEnvironment {
    /// The runtime tests need root (CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN for pins).
    static let isRoot = geteuid() == 0
    static let skipReason: Comment = "needs root: runtime tests create maps, load programs and attach them to the running kernel"
    /// A unique bpffs folder name for this test process.
    static func uniquePinDirectory(_ tag: String) -> String {
        "/sys/fs/bpf/swiftbpf_rt_\(getpid())_\(tag)"
    }
}

func makeMap(_ name: String, _ type: MapType, key: UInt32, value: UInt32, max: UInt32, flags: MapFlags = [], inner: Int32? = nil, extra: UInt64 = 0) throws -> Map {
    try Map.create(MapCreateAttributes(name: name, type: type, keySize: key, valueSize: value, maxEntries: max, flags: flags, mapExtra: extra, innerMapFD: inner))
}

func bytes<T: BitwiseCopyable>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v) { Array($0) } }

/// Whether `error` is a failed system call with `errno`.
func isErrno(_ error: any Error, _ errno: Errno) -> Bool {
    if let e = error as? BPFError, case let .syscall(_, got) = e { return got == errno }
    return false
}
