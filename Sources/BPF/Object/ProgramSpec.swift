/// One BPF function of an object, as libbpf's `bpf_object__add_programs()` sees it: every
/// `STT_FUNC` symbol in an executable section. Functions in `.text` are subprograms (current
/// libbpf's `prog_is_subprog()`); every other function is a main program.
///
/// The instructions are the function's own, exactly as in the ELF file: no relocation, CO-RE
/// or subprogram linking is applied yet.
public struct ProgramSpec: Hashable, Sendable {
    /// The function's symbol name. The kernel keeps the first 15 bytes (`BPF_OBJ_NAME_LEN`).
    public var name: String
    /// The section name without a leading '?' (libbpf's `prog->sec_name`), e.g. `tp/syscalls/sys_enter_execve`.
    public var sectionName: String
    /// The section name as in the ELF file (with any leading '?'); `.BTF.ext` records refer to it.
    public var elfSectionName: String
    /// The ELF section index.
    public var sectionIndex: Int
    /// The function's first instruction within its section (`st_value / 8`, libbpf's `sec_insn_off`).
    public var sectionOffset: Int
    /// `prog_type` from the `SEC()` table; `.unspec` when no entry matches.
    public var type: ProgramType
    /// `expected_attach_type` from the `SEC()` table.
    public var expectedAttachType: AttachType
    /// `prog_flags` libbpf adds at load: `BPF_F_SLEEPABLE` for `.s` sections, `BPF_F_XDP_HAS_FRAGS` for `xdp.frags`.
    public var flags: ProgramFlags
    /// The matching `SEC()` table entry, if any.
    public var sectionDefinition: SectionDefinition?
    /// The text after the first '/' of the section name for `x+`/`x/` entries: the BTF attach
    /// target for tp_btf/fentry/fexit/fmod_ret/lsm/iter (`fentry/do_unlinkat` → `do_unlinkat`) and
    /// the auto-attach target otherwise (`tp/syscalls/sys_enter_execve` → `syscalls/sys_enter_execve`).
    public var attachTarget: String?
    /// The program is loaded with `attach_btf_id` resolved from `attachTarget` (libbpf `SEC_ATTACH_BTF`).
    public var needsAttachBTFID: Bool
    /// The function's instructions (`[st_value, st_value + st_size)` of its section).
    public var instructions: [Instruction]
    /// The function's relocations, sorted by instruction index.
    public var relocations: [Relocation]
    /// A `.text` function: never loaded on its own, appended to the main programs that call it.
    public var isSubprogram: Bool
    /// The symbol is `STB_GLOBAL` or `STB_WEAK` (libbpf's `sym_global`).
    public var isGlobalFunction: Bool
    /// A global function with hidden or internal visibility: its BTF FUNC gets static linkage so
    /// the verifier checks it in its caller's context (libbpf's `mark_btf_static`).
    public var markBTFStatic: Bool
    /// False for '?'-prefixed sections: the program is not loaded unless the user asks for it.
    public var autoload: Bool

    /// A program, as the parser builds it from an executable section.
    public init(name: String, sectionName: String, elfSectionName: String, sectionIndex: Int, sectionOffset: Int,
                type: ProgramType, expectedAttachType: AttachType, flags: ProgramFlags,
                sectionDefinition: SectionDefinition?, attachTarget: String?, needsAttachBTFID: Bool,
                instructions: [Instruction], relocations: [Relocation], isSubprogram: Bool,
                isGlobalFunction: Bool, markBTFStatic: Bool, autoload: Bool) {
        self.name = name
        self.sectionName = sectionName
        self.elfSectionName = elfSectionName
        self.sectionIndex = sectionIndex
        self.sectionOffset = sectionOffset
        self.type = type
        self.expectedAttachType = expectedAttachType
        self.flags = flags
        self.sectionDefinition = sectionDefinition
        self.attachTarget = attachTarget
        self.needsAttachBTFID = needsAttachBTFID
        self.instructions = instructions
        self.relocations = relocations
        self.isSubprogram = isSubprogram
        self.isGlobalFunction = isGlobalFunction
        self.markBTFStatic = markBTFStatic
        self.autoload = autoload
    }

    /// The instruction range of this function within its section.
    public var sectionRange: Range<Int> { sectionOffset..<sectionOffset + instructions.count }

    /// The relocation of instruction `index`, if any.
    public func relocation(at index: Int) -> Relocation? {
        relocations.first { $0.instructionIndex == index }
    }
}

/// One instruction relocation, classified as libbpf's `bpf_program__record_reloc()` does: by the
/// instruction (call or ld_imm64) and the symbol's section, never by the ELF relocation type.
public struct Relocation: Hashable, Sendable {
    /// What the instruction refers to.
    public enum Kind: Hashable, Sendable {
        /// `RELO_LD64`: ld_imm64 of a BTF-defined map. The loader writes `src = BPF_PSEUDO_MAP_FD`
        /// and `imm = map fd` into the first half.
        case map(name: String)
        /// `RELO_DATA`: ld_imm64 of a global variable in an internal map (`.data`, `.rodata`,
        /// `.bss`, `.data.*`, `.rodata.*`). The loader writes `BPF_PSEUDO_MAP_VALUE`, the map fd,
        /// and `insn[1].imm = insn[0].imm + sectionOffset` (the addend already in `insn[0].imm` stays).
        case data(mapName: String, sectionOffset: UInt64)
        /// `RELO_CALL`: a BPF-to-BPF call into `.text`. `targetInstruction` is the callee's
        /// instruction index within `.text`: `st_value / 8 + imm + 1`.
        case call(targetSectionIndex: Int, targetInstruction: Int)
        /// `RELO_SUBPROG_ADDR`: ld_imm64 of a `.text` function's address (e.g. a `bpf_loop`
        /// callback). `targetInstruction` is `(st_value + imm) / 8` within `.text`; the loader marks
        /// the instruction `BPF_PSEUDO_FUNC`.
        case subprogramAddress(targetSectionIndex: Int, targetInstruction: Int)
        /// `RELO_EXTERN_CALL`: a call to an extern function (a kfunc).
        case externFunction(name: String)
        /// `RELO_EXTERN_LD64`: ld_imm64 of an extern variable (`.kconfig` or `.ksyms`).
        case externVariable(name: String)
    }

    /// The instruction's index within its function.
    public var instructionIndex: Int
    /// The symbol the relocation is against (the section's name for `STT_SECTION` symbols).
    public var symbolName: String
    /// What the instruction refers to.
    public var kind: Kind

    /// A reference from instruction `instructionIndex` to `symbolName`.
    public init(instructionIndex: Int, symbolName: String, kind: Kind) {
        self.instructionIndex = instructionIndex
        self.symbolName = symbolName
        self.kind = kind
    }
}

extension Relocation.Kind: CustomStringConvertible {
    /// A short form for listings: `map events`, `data obj.rodata+8`, `call .text[8]`,
    /// `address .text[27]`, `extern call bpf_rcu_read_lock`, `extern LINUX_KERNEL_VERSION`.
    public var description: String {
        switch self {
        case let .map(name): "map \(name)"
        case let .data(map, off): "data \(map)+\(off)"
        case let .call(_, target): "call .text[\(target)]"
        case let .subprogramAddress(_, target): "address .text[\(target)]"
        case let .externFunction(name): "extern call \(name)"
        case let .externVariable(name): "extern \(name)"
        }
    }
}

extension Relocation: CustomStringConvertible {
    /// `insn 11: call .text[0] (sub_global)`.
    public var description: String { "insn \(instructionIndex): \(kind) (\(symbolName))" }
}
