/// `enum bpf_attach_type` of the UAPI: a program's expected attach type and a link's attach type.
public struct AttachType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// No expected attach type (0 is also BPF_CGROUP_INET_INGRESS; the kernel reads it by program type).
    public static let none = AttachType(rawValue: 0)
    public static let cgroupInetIngress = AttachType(rawValue: 0)
    public static let cgroupInetEgress = AttachType(rawValue: 1)
    public static let cgroupInetSockCreate = AttachType(rawValue: 2)
    public static let cgroupSockOps = AttachType(rawValue: 3)
    public static let skSKBStreamParser = AttachType(rawValue: 4)
    public static let skSKBStreamVerdict = AttachType(rawValue: 5)
    public static let cgroupDevice = AttachType(rawValue: 6)
    public static let skMsgVerdict = AttachType(rawValue: 7)
    public static let cgroupInet4Bind = AttachType(rawValue: 8)
    public static let cgroupInet6Bind = AttachType(rawValue: 9)
    public static let cgroupInet4Connect = AttachType(rawValue: 10)
    public static let cgroupInet6Connect = AttachType(rawValue: 11)
    public static let cgroupInet4PostBind = AttachType(rawValue: 12)
    public static let cgroupInet6PostBind = AttachType(rawValue: 13)
    public static let cgroupUDP4Sendmsg = AttachType(rawValue: 14)
    public static let cgroupUDP6Sendmsg = AttachType(rawValue: 15)
    public static let lircMode2 = AttachType(rawValue: 16)
    public static let flowDissector = AttachType(rawValue: 17)
    public static let cgroupSysctl = AttachType(rawValue: 18)
    public static let cgroupUDP4Recvmsg = AttachType(rawValue: 19)
    public static let cgroupUDP6Recvmsg = AttachType(rawValue: 20)
    public static let cgroupGetsockopt = AttachType(rawValue: 21)
    public static let cgroupSetsockopt = AttachType(rawValue: 22)
    public static let traceRawTP = AttachType(rawValue: 23)
    public static let traceFentry = AttachType(rawValue: 24)
    public static let traceFexit = AttachType(rawValue: 25)
    public static let modifyReturn = AttachType(rawValue: 26)
    public static let lsmMAC = AttachType(rawValue: 27)
    public static let traceIter = AttachType(rawValue: 28)
    public static let cgroupInet4Getpeername = AttachType(rawValue: 29)
    public static let cgroupInet6Getpeername = AttachType(rawValue: 30)
    public static let cgroupInet4Getsockname = AttachType(rawValue: 31)
    public static let cgroupInet6Getsockname = AttachType(rawValue: 32)
    public static let xdpDevMap = AttachType(rawValue: 33)
    public static let cgroupInetSockRelease = AttachType(rawValue: 34)
    public static let xdpCPUMap = AttachType(rawValue: 35)
    public static let skLookup = AttachType(rawValue: 36)
    public static let xdp = AttachType(rawValue: 37)
    public static let skSKBVerdict = AttachType(rawValue: 38)
    public static let skReuseportSelect = AttachType(rawValue: 39)
    public static let skReuseportSelectOrMigrate = AttachType(rawValue: 40)
    public static let perfEvent = AttachType(rawValue: 41)
    public static let traceKprobeMulti = AttachType(rawValue: 42)
    public static let lsmCgroup = AttachType(rawValue: 43)
    public static let structOps = AttachType(rawValue: 44)  // BPF_STRUCT_OPS, 6.4
    public static let netfilter = AttachType(rawValue: 45)  // BPF_NETFILTER, 6.4
    public static let tcxIngress = AttachType(rawValue: 46)  // BPF_TCX_INGRESS, 6.6
    public static let tcxEgress = AttachType(rawValue: 47)  // BPF_TCX_EGRESS, 6.6
    public static let traceUprobeMulti = AttachType(rawValue: 48)  // BPF_TRACE_UPROBE_MULTI, 6.6
    public static let cgroupUnixConnect = AttachType(rawValue: 49)  // BPF_CGROUP_UNIX_CONNECT, 6.7
    public static let cgroupUnixSendmsg = AttachType(rawValue: 50)
    public static let cgroupUnixRecvmsg = AttachType(rawValue: 51)
    public static let cgroupUnixGetpeername = AttachType(rawValue: 52)
    public static let cgroupUnixGetsockname = AttachType(rawValue: 53)
    public static let netkitPrimary = AttachType(rawValue: 54)  // BPF_NETKIT_PRIMARY, 6.7
    public static let netkitPeer = AttachType(rawValue: 55)
    public static let traceKprobeSession = AttachType(rawValue: 56)  // 6.10
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
