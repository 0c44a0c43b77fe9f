/// One exec, as `execsnoop.bpf.c` reports it (`struct exec_event` in `bpf/execsnoop.h`).
public struct ExecEvent: Sendable, Equatable {
    public var pid: UInt32
    public var ppid: UInt32
    public var uid: UInt32
    /// The return value of execve(2): 0, or a negative errno.
    public var ret: Int32
    /// The command name after the exec (the task's comm).
    public var comm: String
    /// The full argv, as the process passed it.
    public var args: [String]
    /// True when argv was longer than the program captures (64 arguments, 8 KiB, 1 KiB each).
    public var truncated: Bool

    /// The byte offset of `args` in `struct exec_event`.
    static let headerSize = 44

    /// Decodes a ring-buffer record. Returns nil for a record too short to be an event.
    public init?(record: UnsafeRawBufferPointer) {
        guard record.count >= Self.headerSize else { return nil }
        func u32(_ o: Int) -> UInt32 { record.loadUnaligned(fromByteOffset: o, as: UInt32.self) }
        pid = u32(0)
        ppid = u32(4)
        uid = u32(8)
        ret = Int32(bitPattern: u32(12))
        let count = Int(u32(16))
        let size = min(Int(u32(20)), record.count - Self.headerSize)
        truncated = u32(24) != 0
        comm = Self.cString(UnsafeRawBufferPointer(rebasing: record[28..<44]))
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

    public init(pid: UInt32, ppid: UInt32, uid: UInt32, ret: Int32, comm: String, args: [String], truncated: Bool = false) {
        self.pid = pid
        self.ppid = ppid
        self.uid = uid
        self.ret = ret
        self.comm = comm
        self.args = args
        self.truncated = truncated
    }

    static func cString(_ bytes: UnsafeRawBufferPointer) -> String {
        let n = bytes.firstIndex(of: 0) ?? bytes.count
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<n]), as: UTF8.self)
    }
}
