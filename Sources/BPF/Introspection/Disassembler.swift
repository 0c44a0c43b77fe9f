/// Turns eBPF instructions into text in the notation of the kernel's verifier log and
/// bpftool (kernel/bpf/disasm.c): `(79) r1 = *(u64 *)(r2 +8)`, `(85) call bpf_map_lookup_elem#1`,
/// `(55) if r0 != 0x0 goto pc+3`. Pure: names of calls and 64-bit immediates come from the
/// optional resolvers (bpftool resolves xlated helper calls through /proc/kallsyms).
public struct Disassembler: Sendable {
    /// Names the target of a call; nil falls back to the default (helper names by id,
    /// `pc+N` offsets for BPF-to-BPF calls). Arguments: the instruction and its index.
    public var callName: (@Sendable (Instruction, Int) -> String?)?
    /// Text of the value of a 64-bit immediate load; nil falls back to bpftool's notation
    /// (`map[id:N]`, `map[id:N][0]+OFF`, `subprog[+N]`, `0x…`).
    public var immediateText: (@Sendable (Instruction, Instruction) -> String?)?

    /// A disassembler that names helper and kfunc calls with `callName`.
    public init(callName: (@Sendable (Instruction, Int) -> String?)? = nil,
                immediateText: (@Sendable (Instruction, Instruction) -> String?)? = nil) {
        self.callName = callName
        self.immediateText = immediateText
    }

    /// One decoded line: the index of its first instruction, the opcode, and the text after
    /// the opcode. A 64-bit immediate load spans two instructions (`width` 2).
    public struct Line: Sendable, Hashable, CustomStringConvertible {
        /// Index of the instruction (in 8-byte slots).
        public var index: Int
        /// The opcode byte.
        public var opcode: UInt8
        /// The instruction in the verifier's notation.
        public var text: String
        /// Slots it takes: 2 for a 64-bit immediate load, else 1.
        public var width: Int

        /// bpftool's line format: `%4d: (%02x) text`.
        public var description: String {
            let n = String(index)
            return String(repeating: " ", count: max(0, 4 - n.count)) + n + ": (" + Disassembler.hex2(opcode) + ") " + text
        }
    }

    /// Disassembles a whole program. A trailing half of an ld_imm64 prints as `BUG_ld_18`-style
    /// text rather than trapping.
    public func lines(_ insns: [Instruction]) -> [Line] {
        var out: [Line] = []
        var i = 0
        while i < insns.count {
            let insn = insns[i]
            if insn.isLoadImm64 {
                guard i + 1 < insns.count else {
                    out.append(Line(index: i, opcode: insn.opcode, text: "BUG_ld_\(Self.hex2(insn.opcode)) (truncated ld_imm64)", width: 1))
                    break
                }
                out.append(Line(index: i, opcode: insn.opcode, text: loadImm64(insn, insns[i + 1]), width: 2))
                i += 2
                continue
            }
            out.append(Line(index: i, opcode: insn.opcode, text: text(insn, at: i), width: 1))
            i += 1
        }
        return out
    }

    /// The whole program as bpftool prints it, one line per instruction.
    public func text(_ insns: [Instruction]) -> String {
        lines(insns).map(\.description).joined(separator: "\n")
    }

    // MARK: One instruction

    /// The text of a single-width instruction (no index or opcode prefix).
    public func text(_ insn: Instruction, at index: Int = 0) -> String {
        switch insn.instructionClass {
        case Opcode.alu, Opcode.alu64: return alu(insn)
        case Opcode.stx: return stx(insn)
        case Opcode.st: return st(insn)
        case Opcode.ldx: return ldx(insn)
        case Opcode.ld: return ld(insn)
        default: return jump(insn, at: index)
        }
    }

