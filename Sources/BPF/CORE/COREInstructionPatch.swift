/// Writing a relocation's value into its instruction (libbpf's `bpf_core_patch_insn`).
enum COREInstructionPatch {
    /// The helper number of the poison call: 0xbad2310, "bad relo". A reachable poisoned
    /// instruction makes the verifier say "invalid func unknown#195896080".
    static let poisonHelper: Int32 = 195_896_080

    /// The instruction that replaces one whose relocation failed: `call 0xbad2310`
    /// (`BPF_JMP | BPF_CALL`, registers and offset 0).
    static var poisonInstruction: Instruction {
        Instruction(opcode: Opcode.call, dst: 0, src: 0, offset: 0, imm: poisonHelper)
    }

    /// What the patch did, for logs.
    struct Outcome {
        /// The value found in the instruction before patching.
        var previousValue: Int64
        var poisoned: Bool
        /// Load/store size changed (bytes before → after), if it did.
        var memorySizeChange: (from: Int, to: Int)?
    }

    /// Patches `insns[index]` (and `insns[index + 1]` for ld_imm64) with `decision`.
    static func apply(_ decision: CORERelocationDecision, to insns: inout [Instruction], at index: Int) throws(COREFailure) -> Outcome {
        guard insns.indices.contains(index) else {
            throw COREFailure("instruction \(index) is outside the function (\(insns.count) instructions)")
        }
        let insn = insns[index]
        if decision.poison {
            return poison(&insns, at: index, previous: currentValue(insns, index))
        }
        let original = decision.originalValue
        let new = decision.newValue
        switch insn.instructionClass {
        case Opcode.alu, Opcode.alu64:
            guard insn.opcode & 0x08 == Opcode.k else {
                throw COREFailure("instruction \(index) is an ALU operation with a register source, which has no immediate to patch")
            }
            if decision.validate && UInt64(bitPattern: Int64(insn.imm)) != original {
                throw COREFailure("instruction \(index) has \(insn.imm), local BTF says \(original)")
            }
            insns[index].imm = Int32(truncatingIfNeeded: new)
            return Outcome(previousValue: Int64(insn.imm), poisoned: false)
        case Opcode.ldx, Opcode.st, Opcode.stx:
            if decision.validate && Int64(insn.offset) != Int64(bitPattern: original) {
                throw COREFailure("instruction \(index) has offset \(insn.offset), local BTF says \(original)")
            }
            guard new <= UInt64(Int16.max) else {
                throw COREFailure("instruction \(index): offset \(new) does not fit the 16-bit offset field")
            }
            if decision.failMemorySizeAdjust {
                // Reading a signed or non-integer field with a different size would give a wrong value.
                return poison(&insns, at: index, previous: Int64(insn.offset))
            }
            insns[index].offset = Int16(new)
            var outcome = Outcome(previousValue: Int64(insn.offset), poisoned: false)
            if decision.newSize != decision.originalSize {
                let current = accessSize(insn.opcode)
                guard current == decision.originalSize else {
                    throw COREFailure("instruction \(index) accesses \(current.map(String.init) ?? "?") bytes, local BTF says the field has \(decision.originalSize)")
                }
                guard let code = sizeCode(bytes: decision.newSize) else {
                    throw COREFailure("instruction \(index): the target field size \(decision.newSize) has no load/store size")
                }
                insns[index].opcode = (insn.opcode & 0xe0) | code | insn.instructionClass
                outcome.memorySizeChange = (decision.originalSize, decision.newSize)
            }
            return outcome
        case Opcode.ld:
            guard insn.isLoadImm64, index + 1 < insns.count, insn.src == 0, insn.offset == 0 else {
                throw COREFailure("instruction \(index) (opcode 0x\(String(insn.opcode, radix: 16))) is not a plain 64-bit immediate load")
            }
            let second = insns[index + 1]
            guard second.opcode == 0, second.dst == 0, second.src == 0, second.offset == 0 else {
                throw COREFailure("instruction \(index) is a 64-bit immediate load with a malformed second half")
            }
            let current = UInt64(UInt32(bitPattern: insn.imm)) | UInt64(UInt32(bitPattern: second.imm)) << 32
            if decision.validate && current != original {
                throw COREFailure("instruction \(index) has \(current), local BTF says \(original)")
            }
            insns[index].imm = Int32(truncatingIfNeeded: new)
            insns[index + 1].imm = Int32(truncatingIfNeeded: new >> 32)
            return Outcome(previousValue: Int64(bitPattern: current), poisoned: false)
        default:
            throw COREFailure("instruction \(index) (opcode 0x\(String(insn.opcode, radix: 16))) cannot carry a CO-RE value: only ALU with immediate, LDX/ST/STX and 64-bit immediate loads can")
        }
    }

    /// The relocatable value currently in `insns[index]`, for reporting.
    static func currentValue(_ insns: [Instruction], _ index: Int) -> Int64 {
        let insn = insns[index]
        switch insn.instructionClass {
        case Opcode.ldx, Opcode.st, Opcode.stx: return Int64(insn.offset)
        case Opcode.ld where insn.isLoadImm64 && index + 1 < insns.count:
            return Int64(bitPattern: UInt64(UInt32(bitPattern: insn.imm)) | UInt64(UInt32(bitPattern: insns[index + 1].imm)) << 32)
        default: return Int64(insn.imm)
        }
    }

    /// Replaces the instruction (both halves of an ld_imm64) with the poison call.
    static func poison(_ insns: inout [Instruction], at index: Int, previous: Int64) -> Outcome {
        if insns[index].isLoadImm64 && index + 1 < insns.count {
            insns[index + 1] = poisonInstruction
        }
        insns[index] = poisonInstruction
        return Outcome(previousValue: previous, poisoned: true)
    }

    /// Bytes accessed by a load/store opcode (`BPF_SIZE`).
    static func accessSize(_ opcode: UInt8) -> Int? {
        switch opcode & 0x18 {
        case Opcode.dw: 8
        case Opcode.w: 4
        case Opcode.h: 2
        case Opcode.b: 1
        default: nil
        }
    }

    /// `BPF_SIZE` bits for an access of `bytes`.
    static func sizeCode(bytes: Int) -> UInt8? {
        switch bytes {
        case 8: Opcode.dw
        case 4: Opcode.w
        case 2: Opcode.h
        case 1: Opcode.b
        default: nil
        }
    }
}
