/// `enum bpf_link_type` of the UAPI. Values past Linux 6.1 (netfilter 6.4, tcx 6.6,
/// uprobe_multi 6.6, netkit 6.7, sockmap 6.10) are defined here with their UAPI names.
public struct LinkType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let unspec = LinkType(rawValue: 0)
    public static let rawTracepoint = LinkType(rawValue: 1)
    public static let tracing = LinkType(rawValue: 2)
    public static let cgroup = LinkType(rawValue: 3)
    public static let iter = LinkType(rawValue: 4)
    public static let netns = LinkType(rawValue: 5)
    public static let xdp = LinkType(rawValue: 6)
    public static let perfEvent = LinkType(rawValue: 7)
    public static let kprobeMulti = LinkType(rawValue: 8)
    public static let structOps = LinkType(rawValue: 9)
    public static let netfilter = LinkType(rawValue: 10)
    public static let tcx = LinkType(rawValue: 11)
    public static let uprobeMulti = LinkType(rawValue: 12)
    public static let netkit = LinkType(rawValue: 13)
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
