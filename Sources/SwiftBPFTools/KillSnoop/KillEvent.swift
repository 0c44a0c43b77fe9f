import BPF

/// One kill(2), tkill(2) or tgkill(2), as `killsnoop.bpf.c` reports it (`struct kill_event`, 72 bytes).
public struct KillEvent: Sendable, Equatable {
    /// Which system call sent the signal.
    public enum Call: UInt32, Sendable {
        case kill = 0, tkill = 1, tgkill = 2

        public var name: String { switch self { case .kill: "kill"; case .tkill: "tkill"; case .tgkill: "tgkill" } }
    }

    /// The sender.
    public var task: TaskInfo
    /// kill: the pid argument (negative for a process group, -1 for all); tkill/tgkill: the thread id.
    public var target: Int32
    /// tgkill: the thread group; 0 otherwise.
    public var targetTgid: Int32
    public var signal: UInt32
    /// 0, or a negative errno.
    public var ret: Int32
    public var call: Call

    /// Decodes a ring-buffer record through `KillsnoopObject.KillEvent`, which BPFGen generates from the
    /// BTF of `killsnoop.bpf.c`; nil for a record too short or of an unknown call.
    public init?(record: UnsafeRawBufferPointer) {
        guard record.count >= MemoryLayout<KillsnoopObject.KillEvent>.size else { return nil }
        let event = RingBufferReader<KillsnoopObject.KillEvent>.decode(record)
        guard let call = Call(rawValue: event.syscall) else { return nil }
        task = TaskInfo(event.task)
        target = event.target
        targetTgid = event.targetTgid
        signal = event.sig
        ret = event.ret
        self.call = call
    }

    public init(task: TaskInfo, target: Int32, targetTgid: Int32 = 0, signal: UInt32, ret: Int32, call: Call = .kill) {
        self.task = task
        self.target = target
        self.targetTgid = targetTgid
        self.signal = signal
        self.ret = ret
        self.call = call
    }
}
