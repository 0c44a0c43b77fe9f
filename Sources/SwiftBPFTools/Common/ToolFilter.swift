import BPF
import Glibc

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

    /// Writes the filters into the program's globals before load.
    public func apply(to options: inout LoadOptions) throws(BPFError) {
        if let pid { options.set("tool_targ_tgid", to: pid) }
        if let uid { options.set("tool_targ_uid", to: uid) }
        if let comm {
            guard !comm.isEmpty, comm.utf8.count < 16 else {
                throw .invalidArgument("--comm must be 1 to 15 bytes (a task's comm is at most 15), got \(comm.utf8.count)")
            }
            options.set("tool_targ_comm", string: comm, size: 16)
            options.set("tool_targ_comm_len", to: UInt32(comm.utf8.count))
        }
        if cgroupPath != nil { options.set("tool_targ_cgroup", to: UInt8(1)) }
    }

    /// After load: stores the cgroup directory's fd in `tool_cgroup[0]` (the kernel keeps its
    /// own reference, so the fd is closed again at once).
    public func bind(_ object: BPFObject) throws(BPFError) {
        guard let cgroupPath else { return }
        let dir = try Syscalls.open(CgroupPaths.absolute(cgroupPath), O_RDONLY | O_DIRECTORY)
        try object.map("tool_cgroup").update(key: UInt32(0), value: UInt32(bitPattern: dir.rawValue))
    }
}
