import Testing
@testable import BPF

@Suite struct BTFParserTests {
    // MARK: - Kernel BTF

    @Test func kernelBTFHasTaskStructWithPid() throws {
        let btf = try BTF.kernel()
        #expect(btf.count > 1000)
        let id = try #require(btf.typeID(named: "task_struct", kind: .struct))
        let t = try btf.type(id)
        #expect(t.kind == .struct)
        #expect(t.name == "task_struct")
        #expect((t.size ?? 0) > 1000)
        let pid = try #require(t.members.first { $0.name == "pid" })
        #expect(btf.name(of: try btf.resolved(pid.type)) == "int")
        #expect(try btf.size(of: pid.type) == 4)
        // Cached: the same object comes back.
        #expect(try BTF.kernel() === btf)
    }

    @Test func kernelBTFNameLookupFindsEveryNamedKind() throws {
        let btf = try BTF.kernel()
        #expect(btf.typeID(named: "int", kind: .int) != nil)
        #expect(btf.typeID(named: "u32", kind: .typedef) != nil)
        #expect(btf.typeID(named: "bpf_map_type", kind: .enum) != nil)
        #expect(btf.typeID(named: "nonexistent_type_xyz", kind: .struct) == nil)
        #expect(btf.typeIDs(named: "").isEmpty)
        // Essential-name lookup finds the kernel type for a flavoured local name.
        let flavoured = btf.typeIDs(essentialName: "task_struct___v2")
        #expect(flavoured.contains(try #require(btf.typeID(named: "task_struct", kind: .struct))))
    }

    // MARK: - Object BTF (clang)

