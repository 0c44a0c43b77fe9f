/// One eBPF instruction: `struct bpf_insn` of the UAPI, 8 bytes, little-endian.
/// A 64-bit immediate load (`BPF_LD | BPF_IMM | BPF_DW`) takes two consecutive instructions;
/// the second carries the upper 32 bits in `imm`.
public struct Instruction: Hashable, Sendable, CustomStringConvertible {
    /// The opcode byte: class, size or source, and mode or operation.
    public var opcode: UInt8
    /// The destination register, 0...10.
    public var dst: UInt8
    /// The source register, 0...10, or a pseudo marker such as `BPF_PSEUDO_MAP_FD`.
    public var src: UInt8
    /// The signed offset: a jump distance or a memory displacement.
    public var offset: Int16
    /// The signed immediate.
    public var imm: Int32

    /// An instruction from its fields (`struct bpf_insn`).
    public init(opcode: UInt8, dst: UInt8 = 0, src: UInt8 = 0, offset: Int16 = 0, imm: Int32 = 0) {
        self.opcode = opcode
        self.dst = dst
        self.src = src
        self.offset = offset
        self.imm = imm
    }

    /// Decodes `struct bpf_insn` from 8 little-endian bytes.
    public init<C: RandomAccessCollection>(bytes b: C) where C.Element == UInt8, C.Index == Int {
        let s = b.startIndex
        opcode = b[s]
        dst = b[s + 1] & 0x0f
        src = b[s + 1] >> 4
        offset = Int16(bitPattern: UInt16(b[s + 2]) | UInt16(b[s + 3]) << 8)
        imm = Int32(bitPattern: UInt32(b[s + 4]) | UInt32(b[s + 5]) << 8 | UInt32(b[s + 6]) << 16 | UInt32(b[s + 7]) << 24)
    }

    /// The 8 bytes of `struct bpf_insn`.
    public var bytes: [UInt8] {
        let o = UInt16(bitPattern: offset)
        let i = UInt32(bitPattern: imm)
        return [opcode, (src << 4) | (dst & 0x0f), UInt8(o & 0xff), UInt8(o >> 8),
                UInt8(i & 0xff), UInt8((i >> 8) & 0xff), UInt8((i >> 16) & 0xff), UInt8(i >> 24)]
    }

    /// Decodes a whole instruction stream.
    public static func decode(_ bytes: some RandomAccessCollection<UInt8>) -> [Instruction] {
        let a = Array(bytes)
        return stride(from: 0, to: a.count - a.count % 8, by: 8).map { Instruction(bytes: a[$0..<$0 + 8]) }
    }

    /// Encodes a whole instruction stream.
    public static func encode(_ insns: [Instruction]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(insns.count * 8)
        for i in insns { out.append(contentsOf: i.bytes) }
        return out
    }

    // MARK: Classification

    /// The instruction class, the low 3 bits (`BPF_CLASS`).
    public var instructionClass: UInt8 { opcode & 0x07 }

    /// `BPF_LD | BPF_IMM | BPF_DW`: the first half of a 64-bit immediate load.
    public var isLoadImm64: Bool { opcode == Opcode.loadImm64 }

    /// `BPF_JMP | BPF_CALL`.
    public var isCall: Bool { opcode == Opcode.call }

    /// A call to another BPF function (`src == BPF_PSEUDO_CALL`).
    public var isPseudoCall: Bool { isCall && src == Opcode.pseudoCall }

    /// An ld_imm64 of a function address (`src == BPF_PSEUDO_FUNC`).
    public var isPseudoFunc: Bool { isLoadImm64 && src == Opcode.pseudoFunc }

    public var description: String {
        "op=0x\(String(opcode, radix: 16)) dst=r\(dst) src=\(src) off=\(offset) imm=\(imm)"
    }
}

