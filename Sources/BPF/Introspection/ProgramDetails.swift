import CBPF

/// What bpftool's `prog show` reports about a loaded program: `struct bpf_prog_info` from
/// `BPF_OBJ_GET_INFO_BY_FD` plus `memlock` from /proc/self/fdinfo. The layout of
/// `bpf_prog_info` is unchanged between the installed 6.1 headers and 6.18.
public struct ProgramDetails: Sendable, Hashable {
    /// The common info (type, id, kernel name, tag, map ids, sizes, run statistics).
    public var info: ProgramInfo
    /// Nanoseconds since the epoch at which the program was loaded (`load_time` is
    /// `CLOCK_BOOTTIME`; converted with the offset between the two clocks now, as bpftool does).
    public var loadedAtNanoseconds: Int64
    /// Bytes charged to the program's memory accounting (`memlock:` in fdinfo), if reported.
    public var memlock: UInt64?
    /// `recursion_misses`: times the program did not run because it was already running on the CPU.
    public var recursionMisses: UInt64
    /// `attach_btf_obj_id`/`attach_btf_id`: the BTF object and type a tracing program attaches to.
    public var attachBTFObjectID: UInt32
    public var attachBTFID: UInt32
    /// The number of JITed functions (main program plus subprograms); 0 if not JITed.
    public var jitedFunctionCount: UInt32
    /// `ifindex` of a device-bound (offloaded or XDP-metadata) program; 0 otherwise.
    public var ifindex: UInt32

    public var id: UInt32 { info.id }
    public var type: ProgramType { info.type }
    /// The kernel's name: at most 15 bytes.
    public var name: String { info.name }
    /// Whether the kernel JIT-compiled the program (`jited_prog_len` > 0).
    public var isJited: Bool { info.jitedLength > 0 }
    /// Number of translated instructions (an ld_imm64 counts twice).
    public var xlatedInstructionCount: Int { Int(info.xlatedLength) / 8 }
    /// Whether run-time statistics are being collected (kernel.bpf_stats_enabled, or
    /// `BPF_ENABLE_STATS`): bpftool prints run_time_ns/run_cnt only when either is nonzero.
    public var hasRunStatistics: Bool { info.runCount != 0 || info.runTimeNanoseconds != 0 }

    /// Reads the details of the program behind `fd`.
    public init(fd: Int32, name: String = "program") throws(BPFError) {
        info = try BPFCommands.programInfo(fd: fd, name: name)
        var raw = bpf_prog_info()
        try BPFCommands.objGetInfo(fd: fd, info: &raw, name: name)
        recursionMisses = raw.recursion_misses
        attachBTFObjectID = raw.attach_btf_obj_id
        attachBTFID = raw.attach_btf_id
        jitedFunctionCount = raw.nr_jited_ksyms
        ifindex = raw.ifindex
        loadedAtNanoseconds = Int64(bitPattern: raw.load_time) &+ Syscalls.bootTimeToRealTimeOffset()
        memlock = (try? FDInfo(fd: fd))?.integer("memlock")
    }

    /// The translated instructions (`xlated_prog_insns`), as `Program.xlatedInstructions()`.
    public static func xlatedInstructions(fd: Int32, name: String = "program") throws(BPFError) -> [Instruction] {
        Instruction.decode(try BPFCommands.programXlatedInstructions(fd: fd, name: name))
    }
}

extension Program {
    /// Everything bpftool's `prog show` reports about this program.
    public func details() throws(BPFError) -> ProgramDetails {
        try ProgramDetails(fd: fd, name: name)
    }

    /// The program as the kernel runs it before JIT (`xlated_prog_insns`): after verifier
    /// rewrites, with map references as `BPF_PSEUDO_MAP_FD`/`BPF_PSEUDO_MAP_VALUE` carrying map
    /// ids, and helper calls whose `imm` is the helper's offset from `__bpf_call_base`.
    /// Empty if the caller may not read them (kernel.kptr_restrict / no CAP_SYS_ADMIN).
    public func xlatedInstructions() throws(BPFError) -> [Instruction] {
        try ProgramDetails.xlatedInstructions(fd: fd, name: name)
    }
}
