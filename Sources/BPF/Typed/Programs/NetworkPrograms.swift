/// An `xdp` program: runs on every packet a network interface receives, before the stack.
public struct XDPProgram: TypedProgram {
    /// The hook family this type serves.
    public static let hook = ProgramHook.xdp
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

    /// Attaches to interface `interface` (e.g. "eth0") with a link (`BPF_XDP`).
    public func attach(interface: String, flags: XDPFlags = []) throws(BPFError) -> Link {
        try Link.attachXDP(program: program, interface: interface, flags: flags)
    }

    /// Attaches to the interface with index `interfaceIndex`.
    public func attach(interfaceIndex: UInt32, flags: XDPFlags = []) throws(BPFError) -> Link {
        try Link.attachXDP(program: program, interfaceIndex: interfaceIndex, flags: flags)
    }

    /// Runs the program once on `packet` (`BPF_PROG_TEST_RUN`).
    public func testRun(packet: [UInt8]) throws(BPFError) -> ProgramTestRunResult {
        try program.testRun(data: packet)
    }
}

/// A TC program (`SEC("tc")`, `tcx/ingress`, `tcx/egress`): runs on an interface's ingress or
/// egress packets; its return value is the verdict.
public struct TCProgram: TypedProgram {
    /// The hook family this type serves.
    public static let hook = ProgramHook.tc
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

    /// Attaches to `interface`'s `direction`: a tcx link where the kernel has them (6.6),
    /// else a direct-action filter on the clsact qdisc.
    public func attach(interface: String, direction: TCDirection) throws(BPFError) -> TCAttachment {
        try Link.attachTC(program: program, interface: interface, direction: direction)
    }

    /// Attaches to the interface with index `interfaceIndex`, as `attach(interface:direction:)`.
    public func attach(interfaceIndex: UInt32, direction: TCDirection) throws(BPFError) -> TCAttachment {
        try Link.attachTC(program: program, interfaceIndex: interfaceIndex, direction: direction)
    }

    /// Attaches with a tcx link only (Linux 6.6), without the netlink fallback.
    public func attachTCX(interface: String, direction: TCDirection) throws(BPFError) -> Link {
        try Link.attachTCX(program: program, interface: interface, egress: direction == .egress)
    }

    /// Attaches as a direct-action filter on the interface's clsact qdisc (netlink, any kernel),
    /// never a tcx link. With `priority` and `handle` 0 the kernel picks them; `replace` swaps the
    /// filter of the same (non-zero) priority and handle atomically.
    public func attachFilter(interface: String, direction: TCDirection, priority: UInt16 = 0, handle: UInt32 = 0,
                             replace: Bool = false) throws(BPFError) -> TCFilter {
        try TCFilter.attach(program: program, interface: interface, direction: direction,
                            priority: priority, handle: handle, replace: replace)
    }

    /// Runs the program once on `packet` (`BPF_PROG_TEST_RUN`).
    public func testRun(packet: [UInt8]) throws(BPFError) -> ProgramTestRunResult {
        try program.testRun(data: packet)
    }
}

/// A cgroup program (`cgroup_skb/`, `cgroup/connect4`, `cgroup/sock_create`, `cgroup/getsockopt`,
/// `cgroup/sysctl`, `cgroup/dev`, ...): runs for the tasks of a cgroup v2 directory and its
/// descendants, at the attach type its section gives.
public struct CgroupProgram: TypedProgram {
    /// The hook family this type serves.
    public static let hook = ProgramHook.cgroup
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

    /// Attaches to the cgroup v2 directory `cgroupPath` with a link, at the attach type of the
    /// program's section.
    public func attach(cgroup cgroupPath: String) throws(BPFError) -> Link {
        try object.attachCgroup(spec.name, cgroupPath: cgroupPath)
    }

    /// Attaches to `cgroupPath` at an explicit `attachType` (for sections that leave it open,
    /// such as `cgroup/skb`).
    public func attach(cgroup cgroupPath: String, attachType: AttachType) throws(BPFError) -> Link {
        try Link.attachCgroup(program: program, cgroupPath: cgroupPath, attachType: attachType)
    }

