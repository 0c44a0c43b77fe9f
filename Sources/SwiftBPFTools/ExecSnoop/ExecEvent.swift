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

    /// The byte offset of `args` in `struct exec_event`.
    static let headerSize = 64

    /// Decodes a ring-buffer record. Returns nil for a record too short to be an event.
    public init?(record: UnsafeRawBufferPointer) {
        guard record.count >= Self.headerSize, let task = TaskInfo(record) else { return nil }
        func u32(_ o: Int) -> UInt32 { record.loadUnaligned(fromByteOffset: o, as: UInt32.self) }
        self.task = task
        ret = Int32(bitPattern: u32(48))
        let count = Int(u32(52))
        let size = min(Int(u32(56)), record.count - Self.headerSize)
        truncated = u32(60) != 0
        var args: [String] = []
        var start = Self.headerSize
        let end = Self.headerSize + size
        var i = start
        while i < end, args.count < count {
            if record[i] == 0 {
                args.append(String(decoding: UnsafeRawBufferPointer(rebasing: record[start..<i]), as: UTF8.self))
                start = i + 1
            }
            i += 1
        }
        if start < end, args.count < count {
            args.append(String(decoding: UnsafeRawBufferPointer(rebasing: record[start..<end]), as: UTF8.self))
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
