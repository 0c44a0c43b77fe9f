import ToolText
/// Who caused an event: `struct tool_task` of `BPFInclude/swiftbpf_tool.h`, at the start of
/// every tool's event (48 bytes).
public struct TaskInfo: Sendable, Equatable {
    /// `bpf_ktime_get_ns()` when the event happened (CLOCK_MONOTONIC).
    public var timestampNanoseconds: UInt64
    /// The task's cgroup v2 id (`bpf_get_current_cgroup_id()`): the inode of its cgroup directory.
    public var cgroupID: UInt64
    /// Thread id.
    public var pid: UInt32
    /// Process id.
    public var tgid: UInt32
    /// The parent's process id.
    public var ppid: UInt32
    public var uid: UInt32
    public var comm: String

    public init(timestampNanoseconds: UInt64 = 0, cgroupID: UInt64 = 0, pid: UInt32, tgid: UInt32, ppid: UInt32, uid: UInt32, comm: String) {
        self.timestampNanoseconds = timestampNanoseconds
        self.cgroupID = cgroupID
        self.pid = pid
        self.tgid = tgid
        self.ppid = ppid
        self.uid = uid
        self.comm = comm
    }

    /// The attribution fields as JSON members (`pid`, `tgid`, `ppid`, `uid`, `comm`, `cgroup_id`).
    public var jsonFields: [(String, String)] {
        [("pid", "\(pid)"), ("tgid", "\(tgid)"), ("ppid", "\(ppid)"), ("uid", "\(uid)"),
         ("comm", JSON.string(comm)), ("cgroup_id", "\(cgroupID)")]
    }
}

/// Text fields of event records.
public enum RecordText {
    /// A NUL-terminated string of at most `length` bytes at `offset` (clamped to the record).
    public static func cString(_ record: UnsafeRawBufferPointer, _ offset: Int, _ length: Int) -> String {
        guard offset < record.count else { return "" }
        let end = min(record.count, offset + length)
        var stop = offset
        while stop < end, record[stop] != 0 { stop += 1 }
        return String(decoding: UnsafeRawBufferPointer(rebasing: record[offset..<stop]), as: UTF8.self)
    }
}
