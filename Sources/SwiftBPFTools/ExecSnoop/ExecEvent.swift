import BPF

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

    /// The byte offset of `args` in `struct exec_event`: the part every record has.
    static let headerSize = MemoryLayout<ExecsnoopObject.ExecEvent>.offset(of: \.args)!

    /// Decodes a ring-buffer record through `ExecsnoopObject.ExecEvent`, the type generated from
    /// the BTF of `execsnoop.bpf.c`. The BPF side sends only the argument bytes it captured, so
    /// the record is zero-extended to the struct and `args` is read up to what arrived. Returns
    /// nil for a record too short to be an event.
    public init?(record: UnsafeRawBufferPointer) {
        guard record.count >= Self.headerSize else { return nil }
        let event = RingBufferReader<ExecsnoopObject.ExecEvent>.decode(record)
        self.init(event, argumentBytes: record.count - Self.headerSize)
    }

    /// An event from its generated binding, with `argumentBytes` of `args` present.
    init(_ event: ExecsnoopObject.ExecEvent, argumentBytes: Int) {
        task = TaskInfo(event.task)
        ret = event.retval
        truncated = event.truncated != 0
        let count = Int(event.argsCount)
        args = withUnsafeBytes(of: event.args) { data in
            let end = min(Int(event.argsSize), argumentBytes, data.count)
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
            return args
        }
    }

    public init(task: TaskInfo, ret: Int32, args: [String], truncated: Bool = false) {
        self.task = task
        self.ret = ret
        self.args = args
        self.truncated = truncated
    }
}
