/// The hook family of a program, from its `SEC()` name: which typed program type fits it and so
/// which attach calls it offers. Generated bindings give each program the type of its family.
public enum ProgramHook: String, Sendable, CaseIterable {
    /// `tracepoint/CAT/NAME`, `tp/CAT/NAME`: `TracepointProgram`.
    case tracepoint = "TracepointProgram"
    /// `raw_tp/NAME`, `raw_tracepoint[.w]/NAME`: `RawTracepointProgram`.
    case rawTracepoint = "RawTracepointProgram"
    /// `tp_btf/`, `fentry/`, `fexit/`, `fmod_ret/` (and `.s` variants): `TracingProgram`.
    case tracing = "TracingProgram"
    /// `lsm/HOOK`, `lsm.s/HOOK`: `LSMProgram`.
    case lsm = "LSMProgram"
    /// `iter/TARGET`: `IteratorProgram`.
    case iterator = "IteratorProgram"
    /// `kprobe/`, `kretprobe/`, `ksyscall/`, `kretsyscall/`: `KprobeProgram`.
    case kprobe = "KprobeProgram"
    /// `uprobe[.s]`, `uretprobe[.s]`: `UprobeProgram`.
    case uprobe = "UprobeProgram"
    /// `usdt[.s]`: `USDTProgram`.
    case usdt = "USDTProgram"
    /// `perf_event`: `PerfEventProgram`.
    case perfEvent = "PerfEventProgram"
    /// `xdp`: `XDPProgram`.
    case xdp = "XDPProgram"
    /// `tc`, `tcx/ingress`, `tcx/egress`, `classifier`: `TCProgram`.
    case tc = "TCProgram"
    /// `cgroup_skb/`, `cgroup/` (sock, sock_addr, sockopt, sysctl, dev): `CgroupProgram`.
    case cgroup = "CgroupProgram"
    /// `sockops`: `SockOpsProgram`.
    case sockOps = "SockOpsProgram"
    /// `socket`: `SocketFilterProgram`.
    case socketFilter = "SocketFilterProgram"
    /// `sk_lookup`: `SkLookupProgram`.
    case skLookup = "SkLookupProgram"
    /// `sk_msg`, `sk_skb/...`: `SockMapProgram`.
    case sockMap = "SockMapProgram"
    /// `syscall`: `SyscallProgram`.
    case syscall = "SyscallProgram"
    /// Everything else (freplace, struct_ops, lwt, flow dissector...): `UntypedProgram`.
    case other = "UntypedProgram"

    /// The family of the program `spec` describes.
    public init(_ spec: ProgramSpec) {
        let prefix = spec.sectionName.split(separator: "/", maxSplits: 1).first.map(String.init) ?? spec.sectionName
        switch spec.type {
        case .tracepoint: self = .tracepoint
        case .rawTracepoint, .rawTracepointWritable: self = .rawTracepoint
        case .tracing: self = spec.expectedAttachType == .traceIter ? .iterator : .tracing
        case .lsm: self = .lsm
        case .kprobe:
            switch prefix {
            case "kprobe", "kretprobe", "ksyscall", "kretsyscall": self = .kprobe
            case "uprobe", "uretprobe", "uprobe.s", "uretprobe.s": self = .uprobe
            case "usdt", "usdt.s": self = .usdt
            default: self = .other
            }
        case .perfEvent: self = .perfEvent
        case .xdp: self = .xdp
        case .schedCLS: self = .tc
        case .cgroupSKB, .cgroupSock, .cgroupSockAddr, .cgroupSockopt, .cgroupSysctl, .cgroupDevice: self = .cgroup
        case .sockOps: self = .sockOps
        case .socketFilter: self = .socketFilter
        case .skLookup: self = .skLookup
        case .skMsg, .skSKB: self = .sockMap
        case .syscall: self = .syscall
        default: self = .other
        }
    }
}

/// A loaded program whose hook family was checked once, offering only the attach calls that fit
/// its hook (a tracepoint program has no XDP attach). Each attach returns an owner (usually a
/// `Link`) that detaches the program when released.
public protocol TypedProgram: Sendable {
    /// The hook family this type serves.
    static var hook: ProgramHook { get }
    /// The loaded object the program belongs to.
    var object: BPFObject { get }
    /// The untyped program underneath.
    var program: Program { get }
    /// The program as the object file describes it (section name, attach target).
    var spec: ProgramSpec { get }
    /// Wraps a checked program; use `init(_:name:)`.
    init(checked object: BPFObject, program: Program, spec: ProgramSpec)
}

extension TypedProgram {
    /// The program `name` of `object`, checked once to be of this type's hook family.
    /// - Throws: `.missing` if the object has no such loaded program, `.invalidArgument` if its
    ///   section is of another family.
    public init(_ object: BPFObject, name: String) throws(BPFError) {
        let program = try object.program(name)
        guard let spec = object.spec.program(named: name) else { throw .missing("program '\(name)' in the object's spec") }
        let hook = ProgramHook(spec)
        guard Self.hook == .other || hook == Self.hook else {
            throw .invalidArgument("program '\(name)' (section '\(spec.sectionName)', type \(spec.type)) is a \(hook.rawValue), not a \(Self.hook.rawValue)")
        }
        self.init(checked: object, program: program, spec: spec)
    }

    /// The program's name.
    public var name: String { spec.name }
}

/// A program whose `SEC()` name can say where it attaches (libbpf's auto-attach).
public protocol AutoAttachable: TypedProgram {}

extension AutoAttachable {
    /// Attaches the program where its `SEC()` name says (e.g. `tp/syscalls/sys_enter_execve`),
    /// as `attachAll()` does for every program.
    /// - Throws: `.invalidArgument` when the section names no target (a bare `SEC("uprobe")`).
    public func attach() throws(BPFError) -> Link {
        try object.attach(spec.name)
    }
}

/// A program of a family the typed layer does not model; only the untyped `program` is offered.
public struct UntypedProgram: TypedProgram {
    /// The hook family this type serves.
    public static let hook = ProgramHook.other
    /// The loaded object the program belongs to.
    public let object: BPFObject
    /// The untyped program underneath.
    public let program: Program
    /// The program as the object file describes it.
    public let spec: ProgramSpec
    /// Wraps a program already checked to be of this family; use `init(_:name:)`.
    public init(checked object: BPFObject, program: Program, spec: ProgramSpec) {
        self.object = object
        self.program = program
        self.spec = spec
    }
}
