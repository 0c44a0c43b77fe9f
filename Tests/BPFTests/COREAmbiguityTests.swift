import Testing
@testable import BPF

/// Several target candidates per local type, with a custom target BTF (the BTF of
/// `core_target.bpf.c`), as libbpf's `btf_custom_path` allows.
@Suite struct COREAmbiguityTests {
    let object: COREObject
    let target: BTF

    init() throws {
        object = try COREObject(EmbeddedObjects.coreAmbiguity.bytes)
        let targetObject = try COREObject(EmbeddedObjects.coreTarget.bytes)
        target = targetObject.btf
    }

    func failure(_ function: String) -> String? {
        do {
            _ = try object.relocate(function, against: target)
            return nil
        } catch let error as BPFError {
            return error.description
        } catch {
            return "\(error)"
        }
    }

    @Test func candidatesAtDifferentOffsetsAreAnError() throws {
        let message = try #require(failure("amb_offset_read"))
        #expect(message.contains("field offset ambiguity"))
        #expect(message.contains("amb_offset_read"))
        #expect(message.contains("<byte_off>"))
        #expect(message.contains("struct amb_offset + '0:0'"))
        #expect(message.contains("at instruction"))
    }

    @Test func candidatesWithDifferentValuesAreAnError() throws {
        let message = try #require(failure("amb_size_read"))
        #expect(message.contains("relocation decision ambiguity"))
        #expect(message.contains("<byte_sz>"))
        #expect(message.contains("success 4") && message.contains("success 8"))
    }

    @Test func candidatesThatAgreeAreFine() throws {
        let (insns, results) = try object.relocate("amb_agree_read", against: target)
        #expect(results.count == 1)
        #expect(results[0].newValue == 0 && !results[0].poisoned)
        #expect(insns[results[0].instructionIndex].imm == 0)
    }

    @Test func nonMatchingCandidatesArePrunedFromTheCache() throws {
        let relocator = CORERelocator(local: object.btf, target: target)
        let (insns, results) = try object.relocate("amb_prune_read", against: target, relocator: relocator)
        #expect(results.count == 2)
        let y = try #require(results.first { $0.localSpec.contains(".y") })
        #expect(insns[y.instructionIndex].imm == 4)
        #expect(y.targetSpec?.contains("amb_prune___v2.y") == true)
        let localID = try #require(object.btf.typeID(named: "amb_prune", kind: .struct))
        let v2 = try #require(target.typeID(named: "amb_prune___v2", kind: .struct))
        #expect(relocator.cache.cached(localID)?.map(\.id) == [v2])
    }
}
