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
    /// BTF id of the function a tracing program attaches to (0 if none).
    public var attachBTFID: UInt32
    /// The number of JITed functions (main program plus subprograms); 0 if not JITed.
    public var jitedFunctionCount: UInt32
    /// `ifindex` of a device-bound (offloaded or XDP-metadata) program; 0 otherwise.
    public var ifindex: UInt32

    /// The program's full name: the kernel keeps 15 bytes, so a longer name is read from the
    /// program's BTF (the FUNC of its first `func_info` record), as bpftool shows it.
    public var fullName: String

    /// The kernel-wide id.
    public var id: UInt32 { info.id }
    /// The program type.
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
        fullName = info.name
        if info.name.utf8.count == 15, info.btfID != 0, raw.nr_func_info > 0,
           let long = try? Self.mainFunctionName(fd: fd, btfID: info.btfID, name: name), long.hasPrefix(info.name) {
            fullName = long
        }
    }

    /// The BTF name of the FUNC in the program's first `func_info` record.
    static func mainFunctionName(fd: Int32, btfID: UInt32, name: String) throws(BPFError) -> String? {
        let size = MemoryLayout<bpf_prog_info>.size
        let records = try BPFCommands.objGetInfoBytes(
            fd: fd, size: size,
            buffers: [InfoBuffer(pointerOffset: MemoryLayout<bpf_prog_info>.offset(of: \.func_info)!,
                                 lengthOffset: MemoryLayout<bpf_prog_info>.offset(of: \.nr_func_info)!, capacity: 1, recordSize: 8)],
            presets: [MemoryLayout<bpf_prog_info>.offset(of: \.func_info_rec_size)!: 8], name: name).buffers[0]
        guard records.count >= 8 else { return nil }
        // struct bpf_func_info { __u32 insn_off; __u32 type_id; }
        let typeID = InfoReader(records).u32(4)
        let btf = try BTF.loaded(id: btfID)
        let n = btf.name(of: typeID)
        return n.isEmpty ? nil : n
    }

    /// The kernel addresses of the JITed functions (`jited_ksyms`): the main program first,
    /// then each subprogram. In xlated code of a JITed program, a BPF-to-BPF call's `imm` is an
    /// index into this list and its `off` the relative jump. Empty if not JITed or not visible.
    public static func jitedFunctionAddresses(fd: Int32, name: String = "program") throws(BPFError) -> [UInt64] {
        var first = bpf_prog_info()
        try BPFCommands.objGetInfo(fd: fd, info: &first, name: name)
        let count = Int(first.nr_jited_ksyms)
        guard count > 0 else { return [] }
        let bytes = try BPFCommands.objGetInfoBytes(
            fd: fd, size: MemoryLayout<bpf_prog_info>.size,
            buffers: [InfoBuffer(pointerOffset: MemoryLayout<bpf_prog_info>.offset(of: \.jited_ksyms)!,
                                 lengthOffset: MemoryLayout<bpf_prog_info>.offset(of: \.nr_jited_ksyms)!, capacity: count, recordSize: 8)],
            name: name).buffers[0]
        let r = InfoReader(bytes)
        return (0..<bytes.count / 8).map { r.u64($0 * 8) }
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
