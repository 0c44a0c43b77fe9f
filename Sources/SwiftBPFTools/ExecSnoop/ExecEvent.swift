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

    /// `struct exec_event` as generated from the BTF of `execsnoop.bpf.c`.
    typealias Record = ExecsnoopObject.ExecEvent

    /// The byte offset of `args` in `struct exec_event`: the part every record has.
    static let headerSize = MemoryLayout<Record>.offset(of: \.args)!

    /// The largest record the BPF side sends: the header and every argument byte it captures.
    public static let maxRecordBytes = MemoryLayout<Record>.size

    /// Decodes a ring-buffer record in place, through the layout of `ExecsnoopObject.ExecEvent`
    /// (generated from the BTF of `execsnoop.bpf.c`): the BPF side sends only the argument bytes
    /// it captured, and only those are read, without copying the 9 KiB struct. Returns nil for a
    /// record too short to be an event.
    public init?(record: UnsafeRawBufferPointer) {
        guard record.count >= Self.headerSize else { return nil }
        let event = BorrowedRecord<Record>(record)
        task = TaskInfo(event[\.task])
        ret = event[\.retval]
        truncated = event[\.truncated] != 0
        args = Self.arguments(event.bytes(of: \.args), count: Int(event[\.argsCount]), size: Int(event[\.argsSize]))
    }

    /// The first `count` NUL-separated arguments in the first `size` bytes of `data`.
    static func arguments(_ data: UnsafeRawBufferPointer, count: Int, size: Int) -> [String] {
        let end = min(size, data.count)
        var args: [String] = []
        args.reserveCapacity(min(count, 64))
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

    public init(task: TaskInfo, ret: Int32, args: [String], truncated: Bool = false) {
        self.task = task
        self.ret = ret
        self.args = args
        self.truncated = truncated
    }
}
