/// A kprobe-family program (`kprobe/`, `kretprobe/`, `ksyscall/`, `kretsyscall/`): whether it
/// fires on entry or return comes from its section.
public struct KprobeProgram: AutoAttachable {
    /// The hook family this type serves.
    public static let hook = ProgramHook.kprobe
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

    /// Whether the section asks for the return (`kretprobe`, `kretsyscall`).
    public var isReturnProbe: Bool { spec.sectionName.hasPrefix("kret") }

    /// Attaches to kernel function `function` (at `offset` bytes into it, entry probes only).
    public func attach(function: String, offset: UInt64 = 0, cookie: UInt64 = 0,
                       mechanism: KprobeMechanism = .automatic) throws(BPFError) -> Link {
        try Link.attachKprobe(program: program, function: function, offset: offset, retprobe: isReturnProbe,
                              cookie: cookie, mechanism: mechanism)
    }

    /// Attaches to the kernel function of system call `syscall` (e.g. `openat`).
    public func attach(syscall: String, cookie: UInt64 = 0) throws(BPFError) -> Link {
        try Link.attachKsyscall(program: program, syscall: syscall, retprobe: isReturnProbe, cookie: cookie)
    }
}

/// A uprobe program (`uprobe/`, `uretprobe/`, `.s` variants): runs on a user-space function's
/// entry or return, as its section says.
public struct UprobeProgram: AutoAttachable {
    /// The hook family this type serves.
    public static let hook = ProgramHook.uprobe
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

    /// Whether the section asks for the return (`uretprobe`).
    public var isReturnProbe: Bool { spec.sectionName.hasPrefix("uretprobe") }

    /// Attaches to `symbol` (nil: `offset` is a file offset) in `binary` (a path or a name
    /// `BinaryPathResolver` finds); `pid` nil probes every process.
    public func attach(binary: String, symbol: String?, offset: UInt64 = 0, pid: Int32? = nil,
                       cookie: UInt64 = 0) throws(BPFError) -> Link {
        try Link.attachUprobe(program: program, binary: binary, symbol: symbol, offset: offset, retprobe: isReturnProbe,
                              pid: pid, cookie: cookie)
    }

    /// Attaches to a target resolved beforehand (`UprobeTarget.resolve`).
    public func attach(target: UprobeTarget, pid: Int32? = nil, cookie: UInt64 = 0) throws(BPFError) -> Link {
        try Link.attachUprobe(program: program, target: target, retprobe: isReturnProbe, pid: pid, cookie: cookie)
    }
}

/// A USDT program (`SEC("usdt")`, written with `<bpf/usdt.bpf.h>`): runs at every site of a
/// user-space static probe.
public struct USDTProgram: AutoAttachable {
    /// The hook family this type serves.
    public static let hook = ProgramHook.usdt
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

    /// Attaches to every site of probe `provider:name` in `binary`; `pid` -1 traces every
    /// process, 0 this one; `cookie` is what `bpf_usdt_cookie()` returns.
    public func attach(binary: String, provider: String, name: String, pid: Int32 = -1,
                       cookie: UInt64 = 0) throws(BPFError) -> Link {
        try object.attachUSDT(spec.name, binary: binary, provider: provider, name: name, pid: pid, cookie: cookie)
    }

    /// `attach(binary:provider:name:pid:cookie:)`, returning the attachment as a `USDTLink` that
    /// lists each probe site, its file offset, semaphore and spec id.
    public func attachSites(binary: String, provider: String, name: String, pid: Int32 = -1,
                            cookie: UInt64 = 0) throws(BPFError) -> USDTLink {
        try object.attachUSDTSites(spec.name, binary: binary, provider: provider, name: name, pid: pid, cookie: cookie)
    }
}

/// A `perf_event` program: runs on each sample of a perf event (e.g. a CPU clock).
public struct PerfEventProgram: TypedProgram {
    /// The hook family this type serves.
    public static let hook = ProgramHook.perfEvent
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

    /// Attaches to a sampling event on every possible CPU (software cpu-clock: `type` 1,
    /// `config` 0) at `frequency` samples per second; one link per CPU.
    public func attach(sampling type: UInt32, config: UInt64, frequency: UInt64 = 99) throws(BPFError) -> [Link] {
        try Link.attachSampling(program: program, type: type, config: config, frequency: frequency)
    }
}
