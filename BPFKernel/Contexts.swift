import Swift

// The context a program receives, as the kernel lays it out in the UAPI (`struct xdp_md`,
// `struct __sk_buff`, tracepoint records). Context fields are read with aligned loads of their
// full width: the verifier rewrites those loads and refuses narrower or split ones for some fields.

/// `enum xdp_action`.
public enum XDPAction {
    public static let aborted: Int32 = 0
    public static let drop: Int32 = 1
    public static let pass: Int32 = 2
    public static let tx: Int32 = 3
    public static let redirect: Int32 = 4
}

/// `struct xdp_md`, the context of an XDP program.
public struct XDPContext {
    public let raw: UnsafeMutableRawPointer
    @_transparent public init(_ raw: UnsafeMutableRawPointer) { self.raw = raw }

    /// `data`: the packet's first byte (a packet pointer to the verifier).
    @_transparent public var data: UInt { UInt(raw.load(fromByteOffset: 0, as: UInt32.self)) }
    /// `data_end`: one past the packet's last byte.
    @_transparent public var dataEnd: UInt { UInt(raw.load(fromByteOffset: 4, as: UInt32.self)) }
    @_transparent public var ingressInterfaceIndex: UInt32 { raw.load(fromByteOffset: 12, as: UInt32.self) }
    @_transparent public var rxQueueIndex: UInt32 { raw.load(fromByteOffset: 16, as: UInt32.self) }
    /// A cursor over the packet, starting at `data`.
    @_transparent public var packet: PacketCursor { PacketCursor(start: data, end: dataEnd) }
}

/// `struct __sk_buff`, the context of socket filter, TC and cgroup skb programs.
public struct SocketBuffer {
    public let raw: UnsafeMutableRawPointer
    @_transparent public init(_ raw: UnsafeMutableRawPointer) { self.raw = raw }

    @_transparent public var length: UInt32 { raw.load(fromByteOffset: 0, as: UInt32.self) }
    @_transparent public var packetType: UInt32 { raw.load(fromByteOffset: 4, as: UInt32.self) }
    @_transparent public var mark: UInt32 { raw.load(fromByteOffset: 8, as: UInt32.self) }
    /// `protocol`: the EtherType in network byte order.
    @_transparent public var networkProtocol: UInt32 { raw.load(fromByteOffset: 16, as: UInt32.self) }
    @_transparent public var ifindex: UInt32 { raw.load(fromByteOffset: 40, as: UInt32.self) }
    /// `data` and `data_end` (TC and cgroup skb programs; socket filters use `loadBytes`).
    @_transparent public var data: UInt { UInt(raw.load(fromByteOffset: 76, as: UInt32.self)) }
    @_transparent public var dataEnd: UInt { UInt(raw.load(fromByteOffset: 80, as: UInt32.self)) }

    /// Copies bytes at `offset` of the packet into `value` (`bpf_skb_load_bytes`); false when the
    /// packet is shorter.
    @_transparent
    public func loadBytes<T: BitwiseCopyable>(at offset: UInt32, into value: inout T) -> Bool {
        bpf_skb_load_bytes(UnsafeRawPointer(raw), offset, &value, UInt32(MemoryLayout<T>.size)) == 0
    }
}

/// The record of a tracepoint (`/sys/kernel/tracing/events/CATEGORY/NAME/format`): the common
/// fields take the first 8 bytes, the event's own follow at the offsets the format lists.
public struct TracepointContext {
    public let raw: UnsafeMutableRawPointer
    @_transparent public init(_ raw: UnsafeMutableRawPointer) { self.raw = raw }

    /// The field of type `T` at byte `offset` of the record (as the format file gives it).
    @_transparent public func field<T>(at offset: Int, as type: T.Type) -> T { raw.load(fromByteOffset: offset, as: T.self) }

    /// `syscalls/sys_enter_*`: the system call's number (`__syscall_nr`, offset 8).
    @_transparent public var syscallNumber: Int32 { raw.load(fromByteOffset: 8, as: Int32.self) }
    /// `syscalls/sys_enter_*`: argument `n` (0 to 5), from offset 16.
    @_transparent public func syscallArgument(_ n: Int) -> UInt64 { raw.load(fromByteOffset: 16 + 8 * n, as: UInt64.self) }
    /// `syscalls/sys_exit_*`: the return value (offset 16).
    @_transparent public var syscallReturn: Int64 { raw.load(fromByteOffset: 16, as: Int64.self) }
}

/// The context of a raw tracepoint (`raw_tp/NAME`) or a BTF-typed one (`tp_btf/NAME`): the
/// tracepoint's arguments as an array of 64-bit values (`struct bpf_raw_tracepoint_args`), in
/// the order of the kernel's `TP_PROTO`; e.g. sched_switch is
/// `(bool preempt, struct task_struct *prev, struct task_struct *next, unsigned int prev_state)`.
/// Each argument is read with one aligned 8-byte load, the only access the verifier allows here.
public struct RawTracepointContext {
    public let raw: UnsafeMutableRawPointer
    @_transparent public init(_ raw: UnsafeMutableRawPointer) { self.raw = raw }

    /// Argument `n`, from 0.
    @_transparent public func argument(_ n: Int) -> UInt64 { raw.load(fromByteOffset: 8 * n, as: UInt64.self) }
    /// Argument `n` as the task it points to (a `struct task_struct *`).
    @_transparent public func task(_ n: Int) -> KernelTask { KernelTask(address: argument(n)) }
}

/// The current task, through helpers.
public enum CurrentTask {
    /// The thread group id (the process id user space sees).
    @_transparent public static var processID: UInt32 { UInt32(truncatingIfNeeded: bpf_get_current_pid_tgid() >> 32) }
    /// The thread id.
    @_transparent public static var threadID: UInt32 { UInt32(truncatingIfNeeded: bpf_get_current_pid_tgid()) }
    @_transparent public static var userID: UInt32 { UInt32(truncatingIfNeeded: bpf_get_current_uid_gid()) }
    /// Copies the task's command name (`comm`, 16 bytes with its NUL) into `buffer`.
    @_transparent public static func command(into buffer: inout InlineArray<16, UInt8>) {
        _ = bpf_get_current_comm(&buffer, 16)
    }
}