    /// Attaches with `BPF_PROG_ATTACH` (kept by the kernel without a descriptor; detached when
    /// the returned owner is released), at the section's attach type.
    public func attachWithoutLink(cgroup cgroupPath: String, flags: ProgramAttachFlags = .allowMulti) throws(BPFError) -> ProgramAttachment {
        try ProgramAttachment.attachCgroup(program: program, cgroupPath: cgroupPath,
                                           attachType: object.cgroupAttachType(of: spec.name), flags: flags)
    }
}

/// A `sockops` program: runs on TCP events of the sockets of a cgroup.
public struct SockOpsProgram: TypedProgram {
    /// The hook family this type serves.
    public static let hook = ProgramHook.sockOps
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

    /// Attaches to the cgroup v2 directory `cgroupPath` (`BPF_CGROUP_SOCK_OPS`) with a link.
    public func attach(cgroup cgroupPath: String) throws(BPFError) -> Link {
        try Link.attachCgroup(program: program, cgroupPath: cgroupPath, attachType: .cgroupSockOps)
    }
}

/// A `socket` filter program: sees each packet one socket receives and returns how many bytes to
/// keep. The attachment belongs to the socket (there is no link): it lasts until the socket
/// closes or `detach(socket:)`.
public struct SocketFilterProgram: TypedProgram {
    /// The hook family this type serves.
    public static let hook = ProgramHook.socketFilter
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

    /// Attaches to the socket `socket` (`SO_ATTACH_BPF`), replacing its filter.
    public func attach(socket: Int32) throws(BPFError) {
        try SocketFilter.attach(program: program, socket: socket)
    }

    /// Removes the filter of `socket` (`SO_DETACH_BPF`).
    public func detach(socket: Int32) throws(BPFError) {
        try SocketFilter.detach(socket: socket)
    }

    /// Runs the program once on `packet` (`BPF_PROG_TEST_RUN`).
    public func testRun(packet: [UInt8]) throws(BPFError) -> ProgramTestRunResult {
        try program.testRun(data: packet)
    }
}

/// An `sk_lookup` program: picks the socket for incoming connections and datagrams of a network
/// namespace.
public struct SkLookupProgram: TypedProgram {
    /// The hook family this type serves.
    public static let hook = ProgramHook.skLookup
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

    /// Attaches to the network namespace at `networkNamespace` (default: the calling thread's).
    public func attach(networkNamespace: String = "/proc/thread-self/ns/net") throws(BPFError) -> Link {
        try Link.attachSkLookup(program: program, networkNamespace: networkNamespace)
    }
}

/// An `sk_msg` or `sk_skb` program: runs on the sockets of a sockmap or sockhash, at the attach
/// type its section gives (`sk_msg`, `sk_skb/stream_verdict`, ...).
public struct SockMapProgram: TypedProgram {
    /// The hook family this type serves.
    public static let hook = ProgramHook.sockMap
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

    /// Attaches to the sockmap or sockhash `map`: a link where the kernel has them (6.10), else
    /// `BPF_PROG_ATTACH`.
    /// `preferLink` false always uses `BPF_PROG_ATTACH`.
    public func attach(to map: Map, preferLink: Bool = true) throws(BPFError) -> SockMapAttachment {
        try SockMapAttachment.attach(program: program, map: map, attachType: spec.expectedAttachType, preferLink: preferLink)
    }

    /// Attaches to a typed sockmap or sockhash.
    public func attach(to map: some TypedMap, preferLink: Bool = true) throws(BPFError) -> SockMapAttachment {
        try attach(to: map.map, preferLink: preferLink)
    }
}

/// A `syscall` program: run from user space with `BPF_PROG_TEST_RUN`; it is never attached.
public struct SyscallProgram: TypedProgram {
    /// The hook family this type serves.
    public static let hook = ProgramHook.syscall
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

    /// Runs the program once on `context`; returns its return value and the context as the
    /// program left it.
    public func run<Context: BitwiseCopyable>(context: Context) throws(BPFError) -> (returnValue: UInt32, context: Context) {
        try program.testRunSyscall(context: context)
    }
}
