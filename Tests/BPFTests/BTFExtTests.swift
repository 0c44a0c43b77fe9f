import Testing
@testable import BPF

@Suite struct BTFExtTests {
    let btf: BTF
    let ext: BTFExt

    init() throws {
        btf = try BTF(bytes: BTFTestELF.btftestBTF)
        ext = try BTFExt(bytes: BTFTestELF.btftestBTFExt, btf: btf)
    }

    @Test func funcInfoNamesEveryFunction() throws {
        #expect(ext.funcInfoRecordSize == 8)
        #expect(ext.lineInfoRecordSize == 16)
        #expect(ext.coreRelocationRecordSize == 16)
        let prog = try #require(ext.funcInfo["tp/syscalls/sys_enter_getpid"])
        #expect(prog.count == 1)
        #expect(prog.first?.insnOffset == 0)
        #expect(btf.name(of: prog.first?.typeID ?? 0) == "btftest_prog")
        let text = try #require(ext.funcInfo[".text"])
        #expect(Set(text.map { btf.name(of: $0.typeID) }) == ["static_helper", "global_helper"])
        #expect(text.allSatisfy { $0.insnOffset % 8 == 0 && btf.kind(of: $0.typeID) == .func })
        #expect(text.map(\.insnOffset) == text.map(\.insnOffset).sorted())
    }

    @Test func lineInfoPointsAtTheSource() throws {
        let lines = try #require(ext.lineInfo["tp/syscalls/sys_enter_getpid"])
        #expect(lines.count > 5)
        #expect(lines.first?.insnOffset == 0)
        #expect(lines.allSatisfy { btf.string(at: $0.fileNameOffset).hasSuffix("btftest.bpf.c") })
        #expect(lines.contains { btf.string(at: $0.lineOffset).contains("bpf_map_lookup_elem") })
        #expect(lines.allSatisfy { $0.line > 0 })
        #expect(ext.lineInfo[".text"]?.isEmpty == false)
        // Re-encoding gives the kernel's 16-byte layout.
        #expect(BTFLineInfo.encode(lines).count == 16 * lines.count)
        #expect(BTFFuncInfo.encode(ext.funcInfo[".text"] ?? []).count == 16)
    }

    @Test func coreRelocationsCarryKindsAndAccessStrings() throws {
        let relos = try #require(ext.coreRelocations["tp/syscalls/sys_enter_getpid"])
        let kinds = Set(relos.map(\.kind))
        #expect(kinds.isSuperset(of: [.fieldByteOffset, .fieldExists, .typeExists, .enumValueValue,
                                      .fieldByteSize, .fieldLShiftU64, .fieldRShiftU64]))
        let bits = try #require(btf.typeID(named: "btftest_bits", kind: .struct))
        // v->c: member 2 of struct btftest_bits.
        #expect(relos.contains { $0.kind == .fieldByteOffset && $0.typeID == bits && $0.accessString == "0:2" })
        // bpf_core_type_exists(struct btftest_flavour___v2): access "0" on the flavour type.
        #expect(relos.contains { $0.kind == .typeExists && btf.name(of: $0.typeID) == "btftest_flavour___v2" && $0.accessString == "0" })
        // bpf_core_enum_value(enum btftest_color, BTFTEST_GREEN): enumerator index 1.
        #expect(relos.contains { $0.kind == .enumValueValue && btf.name(of: $0.typeID) == "btftest_color" && $0.accessString == "1" })
        for r in relos {
            #expect(r.insnOffset % 8 == 0)
            #expect(btf.string(at: r.accessStringOffset) == r.accessString)
        }
    }

    // MARK: - Malformed

    private func expectMalformed(_ bytes: [UInt8], _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try BTFExt(bytes: bytes, btf: btf)
            Issue.record("parsed malformed .BTF.ext", sourceLocation: sourceLocation)
        } catch {
            guard case let .malformedBTF(why) = error else {
                Issue.record("wrong error \(error)", sourceLocation: sourceLocation)
                return
            }
            #expect(why.contains(fragment), "\(why)", sourceLocation: sourceLocation)
        }
    }

    private func put32(_ bytes: inout [UInt8], _ offset: Int, _ v: UInt32) {
        for i in 0..<4 { bytes[offset + i] = UInt8((v >> (8 * UInt32(i))) & 0xff) }
    }

    @Test func malformedExtThrows() {
        let good = BTFTestELF.btftestBTFExt
        expectMalformed(Array(good.prefix(10)), "shorter than")
        var magic = good; magic[1] = 0
        expectMalformed(magic, "bad magic")
        var hdr = good; put32(&hdr, 4, 4000)
        expectMalformed(hdr, "header length")
        var funcLen = good; put32(&funcLen, 12, 100_000)
        expectMalformed(funcLen, "func_info")
        // func_info region starts right after the 32-byte header: record size, then a block.
        var recSize = good; put32(&recSize, 32, 3)
        expectMalformed(recSize, "record size 3")
        var secName = good; put32(&secName, 36, 0x7fff_ffff)
        expectMalformed(secName, "section name offset")
        var count = good; put32(&count, 40, 0x1000_0000)
        expectMalformed(count, "more than remain")
        var zero = good; put32(&zero, 40, 0)
        expectMalformed(zero, "no records")
        expectMalformed(Array(good.prefix(good.count - 4)), "out of bounds")
    }

    @Test func headerWithoutCoreFieldsHasNoRelocations() throws {
        // A 24-byte header (pre-CO-RE) with empty func/line info.
        var bytes: [UInt8] = [0x9f, 0xeb, 1, 0]
        for v: UInt32 in [24, 0, 0, 0, 0] { for i in 0..<4 { bytes.append(UInt8((v >> (8 * UInt32(i))) & 0xff)) } }
        let ext = try BTFExt(bytes: bytes, btf: btf)
        #expect(ext.funcInfo.isEmpty && ext.lineInfo.isEmpty && ext.coreRelocations.isEmpty)
        #expect(ext.coreRelocationRecordSize == 0)
    }
}