    static let aluOps = ["+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "neg", "%=", "^=", "=", "s>>=", "endian", "", ""]
    static let jumpOps = ["jmp", "==", ">", ">=", "&", "!=", "s>", "s>=", "call", "exit", "<", "<=", "s<", "s<=", "jcond", ""]
    static let sizes: [UInt8: String] = [0x00: "u32", 0x08: "u16", 0x10: "u8", 0x18: "u64"]
    static let signedSizes: [UInt8: String] = [0x00: "s32", 0x08: "s16", 0x10: "s8"]

    static func hex2(_ b: UInt8) -> String { (b < 16 ? "0" : "") + String(b, radix: 16) }
    static func signed(_ v: Int16) -> String { v < 0 ? "\(v)" : "+\(v)" }
    static func signed(_ v: Int32) -> String { v < 0 ? "\(v)" : "+\(v)" }
    func size(_ insn: Instruction) -> String { Self.sizes[insn.opcode & 0x18] ?? "u?" }

    func alu(_ insn: Instruction) -> String {
        let is64 = insn.instructionClass == Opcode.alu64
        let r: Character = is64 ? "r" : "w"
        let op = insn.opcode & 0xf0
        let dst = "\(r)\(insn.dst)", src = "\(r)\(insn.src)"
        if op == Opcode.end {
            if is64 { return "r\(insn.dst) = bswap\(insn.imm) r\(insn.dst)" }
            return "r\(insn.dst) = \((insn.opcode & Opcode.x) != 0 ? "be" : "le")\(insn.imm) r\(insn.dst)"
        }
        if op == Opcode.neg { return "\(dst) = -\(dst)" }
        if insn.opcode == Opcode.alu64 | Opcode.mov | Opcode.x {
            // BPF_ADDR_SPACE_CAST (off 1) and BPF_ADDR_PERCPU (off -1), arena and per-CPU pointers.
            if insn.offset == 1 {
                let imm = UInt32(bitPattern: insn.imm)
                return "r\(insn.dst) = addr_space_cast(r\(insn.src), \(imm >> 16), \(imm & 0xffff))"
            }
            if insn.offset == -1 { return "r\(insn.dst) = &(void __percpu *)(r\(insn.src))" }
        }
        let signedDivMod = (op == Opcode.div || op == Opcode.mod) && insn.offset == 1
        let name = signedDivMod ? (op == Opcode.div ? "s/=" : "s%=") : Self.aluOps[Int(op >> 4)]
        if (insn.opcode & Opcode.x) != 0 {
            var cast = ""
            if op == Opcode.mov, [8, 16, 32].contains(insn.offset) { cast = "(s\(insn.offset))" }
            return "\(dst) \(name) \(cast)\(src)"
        }
        return "\(dst) \(name) \(insn.imm)"
    }

    func stx(_ insn: Instruction) -> String {
        let mode = insn.opcode & 0xe0
        let sz = size(insn)
        let at = "(r\(insn.dst) \(Self.signed(insn.offset)))"
        if mode == Opcode.mem { return "*(\(sz) *)\(at) = r\(insn.src)" }
        guard mode == Opcode.atomic else { return "BUG_\(Self.hex2(insn.opcode))" }
        let w = (insn.opcode & 0x18) == Opcode.dw ? "64" : ""
        let imm = insn.imm
        let fetch: Int32 = 0x01
        let plain: [Int32: String] = [0x00: "+=", 0x50: "&=", 0x40: "|=", 0xa0: "^="]
        let fetching: [Int32: String] = [0x00 | fetch: "add", 0x50 | fetch: "and", 0x40 | fetch: "or", 0xa0 | fetch: "xor"]
        if let o = plain[imm] { return "lock *(\(sz) *)\(at) \(o) r\(insn.src)" }
        if let o = fetching[imm] { return "r\(insn.src) = atomic\(w)_fetch_\(o)((\(sz) *)\(at), r\(insn.src))" }
        if imm == 0xf0 | fetch { return "r0 = atomic\(w)_cmpxchg((\(sz) *)\(at), r0, r\(insn.src))" }
        if imm == 0xe0 | fetch { return "r\(insn.src) = atomic\(w)_xchg((\(sz) *)\(at), r\(insn.src))" }
        // BPF_LOAD_ACQ (0x100) and BPF_STORE_REL (0x110), 6.15.
        if imm == 0x100 { return "r\(insn.dst) = load_acquire((\(sz) *)(r\(insn.src) \(Self.signed(insn.offset))))" }
        if imm == 0x110 { return "store_release((\(sz) *)\(at), r\(insn.src))" }
        return "BUG_\(Self.hex2(insn.opcode))"
    }

    func st(_ insn: Instruction) -> String {
        let mode = insn.opcode & 0xe0
        if mode == Opcode.mem { return "*(\(size(insn)) *)(r\(insn.dst) \(Self.signed(insn.offset))) = \(insn.imm)" }
        // BPF_NOSPEC: a speculation barrier the verifier inserts (no UAPI name).
        if mode == 0xc0 { return "nospec" }
        return "BUG_st_\(Self.hex2(insn.opcode))"
    }

    func ldx(_ insn: Instruction) -> String {
        let mode = insn.opcode & 0xe0
        let sz: String
        switch mode {
        case Opcode.mem: sz = size(insn)
        case Opcode.memsx: sz = Self.signedSizes[insn.opcode & 0x18] ?? "s?"
        default: return "BUG_ldx_\(Self.hex2(insn.opcode))"
        }
        return "r\(insn.dst) = *(\(sz) *)(r\(insn.src) \(Self.signed(insn.offset)))"
    }

    func ld(_ insn: Instruction) -> String {
        let mode = insn.opcode & 0xe0
        if mode == Opcode.abs { return "r0 = *(\(size(insn)) *)skb[\(insn.imm)]" }
        if mode == Opcode.ind { return "r0 = *(\(size(insn)) *)skb[r\(insn.src) + \(insn.imm)]" }
        return "BUG_ld_\(Self.hex2(insn.opcode))"
    }

    func loadImm64(_ insn: Instruction, _ next: Instruction) -> String {
        if let custom = immediateText?(insn, next) { return "r\(insn.dst) = \(custom)" }
        let value: String
        switch insn.src {
        case Opcode.pseudoMapFD: value = "map[id:\(UInt32(bitPattern: insn.imm))]"
        case Opcode.pseudoMapValue: value = "map[id:\(UInt32(bitPattern: insn.imm))][0]+\(UInt32(bitPattern: next.imm))"
        case 5: value = "map[idx:\(UInt32(bitPattern: insn.imm))]"  // BPF_PSEUDO_MAP_IDX
        case 6: value = "map[idx:\(UInt32(bitPattern: insn.imm))]+\(UInt32(bitPattern: next.imm))"  // BPF_PSEUDO_MAP_IDX_VALUE
        case Opcode.pseudoFunc: value = "subprog[\(Self.signed(insn.imm))]"
        default:
            let full = UInt64(UInt32(bitPattern: next.imm)) << 32 | UInt64(UInt32(bitPattern: insn.imm))
            value = "0x" + String(full, radix: 16)
        }
        return "r\(insn.dst) = \(value)"
    }

    func jump(_ insn: Instruction, at index: Int) -> String {
        let is32 = insn.instructionClass == Opcode.jmp32
        let op = insn.opcode & 0xf0
        if op == Opcode.callOp {
            if insn.src == Opcode.pseudoCall {
                return "call pc" + (callName?(insn, index) ?? Self.signed(insn.imm))
            }
            return "call \(callTarget(insn, at: index))#\(insn.imm)"
        }
        if insn.opcode == Opcode.jmp | Opcode.ja { return "goto pc\(Self.signed(insn.offset))" }
        if insn.opcode == Opcode.jmp32 | Opcode.ja { return "gotol pc\(Self.signed(insn.imm))" }
        // BPF_JCOND with BPF_MAY_GOTO (src 0), 6.9.
        if insn.opcode == Opcode.jmp | 0xe0, insn.src == 0 { return "may_goto pc\(Self.signed(insn.offset))" }
        if insn.opcode == Opcode.exit { return "exit" }
        guard op != 0xe0, op != 0xf0 else { return "BUG_jmp_\(Self.hex2(insn.opcode))" }
        let r: Character = is32 ? "w" : "r"
        let name = Self.jumpOps[Int(op >> 4)]
        if (insn.opcode & Opcode.x) != 0 {
            return "if \(r)\(insn.dst) \(name) \(r)\(insn.src) goto pc\(Self.signed(insn.offset))"
        }
        return "if \(r)\(insn.dst) \(name) 0x\(String(UInt32(bitPattern: insn.imm), radix: 16)) goto pc\(Self.signed(insn.offset))"
    }

    /// A helper's name by id (valid before load; in xlated code only `bpf_tail_call#12`
    /// keeps its id, other helpers carry an address offset that `callName` must resolve).
    func callTarget(_ insn: Instruction, at index: Int) -> String {
        if insn.src == 0, insn.imm > 0, let h = BPFHelper(rawValue: insn.imm) { return "bpf_" + h.name }
        if let custom = callName?(insn, index) { return custom }
        if insn.src == Opcode.pseudoKfuncCall { return "kernel-function" }
        return "unknown"
    }
}
