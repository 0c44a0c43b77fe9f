/// `enum bpf_attach_type` of the UAPI: a program's expected attach type and a link's attach type.
public struct AttachType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// No expected attach type (0 is also BPF_CGROUP_INET_INGRESS; the kernel reads it by program type).
    public static let none = AttachType(rawValue: 0)
    /// `BPF_CGROUP_INET_INGRESS` (0), `cgroup_inet_ingress` as bpftool prints it.
    public static let cgroupInetIngress = AttachType(rawValue: 0)
    /// `BPF_CGROUP_INET_EGRESS` (1), `cgroup_inet_egress` as bpftool prints it.
    public static let cgroupInetEgress = AttachType(rawValue: 1)
    /// `BPF_CGROUP_INET_SOCK_CREATE` (2), `cgroup_inet_sock_create` as bpftool prints it.
    public static let cgroupInetSockCreate = AttachType(rawValue: 2)
    /// `BPF_CGROUP_SOCK_OPS` (3), `cgroup_sock_ops` as bpftool prints it.
    public static let cgroupSockOps = AttachType(rawValue: 3)
    /// `BPF_SK_SKB_STREAM_PARSER` (4), `sk_skb_stream_parser` as bpftool prints it.
    public static let skSKBStreamParser = AttachType(rawValue: 4)
    /// `BPF_SK_SKB_STREAM_VERDICT` (5), `sk_skb_stream_verdict` as bpftool prints it.
    public static let skSKBStreamVerdict = AttachType(rawValue: 5)
    /// `BPF_CGROUP_DEVICE` (6), `cgroup_device` as bpftool prints it.
    public static let cgroupDevice = AttachType(rawValue: 6)
    /// `BPF_SK_MSG_VERDICT` (7), `sk_msg_verdict` as bpftool prints it.
    public static let skMsgVerdict = AttachType(rawValue: 7)
    /// `BPF_CGROUP_INET4_BIND` (8), `cgroup_inet4_bind` as bpftool prints it.
    public static let cgroupInet4Bind = AttachType(rawValue: 8)
    /// `BPF_CGROUP_INET6_BIND` (9), `cgroup_inet6_bind` as bpftool prints it.
    public static let cgroupInet6Bind = AttachType(rawValue: 9)
    /// `BPF_CGROUP_INET4_CONNECT` (10), `cgroup_inet4_connect` as bpftool prints it.
    public static let cgroupInet4Connect = AttachType(rawValue: 10)
    /// `BPF_CGROUP_INET6_CONNECT` (11), `cgroup_inet6_connect` as bpftool prints it.
    public static let cgroupInet6Connect = AttachType(rawValue: 11)
    /// `BPF_CGROUP_INET4_POST_BIND` (12), `cgroup_inet4_post_bind` as bpftool prints it.
    public static let cgroupInet4PostBind = AttachType(rawValue: 12)
    /// `BPF_CGROUP_INET6_POST_BIND` (13), `cgroup_inet6_post_bind` as bpftool prints it.
    public static let cgroupInet6PostBind = AttachType(rawValue: 13)
    /// `BPF_CGROUP_UDP4_SENDMSG` (14), `cgroup_udp4_sendmsg` as bpftool prints it.
    public static let cgroupUDP4Sendmsg = AttachType(rawValue: 14)
    /// `BPF_CGROUP_UDP6_SENDMSG` (15), `cgroup_udp6_sendmsg` as bpftool prints it.
    public static let cgroupUDP6Sendmsg = AttachType(rawValue: 15)
    /// `BPF_LIRC_MODE2` (16), `lirc_mode2` as bpftool prints it.
    public static let lircMode2 = AttachType(rawValue: 16)
    /// `BPF_FLOW_DISSECTOR` (17), `flow_dissector` as bpftool prints it.
    public static let flowDissector = AttachType(rawValue: 17)
    /// `BPF_CGROUP_SYSCTL` (18), `cgroup_sysctl` as bpftool prints it.
    public static let cgroupSysctl = AttachType(rawValue: 18)
    /// `BPF_CGROUP_UDP4_RECVMSG` (19), `cgroup_udp4_recvmsg` as bpftool prints it.
    public static let cgroupUDP4Recvmsg = AttachType(rawValue: 19)
    /// `BPF_CGROUP_UDP6_RECVMSG` (20), `cgroup_udp6_recvmsg` as bpftool prints it.
    public static let cgroupUDP6Recvmsg = AttachType(rawValue: 20)
    /// `BPF_CGROUP_GETSOCKOPT` (21), `cgroup_getsockopt` as bpftool prints it.
    public static let cgroupGetsockopt = AttachType(rawValue: 21)
    /// `BPF_CGROUP_SETSOCKOPT` (22), `cgroup_setsockopt` as bpftool prints it.
    public static let cgroupSetsockopt = AttachType(rawValue: 22)
    /// `BPF_TRACE_RAW_TP` (23), `trace_raw_tp` as bpftool prints it.
    public static let traceRawTP = AttachType(rawValue: 23)
    /// `BPF_TRACE_FENTRY` (24), `trace_fentry` as bpftool prints it.
    public static let traceFentry = AttachType(rawValue: 24)
    /// `BPF_TRACE_FEXIT` (25), `trace_fexit` as bpftool prints it.
    public static let traceFexit = AttachType(rawValue: 25)
    /// `BPF_MODIFY_RETURN` (26), `modify_return` as bpftool prints it.
    public static let modifyReturn = AttachType(rawValue: 26)
    /// `BPF_LSM_MAC` (27), `lsm_mac` as bpftool prints it.
    public static let lsmMAC = AttachType(rawValue: 27)
    /// `BPF_TRACE_ITER` (28), `trace_iter` as bpftool prints it.
    public static let traceIter = AttachType(rawValue: 28)
    /// `BPF_CGROUP_INET4_GETPEERNAME` (29), `cgroup_inet4_getpeername` as bpftool prints it.
    public static let cgroupInet4Getpeername = AttachType(rawValue: 29)
    /// `BPF_CGROUP_INET6_GETPEERNAME` (30), `cgroup_inet6_getpeername` as bpftool prints it.
    public static let cgroupInet6Getpeername = AttachType(rawValue: 30)
    /// `BPF_CGROUP_INET4_GETSOCKNAME` (31), `cgroup_inet4_getsockname` as bpftool prints it.
    public static let cgroupInet4Getsockname = AttachType(rawValue: 31)
    /// `BPF_CGROUP_INET6_GETSOCKNAME` (32), `cgroup_inet6_getsockname` as bpftool prints it.
    public static let cgroupInet6Getsockname = AttachType(rawValue: 32)
    /// `BPF_XDP_DEVMAP` (33), `xdp_devmap` as bpftool prints it.
    public static let xdpDevMap = AttachType(rawValue: 33)
    /// `BPF_CGROUP_INET_SOCK_RELEASE` (34), `cgroup_inet_sock_release` as bpftool prints it.
    public static let cgroupInetSockRelease = AttachType(rawValue: 34)
    /// `BPF_XDP_CPUMAP` (35), `xdp_cpumap` as bpftool prints it.
    public static let xdpCPUMap = AttachType(rawValue: 35)
    /// `BPF_SK_LOOKUP` (36), `sk_lookup` as bpftool prints it.
    public static let skLookup = AttachType(rawValue: 36)
    /// `BPF_XDP` (37), `xdp` as bpftool prints it.
    public static let xdp = AttachType(rawValue: 37)
    /// `BPF_SK_SKB_VERDICT` (38), `sk_skb_verdict` as bpftool prints it.
    public static let skSKBVerdict = AttachType(rawValue: 38)
    /// `BPF_SK_REUSEPORT_SELECT` (39), `sk_reuseport_select` as bpftool prints it.
    public static let skReuseportSelect = AttachType(rawValue: 39)
    /// `BPF_SK_REUSEPORT_SELECT_OR_MIGRATE` (40), `sk_reuseport_select_or_migrate` as bpftool prints it.
    public static let skReuseportSelectOrMigrate = AttachType(rawValue: 40)
    /// `BPF_PERF_EVENT` (41), `perf_event` as bpftool prints it.
    public static let perfEvent = AttachType(rawValue: 41)
    /// `BPF_TRACE_KPROBE_MULTI` (42), `trace_kprobe_multi` as bpftool prints it.
    public static let traceKprobeMulti = AttachType(rawValue: 42)
    /// `BPF_LSM_CGROUP` (43), `lsm_cgroup` as bpftool prints it.
    public static let lsmCgroup = AttachType(rawValue: 43)
    /// `BPF_STRUCT_OPS` (44), `struct_ops` as bpftool prints it.
    public static let structOps = AttachType(rawValue: 44)  // BPF_STRUCT_OPS, 6.4
    /// `BPF_NETFILTER` (45), `netfilter` as bpftool prints it.
    public static let netfilter = AttachType(rawValue: 45)  // BPF_NETFILTER, 6.4
    /// `BPF_TCX_INGRESS` (46), `tcx_ingress` as bpftool prints it.
    public static let tcxIngress = AttachType(rawValue: 46)  // BPF_TCX_INGRESS, 6.6
    /// `BPF_TCX_EGRESS` (47), `tcx_egress` as bpftool prints it.
    public static let tcxEgress = AttachType(rawValue: 47)  // BPF_TCX_EGRESS, 6.6
    /// `BPF_TRACE_UPROBE_MULTI` (48), `trace_uprobe_multi` as bpftool prints it.
    public static let traceUprobeMulti = AttachType(rawValue: 48)  // BPF_TRACE_UPROBE_MULTI, 6.6
    /// `BPF_CGROUP_UNIX_CONNECT` (49), `cgroup_unix_connect` as bpftool prints it.
    public static let cgroupUnixConnect = AttachType(rawValue: 49)  // BPF_CGROUP_UNIX_CONNECT, 6.7
    /// `BPF_CGROUP_UNIX_SENDMSG` (50), `cgroup_unix_sendmsg` as bpftool prints it.
    public static let cgroupUnixSendmsg = AttachType(rawValue: 50)
    /// `BPF_CGROUP_UNIX_RECVMSG` (51), `cgroup_unix_recvmsg` as bpftool prints it.
    public static let cgroupUnixRecvmsg = AttachType(rawValue: 51)
    /// `BPF_CGROUP_UNIX_GETPEERNAME` (52), `cgroup_unix_getpeername` as bpftool prints it.
    public static let cgroupUnixGetpeername = AttachType(rawValue: 52)
    /// `BPF_CGROUP_UNIX_GETSOCKNAME` (53), `cgroup_unix_getsockname` as bpftool prints it.
    public static let cgroupUnixGetsockname = AttachType(rawValue: 53)
    /// `BPF_NETKIT_PRIMARY` (54), `netkit_primary` as bpftool prints it.
    public static let netkitPrimary = AttachType(rawValue: 54)  // BPF_NETKIT_PRIMARY, 6.7
    /// `BPF_NETKIT_PEER` (55), `netkit_peer` as bpftool prints it.
    public static let netkitPeer = AttachType(rawValue: 55)
    /// `BPF_TRACE_KPROBE_SESSION` (56), `trace_kprobe_session` as bpftool prints it.
    public static let traceKprobeSession = AttachType(rawValue: 56)  // 6.10
    /// `BPF_TRACE_UPROBE_SESSION` (57), `trace_uprobe_session` as bpftool prints it.
    public static let traceUprobeSession = AttachType(rawValue: 57)  // 6.13

    static let names: [String] = [
        "cgroup_inet_ingress", "cgroup_inet_egress", "cgroup_inet_sock_create", "cgroup_sock_ops",
        "sk_skb_stream_parser", "sk_skb_stream_verdict", "cgroup_device", "sk_msg_verdict",
        "cgroup_inet4_bind", "cgroup_inet6_bind", "cgroup_inet4_connect", "cgroup_inet6_connect",
        "cgroup_inet4_post_bind", "cgroup_inet6_post_bind", "cgroup_udp4_sendmsg", "cgroup_udp6_sendmsg",
        "lirc_mode2", "flow_dissector", "cgroup_sysctl", "cgroup_udp4_recvmsg",
        "cgroup_udp6_recvmsg", "cgroup_getsockopt", "cgroup_setsockopt", "trace_raw_tp",
        "trace_fentry", "trace_fexit", "modify_return", "lsm_mac",
        "trace_iter", "cgroup_inet4_getpeername", "cgroup_inet6_getpeername", "cgroup_inet4_getsockname",
        "cgroup_inet6_getsockname", "xdp_devmap", "cgroup_inet_sock_release", "xdp_cpumap",
        "sk_lookup", "xdp", "sk_skb_verdict", "sk_reuseport_select",
        "sk_reuseport_select_or_migrate", "perf_event", "trace_kprobe_multi", "lsm_cgroup",
        "struct_ops", "netfilter", "tcx_ingress", "tcx_egress",
        "trace_uprobe_multi", "cgroup_unix_connect", "cgroup_unix_sendmsg", "cgroup_unix_recvmsg",
        "cgroup_unix_getpeername", "cgroup_unix_getsockname", "netkit_primary", "netkit_peer",
        "trace_kprobe_session", "trace_uprobe_session",
    ]

    /// bpftool's name for the attach type, e.g. `cgroup_inet4_connect`.
    public var description: String { Int(rawValue) < Self.names.count ? Self.names[Int(rawValue)] : "attach_type_\(rawValue)" }
}
