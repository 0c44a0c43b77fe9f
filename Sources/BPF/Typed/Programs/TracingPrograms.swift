/// A `tracepoint` program (`SEC("tp/CATEGORY/NAME")`): attaches to a tracefs tracepoint.
public struct TracepointProgram: AutoAttachable {
    /// The hook family this type serves.
    public static let hook = ProgramHook.tracepoint
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

    /// Attaches to tracepoint `category:name` (e.g. `syscalls`, `sys_enter_getpid`) through a
    /// perf event; `cookie` is what `bpf_get_attach_cookie` returns.
    public func attach(category: String, name: String, cookie: UInt64 = 0) throws(BPFError) -> Link {
        try Link.attachTracepoint(program: program, category: category, name: name, cookie: cookie)
    }
}

/// A `raw_tracepoint` program (`SEC("raw_tp/NAME")`): sees the tracepoint's raw arguments.
public struct RawTracepointProgram: AutoAttachable {
    /// The hook family this type serves.
    public static let hook = ProgramHook.rawTracepoint
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

    /// Attaches to raw tracepoint `name` (e.g. `sys_enter`) with `BPF_RAW_TRACEPOINT_OPEN`.
    public func attach(name: String) throws(BPFError) -> Link {
        try Link.attachRawTracepoint(program: program, name: name)
    }

    /// Runs the program once with `arguments` as `ctx->args[]` (`BPF_PROG_TEST_RUN`).
    public func testRun(arguments: [UInt64], cpu: UInt32? = nil) throws(BPFError) -> UInt32 {
        try program.testRunRawTracepoint(arguments: arguments, cpu: cpu)
    }
}

/// A BTF tracing program (`tp_btf/`, `fentry/`, `fexit/`, `fmod_ret/`): loaded for one kernel
/// function or tracepoint (its `attach_btf_id`), so attaching needs no target.
public struct TracingProgram: AutoAttachable {
    /// The hook family this type serves.
    public static let hook = ProgramHook.tracing
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

    /// Attaches to the function or tracepoint it was loaded for (`BPF_LINK_CREATE` with its
    /// expected attach type); `cookie` needs Linux 6.0.
    public func attach(cookie: UInt64) throws(BPFError) -> Link {
        try Link.attachTracing(program: program, attachType: spec.expectedAttachType, cookie: cookie)
    }
}

/// An LSM program (`SEC("lsm/HOOK")`): runs on every call of its security hook; a non-zero
/// return denies the operation while the link lives.
public struct LSMProgram: AutoAttachable {
    /// The hook family this type serves.
    public static let hook = ProgramHook.lsm
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

    /// Attaches to its hook with a cookie (`BPF_LINK_CREATE`, `BPF_LSM_MAC`; Linux 6.0 for cookies).
    public func attach(cookie: UInt64) throws(BPFError) -> Link {
        try Link.attachTracing(program: program, attachType: .lsmMAC, cookie: cookie)
    }
}

/// An iterator program (`SEC("iter/TARGET")`, e.g. `iter/task`): runs once per kernel object of
/// its target while a reader reads the iterator, and writes text or records with
/// `bpf_seq_printf`/`bpf_seq_write`.
public struct IteratorProgram: TypedProgram {
    /// The hook family this type serves.
    public static let hook = ProgramHook.iterator
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

    /// Creates the iterator's link (`BPF_LINK_CREATE`, `BPF_TRACE_ITER`) for targets that take
    /// no parameter (task, task_file, bpf_map, ...).
    public func attach() throws(BPFError) -> Link {
        try Link.create(program: program, attachType: .traceIter, label: "iter \(spec.attachTarget ?? spec.name)")
    }

    /// Runs the iterator of `link` (made by `attach()`) once over every object and returns what
    /// the program wrote (`BPF_ITER_CREATE`, then reading the descriptor to its end).
    public func read(_ link: Link) throws(BPFError) -> [UInt8] {
        let label = "iter \(spec.attachTarget ?? spec.name)"
        guard link.isOpen else { throw .invalidArgument("\(label): the link is closed") }
        let fd = try BPFCommands.iterCreate(linkFD: link.fd, name: label)
        return try BPFCommands.readToEnd(fd, name: label)
    }
}
