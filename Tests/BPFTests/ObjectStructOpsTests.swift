import Testing
@testable import BPF

/// struct_ops maps as libbpf's open phase defines them: one map per variable of the struct_ops
/// sections, its struct type, initial bytes and the programs its function pointers name.
@Suite struct ObjectStructOpsTests {
    let spec: ObjectSpec

    init() throws {
        spec = try ObjectSpec(bytes: EmbeddedObjects.objStructOps.bytes, name: "obj_struct_ops")
    }

    @Test func mapsOfEverySection() throws {
        #expect(spec.structOpsMaps.map(\.name).sorted() == ["ops_flavour", "ops_link", "ops_optional", "ops_plain"])
        // struct_ops maps are not among the maps MapCreator creates.
        #expect(spec.maps.allSatisfy { $0.type != .structOps })

        let link = try #require(spec.structOpsMap(named: "ops_link"))
        #expect(link.typeName == "swb_test_ops")
        #expect(link.elfSectionName == ".struct_ops.link")
        #expect(link.isLink && link.autocreate)
        #expect(try spec.btf?.type(link.typeID).name == "swb_test_ops")

        let plain = try #require(spec.structOpsMap(named: "ops_plain"))
        #expect(plain.elfSectionName == ".struct_ops" && !plain.isLink && plain.autocreate)

        let optional = try #require(spec.structOpsMap(named: "ops_optional"))
        #expect(optional.elfSectionName == "?.struct_ops" && !optional.isLink && !optional.autocreate)
    }

    @Test func functionPointersBindPrograms() throws {
        let link = try #require(spec.structOpsMap(named: "ops_link"))
        // Members 0 (first, offset 0) and 2 (second, offset 16: after the 4-byte flags, aligned).
        #expect(link.functions == [
            .init(name: "first", index: 0, offset: 0, program: "test_first"),
            .init(name: "second", index: 2, offset: 16, program: "test_second"),
        ])
        #expect(link.program(forMember: "second") == "test_second")
        #expect(link.program(forMember: "flags") == nil)
        #expect(try #require(spec.structOpsMap(named: "ops_plain")).programNames == ["test_second"])
        #expect(try #require(spec.structOpsMap(named: "ops_optional")).programNames == ["test_unused"])

        for name in ["test_first", "test_second", "test_unused"] {
            #expect(spec.program(named: name)?.type == .structOps)
        }
        #expect(spec.program(named: "test_second")?.flags == .sleepable)
    }

    @Test func initialImage() throws {
        let link = try #require(spec.structOpsMap(named: "ops_link"))
        #expect(link.data.count == 40)
        // flags = 7 at offset 8; name at 24; function pointers are zero in the image.
        #expect(Array(link.data[8..<12]) == [7, 0, 0, 0])
        #expect(Array(link.data[24..<32]) == Array("ops_link".utf8))
        #expect(link.data[0..<8].allSatisfy { $0 == 0 } && link.data[16..<24].allSatisfy { $0 == 0 })
    }

    @Test func autoloadFollowsTheMapsThatUseAProgram() throws {
        // test_unused is bound only by ?.struct_ops (not created): not loaded by default, as libbpf.
        let autoload = spec.mainPrograms.filter { StructOpsPlan.autoloads($0, in: spec) }.map(\.name)
        #expect(autoload.sorted() == ["test_first", "test_second"])
    }

    /// The object's BTF stands in for the kernel's (it declares `swb_test_ops` and
    /// `bpf_struct_ops_swb_test_ops`): the flavour's members land at the "kernel" offsets by name.
    @Test func layoutTranslatesMembersByName() throws {
        let btf = try #require(spec.btf)
        let flavour = try #require(spec.structOpsMap(named: "ops_flavour"))
        #expect(flavour.typeName == "swb_test_ops___old")
        let layout = try StructOpsLayout(flavour, objectBTF: btf, kernel: btf)
        #expect(layout.kernelTypeID == btf.typeID(named: "swb_test_ops", kind: .struct))
        #expect(layout.valueTypeID == btf.typeID(named: "bpf_struct_ops_swb_test_ops", kind: .struct))
        // Wrapper: 16 bytes of bookkeeping, then the struct: first@0, flags@8, second@16, name@24.
        #expect(layout.value.count == 56)
        #expect(Array(layout.value[24..<28]) == [9, 0, 0, 0])
        #expect(Array(layout.value[40..<51]) == Array("ops_flavour".utf8))
        #expect(layout.slots == [
            .init(program: "test_second", memberIndex: 2, valueOffset: 32),
            .init(program: "test_first", memberIndex: 0, valueOffset: 16),
        ])
        let filled = try layout.filledValue(programFDs: ["test_first": 7, "test_second": 300])
        #expect(Array(filled[16..<24]) == [7, 0, 0, 0, 0, 0, 0, 0])
        #expect(Array(filled[32..<24 + 16]) == [44, 1, 0, 0, 0, 0, 0, 0])

        // 'gone' is zero here, so it was skipped; set, it must be refused with its name.
        var set = flavour
        set.data[24] = 1
        let error = bpfError { _ = try StructOpsLayout(set, objectBTF: btf, kernel: btf) }
        guard case let .notSupported(_, reason)? = error else {
            Issue.record("expected notSupported, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("no member 'gone'"))
    }

    @Test func relocationToANonStructOpsMemberIsRefused() throws {
        // Point the relocation of ops_link.first at the 'flags' member (offset 8): not a
        // function pointer, so the object is malformed.
        var bytes = EmbeddedObjects.objStructOps.bytes
        let elf = try ELFFile(bytes: bytes)
        let rel = try #require(elf.sections.first { $0.name == ".rel.struct_ops.link" })
        let relocations = try elf.relocations(in: rel)
        let first = try #require(relocations.firstIndex { $0.offset == 0 })
        let at = Int(rel.offset) + first * 16
        bytes[at] = 8
        let error = bpfError { _ = try ObjectSpec(bytes: bytes, name: "obj_struct_ops") }
        guard case let .malformedObject(why)? = error else {
            Issue.record("expected malformedObject, got \(String(describing: error))")
            return
        }
        #expect(why.contains("member 'flags'") && why.contains("not a function pointer"))
    }
}
