/// `enum bpf_link_type` of the UAPI. Values past Linux 6.1 (netfilter 6.4, tcx 6.6,
/// uprobe_multi 6.6, netkit 6.7, sockmap 6.10) are defined here with their UAPI names.
public struct LinkType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `BPF_LINK_TYPE_UNSPEC` (0), `unspec` as bpftool prints it.
    public static let unspec = LinkType(rawValue: 0)
    /// `BPF_LINK_TYPE_RAW_TRACEPOINT` (1), `raw_tracepoint` as bpftool prints it.
    public static let rawTracepoint = LinkType(rawValue: 1)
    /// `BPF_LINK_TYPE_TRACING` (2), `tracing` as bpftool prints it.
    public static let tracing = LinkType(rawValue: 2)
    /// `BPF_LINK_TYPE_CGROUP` (3), `cgroup` as bpftool prints it.
    public static let cgroup = LinkType(rawValue: 3)
    /// `BPF_LINK_TYPE_ITER` (4), `iter` as bpftool prints it.
    public static let iter = LinkType(rawValue: 4)
    /// `BPF_LINK_TYPE_NETNS` (5), `netns` as bpftool prints it.
    public static let netns = LinkType(rawValue: 5)
    /// `BPF_LINK_TYPE_XDP` (6), `xdp` as bpftool prints it.
    public static let xdp = LinkType(rawValue: 6)
    /// `BPF_LINK_TYPE_PERF_EVENT` (7), `perf_event` as bpftool prints it.
    public static let perfEvent = LinkType(rawValue: 7)
    /// `BPF_LINK_TYPE_KPROBE_MULTI` (8), `kprobe_multi` as bpftool prints it.
    public static let kprobeMulti = LinkType(rawValue: 8)
    /// `BPF_LINK_TYPE_STRUCT_OPS` (9), `struct_ops` as bpftool prints it.
    public static let structOps = LinkType(rawValue: 9)
    /// `BPF_LINK_TYPE_NETFILTER` (10), `netfilter` as bpftool prints it.
    public static let netfilter = LinkType(rawValue: 10)
    /// `BPF_LINK_TYPE_TCX` (11), `tcx` as bpftool prints it.
    public static let tcx = LinkType(rawValue: 11)
    /// `BPF_LINK_TYPE_UPROBE_MULTI` (12), `uprobe_multi` as bpftool prints it.
    public static let uprobeMulti = LinkType(rawValue: 12)
    /// `BPF_LINK_TYPE_NETKIT` (13), `netkit` as bpftool prints it.
    public static let netkit = LinkType(rawValue: 13)
    /// `BPF_LINK_TYPE_SOCKMAP` (14), `sockmap` as bpftool prints it.
    public static let sockmap = LinkType(rawValue: 14)

    static let names = ["unspec", "raw_tracepoint", "tracing", "cgroup", "iter", "netns", "xdp", "perf_event",
                        "kprobe_multi", "struct_ops", "netfilter", "tcx", "uprobe_multi", "netkit", "sockmap"]

    /// bpftool's name for the type, e.g. `raw_tracepoint`.
    public var description: String { Int(rawValue) < Self.names.count ? Self.names[Int(rawValue)] : "type_\(rawValue)" }
}

/// `enum bpf_perf_event_type` (6.6): what a perf-event link's event is.
public enum PerfEventLinkKind: UInt32, Sendable, Hashable, CustomStringConvertible {
    case unspec = 0, uprobe = 1, uretprobe = 2, kprobe = 3, kretprobe = 4, tracepoint = 5, event = 6

    public var description: String {
        switch self {
        case .unspec: "unspec"
        case .uprobe: "uprobe"
        case .uretprobe: "uretprobe"
        case .kprobe: "kprobe"
        case .kretprobe: "kretprobe"
        case .tracepoint: "tracepoint"
        case .event: "event"
        }
    }
}
