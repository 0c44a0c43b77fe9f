import Testing
@testable import BPF

/// Arrays (multi-dimensional, flexible), signed and straddling bitfields, against the custom
/// target BTF of `core_target.bpf.c` whose layout (checked with bpftool) is:
/// `struct lay { int pad; int grid[3][4]; int sbits:5 @416; int count @448; char flex[] @480 }`,
/// `struct lay_straddle (packed) { u64 low:60; u64 cross:8 @60 }`.
@Suite struct CORELayoutTests {
    let object: COREObject
    let target: BTF

    init() throws {
        object = try COREObject(EmbeddedObjects.coreAmbiguity.bytes)
        target = try COREObject(EmbeddedObjects.coreTarget.bytes).btf
    }

    func value(_ results: [CORERelocationResult], _ insns: [Instruction], _ kind: CORERelocationKind,
               _ spec: String) throws -> Int64 {
        let r = try #require(results.first { $0.kind == kind && $0.localSpec.hasPrefix(spec) }, "\(spec) in \(results)")
        #expect(!r.poisoned)
        let insn = insns[r.instructionIndex]
        let patched = insn.instructionClass == Opcode.ldx ? Int64(insn.offset) : Int64(insn.imm)
        #expect(patched == r.newValue)
        return r.newValue
    }

    @Test func arrayElementsAndSizes() throws {
        let (insns, results) = try object.relocate("lay_arrays", against: target)
        #expect(results.count == 5)
        // grid[2][3]: 4 + (2 * 4 + 3) * 4.
        #expect(try value(results, insns, .fieldByteOffset, "struct lay.grid[2][3]") == 48)
        #expect(try value(results, insns, .fieldByteSize, "struct lay.grid[1]") == 16)
        #expect(try value(results, insns, .fieldByteSize, "struct lay.grid (") == 48)
        // A flexible array accepts any index: flex at 60, element 5.
        #expect(try value(results, insns, .fieldByteOffset, "struct lay.flex[5]") == 65)
        #expect(try value(results, insns, .fieldByteOffset, "struct lay.count") == 56)
        let grid = try #require(results.first { $0.localSpec.hasPrefix("struct lay.grid[2][3]") })
        #expect(grid.localSpec == "struct lay.grid[2][3] (0:0:2:3 @ offset 44)")
        #expect(grid.targetSpec == "[5] struct lay.grid[2][3] (0:1:2:3 @ offset 48)")
    }

    @Test func signedBitfield() throws {
        let (insns, results) = try object.relocate("lay_signed_bitfield", against: target)
        #expect(results.count == 6)
        #expect(try value(results, insns, .fieldByteOffset, "struct lay.sbits") == 52)
        #expect(try value(results, insns, .fieldByteSize, "struct lay.sbits") == 4)
        #expect(try value(results, insns, .fieldLShiftU64, "struct lay.sbits") == 59)
        #expect(try value(results, insns, .fieldSigned, "struct lay.sbits") == 1)
        for r in results where r.kind == .fieldRShiftU64 {
            #expect(insns[r.instructionIndex].imm == 59)
        }
    }

    @Test func bitfieldNoLoadCanCoverIsAnError() throws {
        do {
            _ = try object.relocate("lay_straddle", against: target)
            Issue.record("a bitfield straddling 8 bytes was relocated")
        } catch let error as BPFError {
            #expect(error.description.contains("cannot be read with one 64-bit load"))
            #expect(error.description.contains("struct lay_straddle + '0:1'"))
        }
    }
}
