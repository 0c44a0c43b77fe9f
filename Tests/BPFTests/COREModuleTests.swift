import Testing
@testable import BPF

/// Hand-built BTF blobs: a tiny "vmlinux", a module BTF split from it, and a local BTF; the
/// relocator looks in the module only for local types that have no candidate in the base.
@Suite struct COREModuleTests {
    /// Little-endian BTF blob writer (types as u32 words, strings).
    struct Blob {
        var words: [UInt32] = []
        var strings: [UInt8] = [0]
        /// Added to string offsets (a split BTF's strings follow its base's).
        var stringBase: UInt32 = 0

        mutating func name(_ s: String) -> UInt32 {
            let off = UInt32(strings.count) + stringBase
            strings += Array(s.utf8) + [0]
            return off
        }
        mutating func int(_ name: String) {
            let n = self.name(name)
            words += [n, UInt32(BTFKind.int.rawValue) << 24, 4, 1 << 24 | 32]
        }
        mutating func structure(_ name: String, size: UInt32, members: [(String, UInt32, UInt32)]) {
            let n = self.name(name)
            words += [n, UInt32(BTFKind.struct.rawValue) << 24 | UInt32(members.count), size]
            for (member, type, bitOffset) in members { words += [self.name(member), type, bitOffset] }
        }
        var bytes: [UInt8] {
            var out: [UInt8] = [0x9f, 0xeb, 1, 0]
            for v in [24, 0, UInt32(words.count * 4), UInt32(words.count * 4), UInt32(strings.count)] as [UInt32] {
                out += withUnsafeBytes(of: v.littleEndian, Array.init)
            }
            for w in words { out += withUnsafeBytes(of: w.littleEndian, Array.init) }
            return out + strings
        }
    }

    let local: BTF
    let base: BTF
    let module: BTF

    init() throws {
        var b = Blob()
        b.int("int")                                                   // [1]
        b.structure("base_s", size: 8, members: [("pad", 1, 0), ("x", 1, 32)])   // [2]
        base = try BTF(bytes: b.bytes)

        var m = Blob()
        m.stringBase = UInt32(b.strings.count)
        m.structure("mod_s", size: 16, members: [("pad", 1, 0), ("y", 1, 64)])    // [3]
        module = try BTF(bytes: m.bytes, base: base)

        var l = Blob()
        l.int("int")                                                   // [1]
        l.structure("mod_s", size: 4, members: [("y", 1, 0)])          // [2]
        l.structure("base_s", size: 4, members: [("x", 1, 0)])         // [3]
        local = try BTF(bytes: l.bytes)
    }

    func run(_ relocator: CORERelocator, _ insns: inout [Instruction], _ records: [CORERelocationRecord]) throws -> [CORERelocationResult] {
        try relocator.apply(to: &insns, sectionOffset: 0, records: records, programName: "mod_test")
    }

    static let program: [Instruction] = [
        Instruction(opcode: Opcode.alu64 | Opcode.mov | Opcode.k, dst: 1, imm: 0),      // mod_s.y offset
        Instruction(opcode: Opcode.alu64 | Opcode.mov | Opcode.k, dst: 2, imm: 0),      // base_s.x offset
        Instruction(opcode: Opcode.loadImm64, dst: 3, imm: 2), Instruction(opcode: 0),  // mod_s target id
        Instruction(opcode: Opcode.exit),
    ]

    static let records = [
        CORERelocationRecord(insnOffset: 0, typeID: 2, accessStringOffset: 0, accessString: "0:0", kind: .fieldByteOffset),
        CORERelocationRecord(insnOffset: 8, typeID: 3, accessStringOffset: 0, accessString: "0:0", kind: .fieldByteOffset),
        CORERelocationRecord(insnOffset: 16, typeID: 2, accessStringOffset: 0, accessString: "0", kind: .typeIDTarget),
    ]

    @Test func moduleTypesAreCandidatesWhenTheBaseHasNone() throws {
        var insns = Self.program
        let results = try run(CORERelocator(local: local, target: base, modules: [module]), &insns, Self.records)
        #expect(results.count == 3)
        #expect(insns[0].imm == 8)                // mod_s.y at bit 64 in the module
        #expect(insns[1].imm == 4)                // base_s.x at bit 32 in the base
        #expect(insns[2].imm == 3 && insns[3].imm == 0)   // mod_s is id 3, after the base's ids
        #expect(results[0].targetSpec == "[3] struct mod_s.y (0:1 @ offset 8)")
    }

    @Test func withoutModulesTheModuleTypeIsMissing() throws {
        var insns = Self.program
        let results = try run(CORERelocator(local: local, target: base), &insns, Self.records)
        #expect(results[0].poisoned)
        #expect(insns[0] == COREInstructionPatch.poisonInstruction)
        #expect(insns[1].imm == 4)
        #expect(insns[2].imm == 0 && !results[2].poisoned)   // TYPE_ID_TARGET of a missing type is 0
    }
}
