import Testing
@testable import BPF

/// Records mutated into every kind, odd access strings and odd type ids: the relocator must
/// either apply them or throw `BPFError.coreRelocation`, never trap.
@Suite struct CORERobustnessTests {
    @Test func mutatedRecordsNeverCrash() throws {
        let object = try COREObject(EmbeddedObjects.coreKernel.bytes)
        let kernel = try BTF.kernel()
        let relocator = CORERelocator(local: object.btf, target: kernel)
        let accessStrings = ["0", "0:0", "0:1", "0:3:3", "0:1:0", "1:2:3:4", "2147483647", "0:2147483647",
                             "2147483647:0", "0:0:0:0:0:0", ""]
        let typeIDs: [UInt32] = [0, 1, 2, 3, 5, object.btf.count - 1, object.btf.count, .max]
        var applied = 0, rejected = 0
        for function in ["core_fields", "core_types", "core_enums"] {
            let f = try #require(object.functions[function])
            guard let record = object.records[f.section]?.first else { continue }
            for kind in CORERelocationKind.allCases {
                for access in accessStrings {
                    for typeID in typeIDs {
                        var r = record
                        r.kind = kind
                        r.accessString = access
                        r.typeID = typeID
                        var insns = f.instructions
                        do {
                            let results = try relocator.apply(to: &insns, sectionOffset: f.sectionOffset, records: [r],
                                                              programName: function)
                            #expect(results.count == 1)
                            #expect(insns.count == f.instructions.count)
                            applied += 1
                        } catch {
                            guard case .coreRelocation(let program, let why) = error else {
                                Issue.record("unexpected error \(error)")
                                continue
                            }
                            #expect(program == function)
                            #expect(why.contains("relocation #0"))
                            rejected += 1
                        }
                    }
                }
            }
        }
        #expect(applied > 0 && rejected > 0)
    }

    @Test func everyOpcodeAtARelocatedInstructionIsHandled() throws {
        let object = try COREObject(EmbeddedObjects.coreKernel.bytes)
        let kernel = try BTF.kernel()
        let relocator = CORERelocator(local: object.btf, target: kernel)
        let f = try #require(object.functions["core_fields"])
        let records = try #require(object.records[f.section])
        var patched = 0
        for record in records.prefix(2) {
            let index = Int(record.insnOffset / 8) - f.sectionOffset
            for opcode in 0...255 {
                var insns = f.instructions
                insns[index].opcode = UInt8(opcode)
                if index + 1 < insns.count { insns[index + 1] = Instruction(opcode: 0) }
                if let _ = try? relocator.apply(to: &insns, sectionOffset: f.sectionOffset, records: [record],
                                                programName: "core_fields") {
                    patched += 1
                }
            }
        }
        #expect(patched > 0)
    }
}