/// Opcode constants of the UAPI (`<linux/bpf.h>`, `<linux/bpf_common.h>`).
public enum Opcode {
    // Classes.
    /// Instruction classes (`BPF_LD`, `BPF_LDX`, `BPF_ST`, `BPF_STX`).
    public static let ld: UInt8 = 0x00, ldx: UInt8 = 0x01, st: UInt8 = 0x02, stx: UInt8 = 0x03
    /// Instruction classes (`BPF_ALU`, `BPF_JMP`, `BPF_JMP32`, `BPF_ALU64`).
    public static let alu: UInt8 = 0x04, jmp: UInt8 = 0x05, jmp32: UInt8 = 0x06, alu64: UInt8 = 0x07
    // Sizes.
    /// Memory access sizes (`BPF_W`, `BPF_H`, `BPF_B`, `BPF_DW`).
    public static let w: UInt8 = 0x00, h: UInt8 = 0x08, b: UInt8 = 0x10, dw: UInt8 = 0x18
    // Modes.
    /// Load and store modes (`BPF_IMM`, `BPF_ABS`, `BPF_IND`, `BPF_MEM`).
    public static let imm: UInt8 = 0x00, abs: UInt8 = 0x20, ind: UInt8 = 0x40, mem: UInt8 = 0x60
    /// Load and store modes (`BPF_MEMSX`, `BPF_ATOMIC`).
    public static let memsx: UInt8 = 0x80, atomic: UInt8 = 0xc0
    // Sources.
    /// Operand sources (`BPF_K`: the immediate, `BPF_X`: the source register).
    public static let k: UInt8 = 0x00, x: UInt8 = 0x08
    // ALU operations.
    /// ALU operations (`BPF_ADD`, `BPF_SUB`, `BPF_MUL`, `BPF_DIV`).
    public static let add: UInt8 = 0x00, sub: UInt8 = 0x10, mul: UInt8 = 0x20, div: UInt8 = 0x30
    /// ALU operations (`BPF_OR`, `BPF_AND`, `BPF_LSH`, `BPF_RSH`).
    public static let or: UInt8 = 0x40, and: UInt8 = 0x50, lsh: UInt8 = 0x60, rsh: UInt8 = 0x70
    /// ALU operations (`BPF_NEG`, `BPF_MOD`, `BPF_XOR`, `BPF_MOV`).
    public static let neg: UInt8 = 0x80, mod: UInt8 = 0x90, xor: UInt8 = 0xa0, mov: UInt8 = 0xb0
    /// ALU operations (`BPF_ARSH`, `BPF_END`).
    public static let arsh: UInt8 = 0xc0, end: UInt8 = 0xd0
    // Jump operations.
    /// Jump operations (`BPF_JA`, `BPF_JEQ`, `BPF_JGT`, `BPF_JGE`).
    public static let ja: UInt8 = 0x00, jeq: UInt8 = 0x10, jgt: UInt8 = 0x20, jge: UInt8 = 0x30
    /// Jump operations (`BPF_JSET`, `BPF_JNE`, `BPF_JSGT`, `BPF_JSGE`).
    public static let jset: UInt8 = 0x40, jne: UInt8 = 0x50, jsgt: UInt8 = 0x60, jsge: UInt8 = 0x70
    /// Jump operations (`BPF_CALL`, `BPF_EXIT`).
    public static let callOp: UInt8 = 0x80, exitOp: UInt8 = 0x90
    /// Jump operations (`BPF_JLT`, `BPF_JLE`, `BPF_JSLT`, `BPF_JSLE`).
    public static let jlt: UInt8 = 0xa0, jle: UInt8 = 0xb0, jslt: UInt8 = 0xc0, jsle: UInt8 = 0xd0

    /// `BPF_LD | BPF_IMM | BPF_DW`.
    public static let loadImm64: UInt8 = ld | imm | dw
    /// `BPF_JMP | BPF_CALL`.
    public static let call: UInt8 = jmp | callOp
    /// `BPF_JMP | BPF_EXIT`.
    public static let exit: UInt8 = jmp | exitOp

    // Pseudo source registers of ld_imm64 and call.
    /// `BPF_PSEUDO_MAP_FD`: imm is a map fd.
    public static let pseudoMapFD: UInt8 = 1
    /// `BPF_PSEUDO_MAP_VALUE`: imm is a map fd, the next imm an offset into value 0.
    public static let pseudoMapValue: UInt8 = 2
    /// `BPF_PSEUDO_BTF_ID`: imm is a kernel BTF id.
    public static let pseudoBTFID: UInt8 = 3
    /// `BPF_PSEUDO_FUNC`: imm is the relative address of a BPF function.
    public static let pseudoFunc: UInt8 = 4
    /// `BPF_PSEUDO_CALL`: a call to a BPF function, imm relative.
    public static let pseudoCall: UInt8 = 1
    /// `BPF_PSEUDO_KFUNC_CALL`: a call to a kernel function by BTF id.
    public static let pseudoKfuncCall: UInt8 = 2
}
