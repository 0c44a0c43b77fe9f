import Testing
@testable import BPF

/// `BTF.prepareLookups(of:)`: one pass over the types answers later lookups of the prepared
/// names exactly as the full name index would, and leaves the index unbuilt.
@Suite struct BTFNameScanTests {
    static let names = ["task_struct", "file", "u32", "bpf_map_type", "btf_trace_sched_switch",
                        "bpf_lsm_file_open", "nonexistent_type_xyz", "task_struct___v2", "pt_regs"]

    @Test func preparedLookupsMatchTheIndexOnKernelBTF() throws {
        // Fresh instances, not the process-wide BTF.kernel(): one scans, one indexes.
        let scanned = try BTF.load(path: BTF.kernelPath)
        let indexed = try BTF.load(path: BTF.kernelPath)
        scanned.prepareLookups(of: Self.names)
        for name in Self.names {
            #expect(scanned.typeIDs(named: name) == indexed.typeIDs(named: name), "exact lookup of \(name)")
            #expect(scanned.typeIDs(essentialName: name) == indexed.typeIDs(essentialName: name), "essential lookup of \(name)")
        }
        #expect(scanned.typeID(named: "task_struct", kind: .struct) == indexed.typeID(named: "task_struct", kind: .struct))
        #expect(!scanned.typeIDs(named: "file").isEmpty)
        #expect(scanned.nameIndex.locked { $0 == nil }, "prepared names must not build the full index")

        // A name that was not prepared still works, through the index.
        #expect(scanned.typeIDs(named: "sock") == indexed.typeIDs(named: "sock"))
        #expect(scanned.nameIndex.locked { $0 != nil })
    }

    @Test func flavouredKernelNamesAreFoundByTheirEssentialName() throws {
        var b = BTFBlobBuilder()
        let int = b.name("int"), plain = b.name("thing"), flavoured = b.name("thing___v2"), other = b.name("thingy")
        b.record(name: int, kind: .int, sizeOrType: 4, extra: [0x0100_0020])     // 1
        b.record(name: flavoured, kind: .struct, vlen: 0, sizeOrType: 4)         // 2
        b.record(name: other, kind: .struct, vlen: 0, sizeOrType: 4)             // 3
        b.record(name: plain, kind: .struct, vlen: 0, sizeOrType: 4)             // 4
        let btf = try BTF(bytes: b.build())
        btf.prepareLookups(of: ["thing", "int", "missing"])
        #expect(btf.typeIDs(essentialName: "thing") == [2, 4])
        #expect(btf.typeIDs(essentialName: "thing___old") == [2, 4])
        #expect(btf.typeIDs(named: "thing") == [4])
        #expect(btf.typeIDs(named: "thing___v2") == [2])
        #expect(btf.typeIDs(named: "int") == [1])
        #expect(btf.typeIDs(named: "missing").isEmpty)
        #expect(btf.nameIndex.locked { $0 == nil })
    }

    @Test func splitBTFScansItsBaseAndItself() throws {
        var base = BTFBlobBuilder()
        let intName = base.name("int"), shared = base.name("shared_s")
        base.record(name: intName, kind: .int, sizeOrType: 4, extra: [0x0100_0020])  // 1
        base.record(name: shared, kind: .struct, vlen: 0, sizeOrType: 4)             // 2
        let baseStrings = UInt32(base.strings.count)
        var split = BTFBlobBuilder()
        split.strings = [0]
        let own = split.name("own_s") + baseStrings
        split.record(name: shared, kind: .struct, vlen: 0, sizeOrType: 8)            // 3: a base string
        split.record(name: own, kind: .struct, vlen: 0, sizeOrType: 8)               // 4: its own string
        let b = try BTF(bytes: base.build())
        let s = try BTF(bytes: split.build(), base: b)
        s.prepareLookups(of: ["shared_s", "own_s"])
        #expect(s.typeIDs(named: "shared_s") == [2, 3])
        #expect(s.typeIDs(named: "own_s") == [4])
        #expect(s.nameIndex.locked { $0 == nil } && b.nameIndex.locked { $0 == nil })
    }
}
