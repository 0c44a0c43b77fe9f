/// Records of `.BTF.ext` passed to `BPF_PROG_LOAD` as `func_info` or `line_info`: the raw bytes of
/// `count` records of `recordSize` bytes each (`struct bpf_func_info` is 8 bytes,
/// `struct bpf_line_info` 16), with instruction offsets already made relative to the program.
public struct BTFExtRecords: Sendable, Hashable {
    /// The records, back to back.
    public var bytes: [UInt8]
    /// Size of one record in bytes.
    public var recordSize: UInt32
    /// Number of records.
    public var count: UInt32

    /// Records of `recordSize` bytes each.
    public init(bytes: [UInt8], recordSize: UInt32, count: UInt32) {
        self.bytes = bytes
        self.recordSize = recordSize
        self.count = count
    }
}

/// Everything `BPF_PROG_LOAD` takes, as plain values. The loader fills this after relocation.
public struct ProgramLoadAttributes: Sendable {
    /// The program's name; the kernel keeps 15 bytes (`BPF_OBJ_NAME_LEN` is 16). Used in errors too.
    public var name: String
    /// The program type.
    public var type: ProgramType
    /// `expected_attach_type`; required by some types (e.g. `cgroup_sock_addr`, `tracing`).
    public var expectedAttachType: AttachType
    /// The instructions, relocated.
    public var instructions: [Instruction]
    /// "GPL" (or a GPL-compatible string) unlocks GPL-only helpers.
    public var license: String
    /// `kern_version`: ignored by kernels since 5.0 except for old kprobe checks.
    public var kernelVersion: UInt32
    /// The `BPF_F_*` program flags.
    public var flags: ProgramFlags
    /// The program's BTF (`prog_btf_fd`), required with `funcInfo`/`lineInfo`.
    public var btfFD: Int32?
    /// The `bpf_func_info` records, for BTF-described functions.
    public var funcInfo: BTFExtRecords?
    /// The `bpf_line_info` records, which put C source lines in the verifier log.
    public var lineInfo: BTFExtRecords?
    /// `attach_btf_id`: the kernel BTF type id of the attach target (tp_btf, fentry, lsm...).
    public var attachBTFID: UInt32
    /// `attach_btf_obj_fd`: the BTF object holding `attachBTFID` when it is a module's.
    public var attachBTFObjFD: Int32?
    /// `attach_prog_fd`: the target program of freplace/fentry on a BPF program.
    public var attachProgFD: Int32?
    /// `prog_ifindex`, for offloaded programs.
    public var ifindex: UInt32
    /// `fd_array`: descriptors that instructions refer to by index, e.g. module BTF objects of
    /// kfunc calls (the call's `offset` is an index into this array). Empty: not passed.
    public var fdArray: [Int32] = []
    /// The verifier log level of the first load: nil or 0 loads without a log and asks for a
    /// level-1 log only if the load fails (libbpf's strategy). 1, 2 (or 4 for stats) always log.
    public var logLevel: UInt32?
    /// The first log buffer size when logging; grown on ENOSPC.
    public var logSize: Int

    /// Attributes for `BPF_PROG_LOAD`.
    public init(
        name: String, type: ProgramType, expectedAttachType: AttachType = .none,
        instructions: [Instruction], license: String = "GPL", kernelVersion: UInt32 = 0,
        flags: ProgramFlags = [], btfFD: Int32? = nil, funcInfo: BTFExtRecords? = nil,
        lineInfo: BTFExtRecords? = nil, attachBTFID: UInt32 = 0, attachBTFObjFD: Int32? = nil,
        attachProgFD: Int32? = nil, ifindex: UInt32 = 0, logLevel: UInt32? = nil, logSize: Int = 64 * 1024
    ) {
        self.name = name
        self.type = type
        self.expectedAttachType = expectedAttachType
        self.instructions = instructions
        self.license = license
        self.kernelVersion = kernelVersion
        self.flags = flags
        self.btfFD = btfFD
        self.funcInfo = funcInfo
        self.lineInfo = lineInfo
        self.attachBTFID = attachBTFID
        self.attachBTFObjFD = attachBTFObjFD
        self.attachProgFD = attachProgFD
        self.ifindex = ifindex
        self.logLevel = logLevel
        self.logSize = logSize
    }
}
