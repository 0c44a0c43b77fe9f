/// A tiny assembler with named labels, so hand-written programs need no counted jump offsets.
///
///     var a = Assembler()
///     a.emit(.call(helper: .getCurrentPidTgid))
///     a.jump(.ne, .r0, imm: 0, to: "out")
///     a.label("out")
///     a.emit(Instruction.returning(0))
///     let insns = try a.assemble()
public struct Assembler: Sendable {
    var instructions: [Instruction] = []
    var labels: [String: Int] = [:]
    var fixups: [(index: Int, label: String)] = []

    /// An empty program.
    public init() {}

    /// The number of instruction slots emitted so far.
    public var count: Int { instructions.count }

    /// Appends one instruction.
    public mutating func emit(_ instruction: Instruction) { instructions.append(instruction) }

    /// Appends several instructions (e.g. a two-slot `loadImm64`).
    public mutating func emit(_ list: [Instruction]) { instructions.append(contentsOf: list) }

    /// Names the position of the next instruction.
    public mutating func label(_ name: String) { labels[name] = instructions.count }

    /// `if dst cond imm goto label`.
    public mutating func jump(_ cond: JumpCondition, _ dst: Register, imm: Int32, to label: String, is64: Bool = true) {
        fixups.append((instructions.count, label))
        instructions.append(.jump(cond, dst, imm: imm, offset: 0, is64: is64))
    }

    /// `if dst cond src goto label`.
    public mutating func jump(_ cond: JumpCondition, _ dst: Register, _ src: Register, to label: String, is64: Bool = true) {
        fixups.append((instructions.count, label))
        instructions.append(.jump(cond, dst, src, offset: 0, is64: is64))
    }

    /// `goto label`.
    public mutating func goto(_ label: String) {
        fixups.append((instructions.count, label))
        instructions.append(.ja(0))
    }

    /// The program with every jump resolved. Throws for an undefined label or an offset that
    /// does not fit 16 bits.
    public func assemble() throws(BPFError) -> [Instruction] {
        var out = instructions
        for fixup in fixups {
            guard let target = labels[fixup.label] else { throw .invalidArgument("undefined assembler label '\(fixup.label)'") }
            let offset = target - (fixup.index + 1)
            guard let narrow = Int16(exactly: offset) else { throw .invalidArgument("jump to '\(fixup.label)' is out of range (\(offset))") }
            out[fixup.index].offset = narrow
        }
        return out
    }
}
