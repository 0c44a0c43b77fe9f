/// What the kernel reports about a BPF link: `struct bpf_link_info` from
/// `BPF_OBJ_GET_INFO_BY_FD`, decoded from raw bytes at the offsets of Linux 6.18.
///
/// The installed UAPI headers are from 6.1 and lack most of the union's members (perf_event,
/// tcx, netkit, netfilter, uprobe_multi, sockmap, the tracing/raw_tracepoint cookies). The
/// offsets below were read from `struct bpf_link_info` in the running 6.18 kernel's BTF
/// (/sys/kernel/btf/vmlinux, 64 bytes; the union starts at offset 16) and agree with
/// include/uapi/linux/bpf.h of that release. Older kernels fill fewer bytes and leave the rest
/// zero, which decodes as empty names and zero numbers.
public struct LinkDetails: Sendable, Hashable {
    /// The kernel-wide id.
    public var id: UInt32
    /// The link type.
    public var type: LinkType
    /// Id of the program it runs.
    public var programID: UInt32
    /// What the link attaches to, per link type.
    public var target: LinkTarget

    /// The size of `struct bpf_link_info` passed to the kernel: 6.18's 64 bytes, rounded up
    /// with zeroes so newer members stay zero rather than being refused.
    static let infoSize = 128
    /// Capacity of name buffers (tracepoint, function, target, path).
    static let nameCapacity = 4096

