import BPF

/// The filters every tool takes (`-p/--pid`, `--comm`, `--uid`, `--cgroup`). They run in the
/// kernel: `tool_filter_pass()` of `BPFInclude/swiftbpf_tool.h` reads them from frozen
/// `.rodata`, so filters that are off cost nothing after verification.
public struct ToolFilter: Sendable {
    /// Only this process (tgid).
    public var pid: UInt32?
    /// Only tasks whose command name is exactly this (at most 15 bytes).
    public var comm: String?
    /// Only this user id.
    public var uid: UInt32?
    /// Only tasks in this cgroup v2 directory or below it (a container's cgroup), as a path.
    public var cgroupPath: String?

    public init(pid: UInt32? = nil, comm: String? = nil, uid: UInt32? = nil, cgroupPath: String? = nil) {
        self.pid = pid
        self.comm = comm
        self.uid = uid
        self.cgroupPath = cgroupPath
    }
}
