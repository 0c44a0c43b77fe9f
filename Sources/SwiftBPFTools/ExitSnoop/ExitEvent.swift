import BPF

/// One exit, as `exitsnoop.bpf.c` reports it (`struct exit_event`, 64 bytes).
public struct ExitEvent: Sendable, Equatable {
    /// The exiting task (pid is its thread id, tgid its process id).
    public var task: TaskInfo
    /// How long the task lived, in nanoseconds.
    public var ageNanoseconds: UInt64
    /// The wait(2) status: `code << 8`, or the signal number with 0x80 for a core dump.
    public var status: UInt32

    /// The exit code when the task exited normally (0 when a signal killed it).
    public var code: UInt32 { (status >> 8) & 0xff }
    /// The signal that killed the task, 0 if it exited normally.
    public var signal: UInt32 { status & 0x7f }
    /// True when the signal dumped core.
    public var coreDumped: Bool { status & 0x80 != 0 }

    /// The size of every record the BPF side sends.
    public static let maxRecordBytes = MemoryLayout<ExitsnoopObject.ExitEvent>.size

    /// Decodes a ring-buffer record through `ExitsnoopObject.ExitEvent`, which BPFGen generates from the
    /// BTF of `exitsnoop.bpf.c`; nil for a record too short to be an event.
    public init?(record: UnsafeRawBufferPointer) {
        guard record.count >= Self.maxRecordBytes else { return nil }
        let event = RingBufferReader<ExitsnoopObject.ExitEvent>.decode(record)
        task = TaskInfo(event.task)
        ageNanoseconds = event.ageNs
        status = event.exitCode
    }

    public init(task: TaskInfo, ageNanoseconds: UInt64, status: UInt32) {
        self.task = task
        self.ageNanoseconds = ageNanoseconds
        self.status = status
    }
}
