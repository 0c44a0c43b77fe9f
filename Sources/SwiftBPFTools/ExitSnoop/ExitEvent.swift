/// One exit, as `exitsnoop.bpf.c` reports it (`struct exit_event`, 64 bytes).
public struct ExitEvent: Sendable, Equatable {
    /// The exiting task (pid is its thread id, tgid its process id).
    public var task: TaskInfo
    /// How long the task lived, in nanoseconds.
    public var ageNanoseconds: UInt64
    /// The wait(2) status: `code << 8`, or the signal number with 0x80 for a core dump.
    public var status: UInt32

    static let size = 64

    /// The exit code when the task exited normally (0 when a signal killed it).
    public var code: UInt32 { (status >> 8) & 0xff }
    /// The signal that killed the task, 0 if it exited normally.
    public var signal: UInt32 { status & 0x7f }
    /// True when the signal dumped core.
    public var coreDumped: Bool { status & 0x80 != 0 }

    /// Decodes a ring-buffer record; nil for a record too short to be an event.
    public init?(record: UnsafeRawBufferPointer) {
        guard record.count >= Self.size, let task = TaskInfo(record) else { return nil }
        self.task = task
        ageNanoseconds = record.loadUnaligned(fromByteOffset: 48, as: UInt64.self)
        status = record.loadUnaligned(fromByteOffset: 56, as: UInt32.self)
    }

    public init(task: TaskInfo, ageNanoseconds: UInt64, status: UInt32) {
        self.task = task
        self.ageNanoseconds = ageNanoseconds
        self.status = status
    }
}
