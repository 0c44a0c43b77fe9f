/// The eBPF registers. r0 holds return values, r1–r5 arguments (clobbered by calls), r6–r9 are
/// callee-saved, r10 is the read-only frame pointer.
public enum Register: UInt8, Sendable, CaseIterable {
    case r0, r1, r2, r3, r4, r5, r6, r7, r8, r9, r10
    /// The frame pointer, r10.
    public static let fp = Register.r10
}

/// ALU operations (`BPF_ADD` ... `BPF_END`) for `Instruction.aluImm`/`aluReg`.
public enum ALUOperation: UInt8, Sendable {
    case add = 0x00, sub = 0x10, mul = 0x20, div = 0x30, or = 0x40, and = 0x50, lsh = 0x60, rsh = 0x70
    case neg = 0x80, mod = 0x90, xor = 0xa0, mov = 0xb0, arsh = 0xc0
}

/// Conditional jump operations (`BPF_JEQ` ...) for `Instruction.jump`.
public enum JumpCondition: UInt8, Sendable {
    case eq = 0x10, gt = 0x20, ge = 0x30, set = 0x40, ne = 0x50, sgt = 0x60, sge = 0x70
    case lt = 0xa0, le = 0xb0, slt = 0xc0, sle = 0xd0
}

/// Memory access sizes (`BPF_B`, `BPF_H`, `BPF_W`, `BPF_DW`).
public enum MemorySize: UInt8, Sendable {
    case byte = 0x10, half = 0x08, word = 0x00, double = 0x18

    /// The size in bytes.
    public var bytes: Int {
        switch self {
        case .byte: 1
        case .half: 2
        case .word: 4
        case .double: 8
        }
    }
}
