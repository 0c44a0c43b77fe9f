/// The members of `struct tool_task` as every BPFGen-generated event record exposes them. Each
/// generated file nests its own `ToolTaskRecord`; conforming them here lets one initializer turn
/// any of them into a `TaskInfo`.
protocol ToolTaskFields {
    var timestampNs: UInt64 { get }
    var cgroupId: UInt64 { get }
    var pid: UInt32 { get }
    var tgid: UInt32 { get }
    var ppid: UInt32 { get }
    var uid: UInt32 { get }
    var comm: String { get }
}

extension TaskInfo {
    /// The attribution of an event, read through its generated record.
    init(_ task: some ToolTaskFields) {
        self.init(timestampNanoseconds: task.timestampNs, cgroupID: task.cgroupId, pid: task.pid, tgid: task.tgid,
                  ppid: task.ppid, uid: task.uid, comm: task.comm)
    }
}

extension ExecEventRecord.ToolTaskRecord: ToolTaskFields {}
extension OpenEventRecord.ToolTaskRecord: ToolTaskFields {}
extension ExitEventRecord.ToolTaskRecord: ToolTaskFields {}
extension KillEventRecord.ToolTaskRecord: ToolTaskFields {}
extension TcpEventRecord.ToolTaskRecord: ToolTaskFields {}
