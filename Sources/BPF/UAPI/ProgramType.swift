/// `enum bpf_prog_type` of the UAPI.
public struct ProgramType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let unspec = ProgramType(rawValue: 0)
    public static let socketFilter = ProgramType(rawValue: 1)
    public static let kprobe = ProgramType(rawValue: 2)
    public static let schedCLS = ProgramType(rawValue: 3)
    public static let schedACT = ProgramType(rawValue: 4)
    public static let tracepoint = ProgramType(rawValue: 5)
    public static let xdp = ProgramType(rawValue: 6)
    public static let perfEvent = ProgramType(rawValue: 7)
    public static let cgroupSKB = ProgramType(rawValue: 8)
    public static let cgroupSock = ProgramType(rawValue: 9)
    public static let lwtIn = ProgramType(rawValue: 10)
    public static let lwtOut = ProgramType(rawValue: 11)
    public static let lwtXmit = ProgramType(rawValue: 12)
    public static let sockOps = ProgramType(rawValue: 13)
    public static let skSKB = ProgramType(rawValue: 14)
    public static let cgroupDevice = ProgramType(rawValue: 15)
    public static let skMsg = ProgramType(rawValue: 16)
    public static let rawTracepoint = ProgramType(rawValue: 17)
    public static let cgroupSockAddr = ProgramType(rawValue: 18)
    public static let lwtSeg6Local = ProgramType(rawValue: 19)
    public static let lircMode2 = ProgramType(rawValue: 20)
    public static let skReuseport = ProgramType(rawValue: 21)
    public static let flowDissector = ProgramType(rawValue: 22)
    public static let cgroupSysctl = ProgramType(rawValue: 23)
    public static let rawTracepointWritable = ProgramType(rawValue: 24)
    public static let cgroupSockopt = ProgramType(rawValue: 25)
    public static let tracing = ProgramType(rawValue: 26)
    public static let structOps = ProgramType(rawValue: 27)
    public static let ext = ProgramType(rawValue: 28)
    public static let lsm = ProgramType(rawValue: 29)
    public static let skLookup = ProgramType(rawValue: 30)
    public static let syscall = ProgramType(rawValue: 31)
    public static let netfilter = ProgramType(rawValue: 32)  // BPF_PROG_TYPE_NETFILTER, 6.4

    static let names: [UInt32: String] = [
        0: "unspec", 1: "socket_filter", 2: "kprobe", 3: "sched_cls", 4: "sched_act", 5: "tracepoint",
        6: "xdp", 7: "perf_event", 8: "cgroup_skb", 9: "cgroup_sock", 10: "lwt_in", 11: "lwt_out",
        12: "lwt_xmit", 13: "sock_ops", 14: "sk_skb", 15: "cgroup_device", 16: "sk_msg",
        17: "raw_tracepoint", 18: "cgroup_sock_addr", 19: "lwt_seg6local", 20: "lirc_mode2",
        21: "sk_reuseport", 22: "flow_dissector", 23: "cgroup_sysctl", 24: "raw_tracepoint_writable",
        25: "cgroup_sockopt", 26: "tracing", 27: "struct_ops", 28: "ext", 29: "lsm", 30: "sk_lookup",
        31: "syscall", 32: "netfilter",
    ]

    /// bpftool's name for the type, e.g. `raw_tracepoint`.
    public var description: String { Self.names[rawValue] ?? "type_\(rawValue)" }
}
