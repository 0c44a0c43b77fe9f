/// One exec, as `execsnoop.bpf.c` reports it (`struct exec_event` in `bpf/execsnoop.h`).
public struct ExecEvent: Sendable, Equatable {
    /// Who exec'ed, after the exec: `comm` is the new program's name.
    public var task: TaskInfo
    /// The return value of execve(2): 0, or a negative errno.
    public var ret: Int32
    /// The full argv, as the process passed it.
    public var args: [String]
    /// True when argv was longer than the program captures (64 arguments, 8 KiB, 1 KiB each).
    public var truncated: Bool

    public var pid: UInt32 { task.tgid }
    public var ppid: UInt32 { task.ppid }
    public var uid: UInt32 { task.uid }
    public var comm: String { task.comm }

    /// The byte offset of `args` in `struct exec_event` (from its BTF).
    static let headerSize = ExecEventRecord.fixedSize

    /// Decodes a ring-buffer record through `ExecEventRecord`, which BPFGen generates from the
    /// BTF of `execsnoop.bpf.c`. Returns nil for a record too short to be an event.
    public init?(record: UnsafeRawBufferPointer) {
        guard let event = ExecEventRecord(record) else { return nil }
        task = TaskInfo(event.task)
        ret = event.retval
        let count = Int(event.argsCount)
        let data = event.args
        let end = min(Int(event.argsSize), data.count)
        truncated = event.truncated != 0
        var args: [String] = []
        var start = 0
        var i = 0
        while i < end, args.count < count {
            if data[i] == 0 {
                args.append(String(decoding: UnsafeRawBufferPointer(rebasing: data[start..<i]), as: UTF8.self))
                start = i + 1
            }
            i += 1
        }
        if start < end, args.count < count {
            args.append(String(decoding: UnsafeRawBufferPointer(rebasing: data[start..<end]), as: UTF8.self))
        }
        self.args = args
    }

    public init(task: TaskInfo, ret: Int32, args: [String], truncated: Bool = false) {
        self.task = task
        self.ret = ret
        self.args = args
        self.truncated = truncated
    }
}
