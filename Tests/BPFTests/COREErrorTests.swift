import Testing
@testable import BPF

/// Bad input and the verifier-log helper: every failure names the relocation.
@Suite struct COREErrorTests {
    let object: COREObject
    let kernel: BTF
    let fields: COREObject.Function
    let records: [CORERelocationRecord]

    init() throws {
        object = try COREObject(EmbeddedObjects.coreKernel.bytes)
        kernel = try BTF.kernel()
        fields = try #require(object.functions["core_fields"])
        records = object.records[fields.section] ?? []
    }

    func message(_ insns: [Instruction], _ records: [CORERelocationRecord]) -> String? {
        var insns = insns
        do {
            _ = try CORERelocator(local: object.btf, target: kernel)
                .apply(to: &insns, sectionOffset: 0, records: records, programName: "core_fields")
            return nil
        } catch {
            return error.description
        }
    }

    /// The record of the LDX that reads task_struct.pid (offset 0 locally).
    func pidLoad() throws -> (record: CORERelocationRecord, index: Int) {
        for r in records where r.kind == .fieldByteOffset && r.accessString == "0:0" {
            let i = Int(r.insnOffset / 8)
            if fields.instructions[i].instructionClass == Opcode.ldx { return (r, i) }
        }
        throw BPFError.missing("pid load record")
    }

    @Test func instructionDisagreeingWithLocalBTFIsRejected() throws {
        let (record, index) = try pidLoad()
        var insns = fields.instructions
        insns[index].offset = 16
        let text = try #require(message(insns, [record]))
        #expect(text.contains("instruction \(index) has offset 16, local BTF says 0"))
        #expect(text.contains("<byte_off> of [\(record.typeID)] struct task_struct + '0:0'"))
        #expect(text.contains("core_fields"))
    }

    @Test func malformedAccessStringsAreRejected() throws {
        let (record, index) = try pidLoad()
        for bad in ["", ":0", "0:x", "0::1", "-1", "0:1:"] {
            var r = record
            r.accessString = bad
            let text = try #require(message(fields.instructions, [r]), "'\(bad)' was accepted")
            #expect(text.contains("access string") || text.contains("bad"), "\(text)")
            #expect(text.contains("at instruction \(index)"))
        }
        // A member index past the struct's members.
        var r = record
        r.accessString = "0:99"
        let text = try #require(message(fields.instructions, [r]))
        #expect(text.contains("member index 99"))
        // A type relocation must use "0".
        r.kind = .typeSize
        r.accessString = "0:1"
        #expect(message(fields.instructions, [r])?.contains("type-based relocation needs access string '0'") == true)
    }

    @Test func instructionsThatCannotCarryAValueAreRejected() throws {
        var (record, _) = try pidLoad()
        let exit = try #require(fields.instructions.lastIndex { $0.opcode == Opcode.exit })
        record.insnOffset = UInt32(exit * 8)
        let text = try #require(message(fields.instructions, [record]))
        #expect(text.contains("instruction \(exit) (opcode 0x95) cannot carry a CO-RE value"))
    }

    @Test func unknownTypesAndMisalignedOffsetsAreRejected() throws {
        var (record, _) = try pidLoad()
        record.typeID = 999_999
        #expect(message(fields.instructions, [record])?.contains("type id 999999 does not exist") == true)
        record = try pidLoad().record
        record.insnOffset += 3
        #expect(message(fields.instructions, [record])?.contains("not a multiple of 8") == true)
    }

    @Test func recordsOutsideTheFunctionAreIgnored() throws {
        var insns = Array(fields.instructions.prefix(4))
        let results = try CORERelocator(local: object.btf, target: kernel)
            .apply(to: &insns, sectionOffset: 0, records: records, programName: "core_fields")
        #expect(results.allSatisfy { $0.instructionIndex < 4 })
        #expect(results.count == records.filter { $0.insnOffset / 8 < 4 }.count)
        #expect(results.count < records.count)
    }

    @Test func verifierLogPoisonIsExplained() throws {
        let (_, results) = try object.relocate("core_fields", against: kernel)
        let prio = try #require(results.first { $0.poisoned })
        let log = """
            func#0 @0
            \(prio.instructionIndex): (85) call unknown#195896080
            invalid func unknown#195896080
            processed 12 insns
            """
        let explanation = try #require(CORERelocator.explainPoison(in: log, results: results))
        #expect(explanation == """
            \(prio.instructionIndex): <invalid CO-RE relocation>
            failed to resolve CO-RE relocation <byte_off> [\(prio.localTypeID)] struct task_struct.prio (0:5 @ offset 40)
            """)
        let rewritten = CORERelocator.rewritePoisonedLog(log, results: results)
        #expect(rewritten.contains("failed to resolve CO-RE relocation <byte_off>"))
        #expect(!rewritten.contains("unknown#195896080"))
        #expect(rewritten.hasPrefix("func#0 @0\n") && rewritten.hasSuffix("processed 12 insns"))
        // Results shifted into a program's numbering still match.
        let shifted = results.map { $0.shifted(by: 100) }
        let log2 = "\(prio.instructionIndex + 100): (85) call unknown#195896080\ninvalid func unknown#195896080"
        #expect(CORERelocator.explainPoison(in: log2, results: shifted)?.contains("task_struct.prio") == true)
        #expect(CORERelocator.explainPoison(in: "R0 invalid mem access", results: results) == nil)
    }

    @Test func resultsDescribeThemselves() throws {
        let (_, results) = try object.relocate("core_fields", against: kernel)
        let flags = try #require(results.first { $0.localSpec.contains(".flags") })
        #expect(flags.description.contains("<byte_off>"))
        #expect(flags.description.contains("32 -> \(flags.newValue)"))
        #expect(flags.description.contains("access size 8 -> 4"))
        #expect(results.first { $0.poisoned }?.description.contains("poisoned") == true)
    }
}
