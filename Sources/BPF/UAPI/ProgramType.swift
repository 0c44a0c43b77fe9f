/// `enum bpf_prog_type` of the UAPI.
public struct ProgramType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `BPF_PROG_TYPE_UNSPEC` (0), `unspec` as bpftool prints it.
    public static let unspec = ProgramType(rawValue: 0)
    /// `BPF_PROG_TYPE_SOCKET_FILTER` (1), `socket_filter` as bpftool prints it.
    public static let socketFilter = ProgramType(rawValue: 1)
    /// `BPF_PROG_TYPE_KPROBE` (2), `kprobe` as bpftool prints it.
    public static let kprobe = ProgramType(rawValue: 2)
    /// `BPF_PROG_TYPE_SCHED_CLS` (3), `sched_cls` as bpftool prints it.
    public static let schedCLS = ProgramType(rawValue: 3)
    /// `BPF_PROG_TYPE_SCHED_ACT` (4), `sched_act` as bpftool prints it.
    public static let schedACT = ProgramType(rawValue: 4)
    /// `BPF_PROG_TYPE_TRACEPOINT` (5), `tracepoint` as bpftool prints it.
    public static let tracepoint = ProgramType(rawValue: 5)
    /// `BPF_PROG_TYPE_XDP` (6), `xdp` as bpftool prints it.
    public static let xdp = ProgramType(rawValue: 6)
    /// `BPF_PROG_TYPE_PERF_EVENT` (7), `perf_event` as bpftool prints it.
    public static let perfEvent = ProgramType(rawValue: 7)
    /// `BPF_PROG_TYPE_CGROUP_SKB` (8), `cgroup_skb` as bpftool prints it.
    public static let cgroupSKB = ProgramType(rawValue: 8)
    /// `BPF_PROG_TYPE_CGROUP_SOCK` (9), `cgroup_sock` as bpftool prints it.
    public static let cgroupSock = ProgramType(rawValue: 9)
    /// `BPF_PROG_TYPE_LWT_IN` (10), `lwt_in` as bpftool prints it.
    public static let lwtIn = ProgramType(rawValue: 10)
    /// `BPF_PROG_TYPE_LWT_OUT` (11), `lwt_out` as bpftool prints it.
    public static let lwtOut = ProgramType(rawValue: 11)
    /// `BPF_PROG_TYPE_LWT_XMIT` (12), `lwt_xmit` as bpftool prints it.
    public static let lwtXmit = ProgramType(rawValue: 12)
    /// `BPF_PROG_TYPE_SOCK_OPS` (13), `sock_ops` as bpftool prints it.
    public static let sockOps = ProgramType(rawValue: 13)
    /// `BPF_PROG_TYPE_SK_SKB` (14), `sk_skb` as bpftool prints it.
    public static let skSKB = ProgramType(rawValue: 14)
    /// `BPF_PROG_TYPE_CGROUP_DEVICE` (15), `cgroup_device` as bpftool prints it.
    public static let cgroupDevice = ProgramType(rawValue: 15)
    /// `BPF_PROG_TYPE_SK_MSG` (16), `sk_msg` as bpftool prints it.
    public static let skMsg = ProgramType(rawValue: 16)
    /// `BPF_PROG_TYPE_RAW_TRACEPOINT` (17), `raw_tracepoint` as bpftool prints it.
    public static let rawTracepoint = ProgramType(rawValue: 17)
    /// `BPF_PROG_TYPE_CGROUP_SOCK_ADDR` (18), `cgroup_sock_addr` as bpftool prints it.
    public static let cgroupSockAddr = ProgramType(rawValue: 18)
    /// `BPF_PROG_TYPE_LWT_SEG6LOCAL` (19), `lwt_seg6local` as bpftool prints it.
    public static let lwtSeg6Local = ProgramType(rawValue: 19)
    /// `BPF_PROG_TYPE_LIRC_MODE2` (20), `lirc_mode2` as bpftool prints it.
    public static let lircMode2 = ProgramType(rawValue: 20)
    /// `BPF_PROG_TYPE_SK_REUSEPORT` (21), `sk_reuseport` as bpftool prints it.
    public static let skReuseport = ProgramType(rawValue: 21)
    /// `BPF_PROG_TYPE_FLOW_DISSECTOR` (22), `flow_dissector` as bpftool prints it.
    public static let flowDissector = ProgramType(rawValue: 22)
    /// `BPF_PROG_TYPE_CGROUP_SYSCTL` (23), `cgroup_sysctl` as bpftool prints it.
    public static let cgroupSysctl = ProgramType(rawValue: 23)
    /// `BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE` (24), `raw_tracepoint_writable` as bpftool prints it.
    public static let rawTracepointWritable = ProgramType(rawValue: 24)
    /// `BPF_PROG_TYPE_CGROUP_SOCKOPT` (25), `cgroup_sockopt` as bpftool prints it.
    public static let cgroupSockopt = ProgramType(rawValue: 25)
    /// `BPF_PROG_TYPE_TRACING` (26), `tracing` as bpftool prints it.
    public static let tracing = ProgramType(rawValue: 26)
    /// `BPF_PROG_TYPE_STRUCT_OPS` (27), `struct_ops` as bpftool prints it.
    public static let structOps = ProgramType(rawValue: 27)
    /// `BPF_PROG_TYPE_EXT` (28), `ext` as bpftool prints it.
    public static let ext = ProgramType(rawValue: 28)
    /// `BPF_PROG_TYPE_LSM` (29), `lsm` as bpftool prints it.
    public static let lsm = ProgramType(rawValue: 29)
    /// `BPF_PROG_TYPE_SK_LOOKUP` (30), `sk_lookup` as bpftool prints it.
    public static let skLookup = ProgramType(rawValue: 30)
    /// `BPF_PROG_TYPE_SYSCALL` (31), `syscall` as bpftool prints it.
    public static let syscall = ProgramType(rawValue: 31)
    /// `BPF_PROG_TYPE_NETFILTER` (32), `netfilter` as bpftool prints it.
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