    @Test func objectBTFDecodesEveryKind() throws {
        let btf = try BTF(bytes: BTFTestELF.btftestBTF)
        let bitsID = try #require(btf.typeID(named: "btftest_bits", kind: .struct))
        let bits = try btf.type(bitsID)
        #expect(bits.kindFlag)
        #expect(bits.members.map(\.name) == ["a", "b", "c", "", "f", "color", "big"])
        #expect(bits.members[0].bitfieldSize == 3 && bits.members[0].bitOffset == 0)
        #expect(bits.members[1].bitfieldSize == 5 && bits.members[1].bitOffset == 3)
        #expect(bits.members[2].bitfieldSize == 0 && bits.members[2].bitOffset == 32)
        #expect(try btf.size(of: bitsID) == 32)
        #expect(try btf.alignment(of: bitsID) == 8)

        let anon = try btf.type(bits.members[3].type)
        #expect(anon.kind == .union && anon.name == "")
        let bytesMember = try #require(anon.members.first { $0.name == "bytes" })
        let arr = try btf.type(bytesMember.type)
        #expect(arr.kind == .array && arr.count == 8)
        #expect(try btf.size(of: bytesMember.type) == 8)

        let color = try btf.type(bits.members[5].type)
        #expect(color.kind == .enum && color.isSigned)
        #expect(color.enumerators.map(\.value) == [-1, 2])
        let big = try btf.type(bits.members[6].type)
        #expect(big.kind == .enum64 && !big.isSigned)
        #expect(big.enumerators.first?.unsignedValue == 0x12_3456_789a)

        let float = try btf.type(bits.members[4].type)
        #expect(float.kind == .float && float.size == 4)

        let intType = try btf.type(btf.typeID(named: "int", kind: .int) ?? 0)
        #expect(intType.intEncoding == .signed && intType.intBits == 32 && intType.intOffset == 0)

        let tag = try btf.type(try #require(btf.typeID(named: "btftest_tag", kind: .declTag)))
        #expect(tag.componentIndex == -1)
        #expect(btf.name(of: tag.referencedType ?? 0) == "btftest_config")

        let typeTag = try btf.type(try #require(btf.typeID(named: "user", kind: .typeTag)))
        #expect(typeTag.referencedType == btf.typeID(named: "int", kind: .int))

        let staticFunc = try btf.type(try #require(btf.typeID(named: "static_helper", kind: .func)))
        #expect(staticFunc.linkage == .static)
        let proto = try btf.type(staticFunc.referencedType ?? 0)
        #expect(proto.kind == .funcProto && proto.params.map(\.name) == ["x"])
        #expect(try btf.type(proto.returnType ?? 0).name == "int")
        let globalFunc = try btf.type(try #require(btf.typeID(named: "global_helper", kind: .func)))
        #expect(globalFunc.linkage == .global)

        let config = try btf.type(try #require(btf.typeID(named: "btftest_config", kind: .var)))
        #expect(config.linkage == .global)
        // const volatile int: resolved skips both modifiers.
        #expect(btf.kind(of: try btf.resolved(config.referencedType ?? 0)) == .int)

        let rodata = try btf.type(try #require(btf.typeID(named: ".rodata", kind: .dataSec)))
        #expect(rodata.size == 0)
        #expect(rodata.dataSecEntries == [BTFVarSecInfo(type: config.id, offset: 0, size: 4)])

        let flavour = try #require(btf.typeID(named: "btftest_flavour___v2", kind: .struct))
        #expect(try btf.type(flavour).essentialName == "btftest_flavour")
        #expect(btf.typeIDs(essentialName: "btftest_flavour") == [flavour])
        #expect(btf.typeIDs(named: "btftest_flavour").isEmpty)
    }

    @Test func everyObjectTypeDecodes() throws {
        let btf = try BTF(bytes: BTFTestELF.btftestBTF)
        #expect(btf.count > 40)
        for id in btf.typeIDs {
            let t = try btf.type(id)
            #expect(t.id == id)
            #expect(t.kind == btf.kind(of: id))
        }
        #expect(throws: BPFError.self) { try btf.type(btf.count) }
        #expect(btf.bytes == BTFTestELF.btftestBTF)
    }

    // MARK: - Patching

    @Test func patchFixesDataSecAndLinkage() throws {
        let btf = try BTF(bytes: BTFTestELF.btftestBTF)
        let bss = try #require(btf.typeID(named: ".bss", kind: .dataSec))
        let zero = try #require(btf.typeID(named: "btftest_zero", kind: .var))
        let tagged = try #require(btf.typeID(named: "btftest_tagged", kind: .var))
        let fn = try #require(btf.typeID(named: "global_helper", kind: .func))
        var patch = BTFPatch(btf)
        try patch.setDataSecSize(bss, to: 16)
        // Entry order in the object: zero, tagged. Give zero the larger offset, then sort.
        try patch.setDataSecEntryOffset(bss, index: 0, to: 8)
        try patch.setDataSecEntryOffset(bss, index: 1, to: 0)
        try patch.sortDataSecEntries(bss)
        try patch.setVarLinkage(zero, to: .static)
        try patch.setFuncLinkage(fn, to: .static)
        #expect(patch.bytes.count == btf.bytes.count)
        let patched = try patch.btf()
        let sec = try patched.type(bss)
        #expect(sec.size == 16)
        #expect(sec.dataSecEntries == [BTFVarSecInfo(type: tagged, offset: 0, size: 8),
                                       BTFVarSecInfo(type: zero, offset: 8, size: 8)])
        #expect(try patched.type(zero).linkage == .static)
        #expect(try patched.type(fn).linkage == .static)
        #expect(try patched.type(fn).referencedType == (try btf.type(fn)).referencedType)
        // Wrong kind or foreign id: a clear error, no write.
        #expect(throws: BPFError.self) { try patch.setDataSecSize(zero, to: 1) }
        #expect(throws: BPFError.self) { try patch.setVarLinkage(btf.count + 5, to: .global) }
        #expect(throws: BPFError.self) { try patch.setDataSecEntryOffset(bss, index: 2, to: 0) }
    }

    // MARK: - Names

    @Test func essentialNameFollowsLibbpf() {
        #expect(BTFName.essentialName("task_struct___v2") == "task_struct")
        #expect(BTFName.essentialName("task_struct") == "task_struct")
        #expect(BTFName.essentialName("a___b___c") == "a___b")
        #expect(BTFName.essentialName("a____b") == "a____b")
        #expect(BTFName.essentialName("___x") == "___x")
        #expect(BTFName.essentialName("x___") == "x___")
        #expect(BTFName.essentialName("") == "")
    }

    // MARK: - Malformed input

    private func expectMalformed(_ bytes: [UInt8], _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try BTF(bytes: bytes)
            Issue.record("parsed malformed BTF", sourceLocation: sourceLocation)
        } catch {
            guard case let .malformedBTF(why) = error else {
                Issue.record("wrong error \(error)", sourceLocation: sourceLocation)
                return
            }
            #expect(why.contains(fragment), "\(why)", sourceLocation: sourceLocation)
        }
    }

    private func validBlob() -> BTFBlobBuilder {
        var b = BTFBlobBuilder()
        let intName = b.name("int")
        b.record(name: intName, kind: .int, sizeOrType: 4, extra: [0x0100_0020])
        b.record(name: 0, kind: .ptr, sizeOrType: 1)
        let s = b.name("pair")
        let a = b.name("a")
        b.record(name: s, kind: .struct, vlen: 2, sizeOrType: 8, extra: [a, 1, 0, a, 1, 32])
        return b
    }

    @Test func handBuiltBlobParses() throws {
        let btf = try BTF(bytes: validBlob().build())
        #expect(btf.count == 4)
        #expect(try btf.type(3).members.map(\.bitOffset) == [0, 32])
        #expect(try btf.size(of: 2) == 8)
        #expect(btf.typeIDs(named: "pair") == [3])
    }

    @Test func malformedInputsThrow() {
        let good = validBlob().build()
        expectMalformed([], "shorter than")
        expectMalformed(Array(good.prefix(20)), "shorter than")
        var badMagic = good; badMagic[0] = 0x12
        expectMalformed(badMagic, "magic")
        var badVersion = good; badVersion[2] = 2
        expectMalformed(badVersion, "version")
        var typeOOB = good; typeOOB[12] = 0xff; typeOOB[13] = 0xff   // type_len
        expectMalformed(typeOOB, "type section")
        var strOOB = good; strOOB[20] = 0xff; strOOB[21] = 0x7f      // str_len
        expectMalformed(strOOB, "string section")
        var hdrLen = good; hdrLen[4] = 8
        expectMalformed(hdrLen, "header length")

        var badName = BTFBlobBuilder()
        badName.record(name: 999, kind: .int, sizeOrType: 4, extra: [32])
        expectMalformed(badName.build(), "name offset 999")

        var badRef = BTFBlobBuilder()
        badRef.record(name: 0, kind: .ptr, sizeOrType: 7)
        expectMalformed(badRef.build(), "refers to type id 7")

        var badKind = BTFBlobBuilder()
        badKind.record(name: 0, kind: .void, sizeOrType: 0)
        expectMalformed(badKind.build(), "unknown kind 0")

        // A struct claiming 5 members but holding 2: the record does not fit.
        var truncated = BTFBlobBuilder()
        truncated.record(name: 0, kind: .int, sizeOrType: 4, extra: [32])
        truncated.record(name: 0, kind: .struct, vlen: 5, sizeOrType: 8, extra: [0, 1, 0, 0, 1, 32])
        expectMalformed(truncated.build(), "needs 72 bytes")

        // A record header cut in the middle.
        var cut = BTFBlobBuilder()
        cut.record(name: 0, kind: .int, sizeOrType: 4, extra: [32])
        cut.types.append(0)
        expectMalformed(cut.build(), "record header truncated")

        // Strings not NUL-terminated.
        var noNul = validBlob()
        noNul.strings.append(0x41)
        expectMalformed(noNul.build(), "NUL")
    }

    @Test func resolveDetectsCycles() throws {
        var b = BTFBlobBuilder()
        let a = b.name("a"), c = b.name("b")
        b.record(name: a, kind: .typedef, sizeOrType: 2)
        b.record(name: c, kind: .typedef, sizeOrType: 1)
        let btf = try BTF(bytes: b.build())
        #expect(throws: BPFError.self) { try btf.resolved(1) }
        #expect(throws: BPFError.self) { try btf.size(of: 1) }
    }
}

@Suite struct BTFSplitTests {
    /// A base with `int` and `struct base_s { int x; }`, and a split BTF on top whose types refer
    /// to base types and whose names use both string sections.
    private func blobs() -> (base: [UInt8], split: [UInt8]) {
        var base = BTFBlobBuilder()
        let intName = base.name("int"), baseS = base.name("base_s"), x = base.name("x")
        base.record(name: intName, kind: .int, sizeOrType: 4, extra: [0x0100_0020])       // 1
        base.record(name: baseS, kind: .struct, vlen: 1, sizeOrType: 4, extra: [x, 1, 0]) // 2
        let baseStrings = UInt32(base.strings.count)

        var split = BTFBlobBuilder()
        split.strings = [0]
        let mod = split.name("mod_s") + baseStrings
        let y = split.name("y") + baseStrings
        split.record(name: 0, kind: .ptr, sizeOrType: 2)                                    // 3 -> base_s *
        split.record(name: mod, kind: .struct, vlen: 2, sizeOrType: 16,                     // 4
                     extra: [x, 1, 0, y, 3, 64])                                            // x: base name
        return (base.build(), split.build())
    }

    @Test func splitBTFContinuesIDsAndStrings() throws {
        let (baseBytes, splitBytes) = blobs()
        let base = try BTF(bytes: baseBytes)
        let split = try BTF(bytes: splitBytes, base: base)
        #expect(base.count == 3)
        #expect(split.firstID == 3 && split.count == 5)
        #expect(split.ownTypeIDs == 3..<5)
        let mod = try split.type(4)
        #expect(mod.name == "mod_s")
        #expect(mod.members.map(\.name) == ["x", "y"])
        #expect(try split.type(2).name == "base_s")          // base types through the split
        #expect(split.typeIDs(named: "base_s") == [2])
        #expect(split.typeIDs(named: "mod_s") == [4])
        #expect(split.typeID(named: "int", kind: .int) == 1)
        #expect(try split.size(of: 4) == 16)
        #expect(try split.size(of: 3) == 8)
        // Raw dump of a split BTF lists only its own types, like bpftool -B.
        let raw = try BTFRawDumper(btf: split).dumpAll()
        #expect(raw == "[3] PTR '(anon)' type_id=2\n[4] STRUCT 'mod_s' size=16 vlen=2\n\t'x' type_id=1 bits_offset=0\n\t'y' type_id=3 bits_offset=64\n")
        // Patching a base type through the split is refused.
        var patch = BTFPatch(split)
        #expect(throws: BPFError.self) { try patch.setVarLinkage(1, to: .static) }
    }

    @Test func splitBTFRejectsReferencesPastItsEnd() throws {
        let (baseBytes, _) = blobs()
        let base = try BTF(bytes: baseBytes)
        var bad = BTFBlobBuilder()
        bad.record(name: 0, kind: .ptr, sizeOrType: 9)
        #expect(throws: BPFError.self) { try BTF(bytes: bad.build(), base: base) }
    }

    @Test func concurrentLookupsShareOneIndex() async throws {
        let btf = try BTF.kernel()
        let expected = btf.typeIDs(named: "task_struct")
        try await withThrowingTaskGroup(of: [UInt32].self) { group in
            for _ in 0..<8 {
                group.addTask { btf.typeIDs(named: "task_struct") }
            }
            for try await ids in group { #expect(ids == expected) }
        }
        #expect(!expected.isEmpty)
    }
}