    /// Reads the details of the link behind `fd`: one call for the type, and for types with
    /// names a second call with a buffer for the name.
    public init(fd: Int32, name: String = "link") throws(BPFError) {
        let first = try BPFCommands.objGetInfoBytes(fd: fd, size: Self.infoSize, name: name).info
        let r = InfoReader(first)
        let type = LinkType(rawValue: r.u32(0))
        var buffers: [InfoBuffer] = []
        switch type {
        case .rawTracepoint, .iter:
            // tp_name / target_name at 16, their length at 24.
            buffers = [InfoBuffer(pointerOffset: 16, lengthOffset: 24, capacity: Self.nameCapacity)]
        case .uprobeMulti:
            // path at 16, path_size at 48.
            buffers = [InfoBuffer(pointerOffset: 16, lengthOffset: 48, capacity: Self.nameCapacity)]
        case .perfEvent:
            // uprobe.file_name / kprobe.func_name / tracepoint.tp_name at 24, name_len at 32.
            // The generic `event` member has config/type there instead: no buffer for it.
            let kind = PerfEventLinkKind(rawValue: r.u32(16)) ?? .unspec
            if kind != .event && kind != .unspec {
                buffers = [InfoBuffer(pointerOffset: 24, lengthOffset: 32, capacity: Self.nameCapacity)]
            }
        default:
            break
        }
        var bytes = first
        var text = ""
        if !buffers.isEmpty {
            let second = try BPFCommands.objGetInfoBytes(fd: fd, size: Self.infoSize, buffers: buffers, name: name)
            bytes = second.info
            text = String(decoding: second.buffers[0].prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        self = LinkDetails(bytes: bytes, name: text)
    }

    /// Decodes `struct bpf_link_info` bytes (6.18 layout) and the name the kernel copied into
    /// the type's name buffer, if any. Pure: short input reads as zeroes.
    public init(bytes: [UInt8], name: String = "") {
        let r = InfoReader(bytes)
        id = r.u32(4)
        type = LinkType(rawValue: r.u32(0))
        programID = r.u32(8)
        target = LinkTarget(type: type, reader: r, name: name)
    }
}

/// The per-type part of `struct bpf_link_info` (its anonymous union), offsets of Linux 6.18.
public enum LinkTarget: Sendable, Hashable {
    /// raw_tracepoint: tp_name (16, len 24), cookie (32).
    case rawTracepoint(name: String, cookie: UInt64)
    /// tracing (fentry/fexit/LSM/freplace/tp_btf): attach_type (16), target_obj_id (20),
    /// target_btf_id (24), cookie (32).
    case tracing(attachType: AttachType, targetObjectID: UInt32, targetBTFID: UInt32, cookie: UInt64)
    /// cgroup: cgroup_id (16), attach_type (24).
    case cgroup(cgroupID: UInt64, attachType: AttachType)
    /// iter: target_name (16, len 24), map.map_id (28).
    case iter(targetName: String, mapID: UInt32)
    /// netns: netns_ino (16), attach_type (20).
    case netns(inode: UInt32, attachType: AttachType)
    /// xdp: ifindex (16).
    case xdp(ifindex: UInt32)
    /// struct_ops: map_id (16).
    case structOps(mapID: UInt32)
    /// netfilter: pf (16), hooknum (20), priority (24), flags (28).
    case netfilter(protocolFamily: UInt32, hook: UInt32, priority: Int32, flags: UInt32)
    /// kprobe_multi: count (24), flags (28, bit 0 = return probe), missed (32).
    case kprobeMulti(count: UInt32, flags: UInt32, missed: UInt64)
    /// uprobe_multi: path (16, size 48), count (52), flags (56), pid (60).
    case uprobeMulti(path: String, count: UInt32, flags: UInt32, pid: UInt32)
    /// perf_event: type (16), then per event type from 24.
    case perfEvent(PerfEventLinkTarget)
    /// tcx: ifindex (16), attach_type (20).
    case tcx(ifindex: UInt32, attachType: AttachType)
    /// netkit: ifindex (16), attach_type (20).
    case netkit(ifindex: UInt32, attachType: AttachType)
    /// sockmap: map_id (16), attach_type (20).
    case sockmap(mapID: UInt32, attachType: AttachType)
    /// A type this decoder does not know (or `unspec`).
    case other

    init(type: LinkType, reader r: InfoReader, name: String) {
        switch type {
        case .rawTracepoint: self = .rawTracepoint(name: name, cookie: r.u64(32))
        case .tracing:
            self = .tracing(attachType: AttachType(rawValue: r.u32(16)), targetObjectID: r.u32(20), targetBTFID: r.u32(24), cookie: r.u64(32))
        case .cgroup: self = .cgroup(cgroupID: r.u64(16), attachType: AttachType(rawValue: r.u32(24)))
        case .iter: self = .iter(targetName: name, mapID: r.u32(28))
        case .netns: self = .netns(inode: r.u32(16), attachType: AttachType(rawValue: r.u32(20)))
        case .xdp: self = .xdp(ifindex: r.u32(16))
        case .structOps: self = .structOps(mapID: r.u32(16))
        case .netfilter: self = .netfilter(protocolFamily: r.u32(16), hook: r.u32(20), priority: Int32(bitPattern: r.u32(24)), flags: r.u32(28))
        case .kprobeMulti: self = .kprobeMulti(count: r.u32(24), flags: r.u32(28), missed: r.u64(32))
        case .uprobeMulti: self = .uprobeMulti(path: name, count: r.u32(52), flags: r.u32(56), pid: r.u32(60))
        case .perfEvent: self = .perfEvent(PerfEventLinkTarget(reader: r, name: name))
        case .tcx: self = .tcx(ifindex: r.u32(16), attachType: AttachType(rawValue: r.u32(20)))
        case .netkit: self = .netkit(ifindex: r.u32(16), attachType: AttachType(rawValue: r.u32(20)))
        case .sockmap: self = .sockmap(mapID: r.u32(16), attachType: AttachType(rawValue: r.u32(20)))
        default: self = .other
        }
    }
}

/// The event of a perf-event link (`perf_event` member of `bpf_link_info`, 6.6+).
public enum PerfEventLinkTarget: Sendable, Hashable {
    /// uprobe/uretprobe: file_name (24, len 32), offset (36), cookie (40), ref_ctr_offset (48).
    case uprobe(path: String, offset: UInt32, cookie: UInt64, refCounterOffset: UInt64, isReturn: Bool)
    /// kprobe/kretprobe: func_name (24, len 32), offset (36), addr (40), missed (48), cookie (56).
    case kprobe(function: String, offset: UInt32, address: UInt64, missed: UInt64, cookie: UInt64, isReturn: Bool)
    /// tracepoint: tp_name (24, len 32), cookie (40).
    case tracepoint(name: String, cookie: UInt64)
    /// Any other perf event: config (24), type (32, `perf_event_attr.type`), cookie (40).
    case event(type: UInt32, config: UInt64, cookie: UInt64)
    /// A kernel before 6.6 (no perf-event details) or an unknown event type.
    case unknown(UInt32)

    init(reader r: InfoReader, name: String) {
        let raw = r.u32(16)
        switch PerfEventLinkKind(rawValue: raw) {
        case .uprobe, .uretprobe:
            self = .uprobe(path: name, offset: r.u32(36), cookie: r.u64(40), refCounterOffset: r.u64(48), isReturn: raw == 2)
        case .kprobe, .kretprobe:
            self = .kprobe(function: name, offset: r.u32(36), address: r.u64(40), missed: r.u64(48), cookie: r.u64(56), isReturn: raw == 4)
        case .tracepoint: self = .tracepoint(name: name, cookie: r.u64(40))
        case .event: self = .event(type: r.u32(32), config: r.u64(24), cookie: r.u64(40))
        default: self = .unknown(raw)
        }
    }

    /// bpf_perf_event_type's name: uprobe, uretprobe, kprobe, kretprobe, tracepoint, event.
    public var kindName: String {
        switch self {
        case let .uprobe(_, _, _, _, r): r ? "uretprobe" : "uprobe"
        case let .kprobe(_, _, _, _, _, r): r ? "kretprobe" : "kprobe"
        case .tracepoint: "tracepoint"
        case .event: "event"
        case let .unknown(t): "perf_event_type_\(t)"
        }
    }
}

/// Little-endian reads at fixed offsets of an info struct; reads past the end give zero.
struct InfoReader {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func u32(_ offset: Int) -> UInt32 {
        guard offset >= 0, offset + 4 <= bytes.count else { return 0 }
        return (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }

    func u64(_ offset: Int) -> UInt64 {
        guard offset >= 0, offset + 8 <= bytes.count else { return 0 }
        return (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
    }
}

extension Link {
    /// Everything the kernel reports about this link, per link type (see `LinkTarget`).
    public func details() throws(BPFError) -> LinkDetails {
        guard !isLegacyPerfEvent else {
            throw .notSupported(feature: "link info", reason: "\(name) is a legacy perf-event attachment, not a BPF link (kernel before 5.15)")
        }
        return try LinkDetails(fd: openFD(), name: name)
    }
}
