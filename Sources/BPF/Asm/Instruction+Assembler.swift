/// Builders for instructions, for tests, feature probes and small hand-written programs.
/// Jump offsets count instructions after the jump: the target is `pc + 1 + offset`
/// (a 64-bit immediate load counts as two).
extension Instruction {
    // MARK: ALU

    /// `dst op= imm` on 64 bits (`BPF_ALU64 | op | BPF_K`).
    public static func aluImm(_ op: ALUOperation, _ dst: Register, _ imm: Int32, is64: Bool = true) -> Instruction {
        Instruction(opcode: (is64 ? Opcode.alu64 : Opcode.alu) | op.rawValue | Opcode.k, dst: dst.rawValue, imm: imm)
    }

    /// `dst op= src` on 64 bits (`BPF_ALU64 | op | BPF_X`).
    public static func aluReg(_ op: ALUOperation, _ dst: Register, _ src: Register, is64: Bool = true) -> Instruction {
        Instruction(opcode: (is64 ? Opcode.alu64 : Opcode.alu) | op.rawValue | Opcode.x, dst: dst.rawValue, src: src.rawValue)
    }

    /// `dst = imm` (64-bit, sign-extended).
    public static func mov64(_ dst: Register, imm: Int32) -> Instruction { aluImm(.mov, dst, imm) }
    /// `dst = src` (64-bit).
    public static func mov64(_ dst: Register, _ src: Register) -> Instruction { aluReg(.mov, dst, src) }
    /// `dst = imm` (32-bit; the upper half is zeroed).
    public static func mov32(_ dst: Register, imm: Int32) -> Instruction { aluImm(.mov, dst, imm, is64: false) }
    /// `dst = src` (32-bit; the upper half is zeroed).
    public static func mov32(_ dst: Register, _ src: Register) -> Instruction { aluReg(.mov, dst, src, is64: false) }
    /// `dst += imm` (64-bit).
    public static func add64(_ dst: Register, imm: Int32) -> Instruction { aluImm(.add, dst, imm) }
    /// `dst += src` (64-bit).
    public static func add64(_ dst: Register, _ src: Register) -> Instruction { aluReg(.add, dst, src) }
    /// `dst >>= imm` (64-bit, logical).
    public static func rsh64(_ dst: Register, imm: Int32) -> Instruction { aluImm(.rsh, dst, imm) }

    // MARK: 64-bit immediates

    /// `dst = imm64` (`BPF_LD | BPF_IMM | BPF_DW`): two instructions.
    public static func loadImm64(_ dst: Register, _ value: UInt64) -> [Instruction] {
        [Instruction(opcode: Opcode.loadImm64, dst: dst.rawValue, imm: Int32(bitPattern: UInt32(truncatingIfNeeded: value))),
         Instruction(opcode: 0, imm: Int32(bitPattern: UInt32(truncatingIfNeeded: value >> 32)))]
    }

    /// `dst = map` by descriptor (`BPF_PSEUDO_MAP_FD`): two instructions; the kernel replaces the
    /// fd with the map's address.
    public static func loadMapFD(_ dst: Register, fd: Int32) -> [Instruction] {
        [Instruction(opcode: Opcode.loadImm64, dst: dst.rawValue, src: Opcode.pseudoMapFD, imm: fd),
         Instruction(opcode: 0)]
    }

    /// `dst = &value[0] + offset` of an array map (`BPF_PSEUDO_MAP_VALUE`): two instructions.
    public static func loadMapValue(_ dst: Register, fd: Int32, offset: Int32) -> [Instruction] {
        [Instruction(opcode: Opcode.loadImm64, dst: dst.rawValue, src: Opcode.pseudoMapValue, imm: fd),
         Instruction(opcode: 0, imm: offset)]
    }

    // MARK: Memory

    /// `dst = *(size *)(src + offset)` (`BPF_LDX | BPF_MEM`).
    public static func ldx(_ size: MemorySize, _ dst: Register, _ src: Register, offset: Int16) -> Instruction {
        Instruction(opcode: Opcode.ldx | Opcode.mem | size.rawValue, dst: dst.rawValue, src: src.rawValue, offset: offset)
    }

    /// `*(size *)(dst + offset) = src` (`BPF_STX | BPF_MEM`).
    public static func stx(_ size: MemorySize, _ dst: Register, offset: Int16, _ src: Register) -> Instruction {
        Instruction(opcode: Opcode.stx | Opcode.mem | size.rawValue, dst: dst.rawValue, src: src.rawValue, offset: offset)
    }

    /// `*(size *)(dst + offset) = imm` (`BPF_ST | BPF_MEM`).
    public static func st(_ size: MemorySize, _ dst: Register, offset: Int16, imm: Int32) -> Instruction {
        Instruction(opcode: Opcode.st | Opcode.mem | size.rawValue, dst: dst.rawValue, offset: offset, imm: imm)
    }

    /// `lock *(size *)(dst + offset) += src` (`BPF_STX | BPF_ATOMIC`, `BPF_ADD`); word or double.
    public static func atomicAdd(_ size: MemorySize, _ dst: Register, offset: Int16, _ src: Register) -> Instruction {
        Instruction(opcode: Opcode.stx | Opcode.atomic | size.rawValue, dst: dst.rawValue, src: src.rawValue, offset: offset, imm: Int32(Opcode.add))
    }

    // MARK: Jumps and calls

    /// `goto +offset` (`BPF_JA`).
    public static func ja(_ offset: Int16) -> Instruction {
        Instruction(opcode: Opcode.jmp | Opcode.ja, offset: offset)
    }

    /// `if dst cond imm goto +offset` (64-bit compare; `is64: false` uses `BPF_JMP32`).
    public static func jump(_ cond: JumpCondition, _ dst: Register, imm: Int32, offset: Int16, is64: Bool = true) -> Instruction {
        Instruction(opcode: (is64 ? Opcode.jmp : Opcode.jmp32) | cond.rawValue | Opcode.k, dst: dst.rawValue, offset: offset, imm: imm)
    }

    /// `if dst cond src goto +offset`.
    public static func jump(_ cond: JumpCondition, _ dst: Register, _ src: Register, offset: Int16, is64: Bool = true) -> Instruction {
        Instruction(opcode: (is64 ? Opcode.jmp : Opcode.jmp32) | cond.rawValue | Opcode.x, dst: dst.rawValue, src: src.rawValue, offset: offset)
    }

    /// `call helper` (`BPF_JMP | BPF_CALL`, imm = helper number). Arguments in r1–r5, result in r0.
    public static func call(helper: BPFHelper) -> Instruction {
        Instruction(opcode: Opcode.call, imm: helper.rawValue)
    }

    /// `call` by helper number (for helpers newer than `BPFHelper`).
    public static func call(helperNumber: Int32) -> Instruction {
        Instruction(opcode: Opcode.call, imm: helperNumber)
    }

    /// `exit`: return r0.
    public static func exit() -> Instruction {
        Instruction(opcode: Opcode.exit)
    }

    /// `r0 = value; exit`: a whole trivial program.
    public static func returning(_ value: Int32) -> [Instruction] {
        [mov64(.r0, imm: value), exit()]
    }
}
