import CBPF
import Glibc

/// setns(2) for network namespaces. A thread's network namespace decides which interfaces an
/// interface index or name refers to, where new sockets (netlink ones too) live, and which
/// namespace `/proc/thread-self/ns/net` is; entering one affects the calling thread only.
extension Syscalls {
    /// `CLONE_NEWNET`.
    static let cloneNewNetwork: Int32 = 0x4000_0000

    /// Moves the calling thread into the network namespace open at `fd` (`setns(fd, CLONE_NEWNET)`).
    package static func setNetworkNamespace(_ fd: Int32) throws(BPFError) {
        guard cbpf_setns(fd, cloneNewNetwork) == 0 else { throw .syscall(operation: "setns(\(fd), CLONE_NEWNET)", errno: .current) }
    }

    /// Opens the calling thread's current network namespace, to return to it later.
    package static func currentNetworkNamespace() throws(BPFError) -> FileDescriptor {
        try open("/proc/thread-self/ns/net", O_RDONLY)
    }
}
