import Testing
@testable import BPF

private func openError(_ bytes: [UInt8], name: String? = nil) -> String? {
    bpfError { _ = try ObjectSpec(bytes: bytes, name: name) }.map { "\($0)" }
}

@Test func objectRejectsLegacyMapsSection() throws {
    let error = try #require(bpfError { _ = try ObjectSpec(bytes: EmbeddedObjects.objErrLegacyMaps.bytes) })
    guard case .malformedObject(let reason) = error else { Issue.record("\(error)"); return }
    #expect(reason.contains("legacy map definitions in 'maps' section are not supported by libbpf v1.0+"))
}

@Test func objectRejectsStaticProgramOutsideText() throws {
    let message = try #require(openError(EmbeddedObjects.objErrStaticProg.bytes))
    #expect(message.contains("program 'hidden_prog' is static and not supported"))
    #expect(message.contains("tp/syscalls/sys_enter_getpid"))
}

@Test func objectRejectsUnknownMapField() throws {
    let message = try #require(openError(EmbeddedObjects.objErrMapField.bytes))
    #expect(message.contains("map 'odd': unknown field 'colour'"))
}

@Test func objectRejectsValuesNotLast() throws {
    let message = try #require(openError(EmbeddedObjects.objErrValuesOrder.bytes))
    #expect(message.contains("map 'outer': 'values' member should be last"))
}

@Test func objectWithoutSymbolTableIsStripped() throws {
    var o = try ObjectBytes(EmbeddedObjects.objCalls.bytes)
    let symtab = try #require(o.elf.symbolTableIndex)
    o.put32(1, at: o.sectionHeader(symtab) + 4)  // SHT_SYMTAB → SHT_PROGBITS
    let message = try #require(openError(o.bytes))
    #expect(message.contains("stripped object file?"))
}

@Test func objectRelocationAgainstNoMapIsMissing() throws {
    // Turn the FILE symbol (#1) into a local object in .maps at offset 4, where no map starts, and
    // point the relocation of `events` at it (local symbols do not take part in the BTF fix-up).
    var o = try ObjectBytes(EmbeddedObjects.objMaps.bytes)
    let maps = try o.section(".maps")
    let symtab = Int(o.elf.sections[try #require(o.elf.symbolTableIndex)].offset)
    #expect(o.elf.symbols[1].type == .file)
    o.bytes[symtab + 24 + 4] = 0x01  // STB_LOCAL, STT_OBJECT
    o.bytes[symtab + 24 + 6] = UInt8(maps.index)
    o.bytes[symtab + 24 + 7] = 0
    o.put64(4, at: symtab + 24 + 8)
    let events = try #require(o.elf.symbols.first { $0.name == "events" })
    var patched = false
    for s in o.elf.sections where s.type == .rel {
        for (i, r) in try o.elf.relocations(in: s).enumerated() where r.symbolIndex == UInt32(events.index) {
            o.put32(1, at: Int(s.offset) + 16 * i + 12)
            patched = true
        }
    }
    #expect(patched)
    let error = try #require(bpfError { _ = try ObjectSpec(bytes: o.bytes) })
    guard case .missing(let why) = error else { Issue.record("\(error)"); return }
    #expect(why.contains("prog 'tail_target'") && why.contains("'obj_maps.bpf.c'") && why.contains("off 4"))
}

@Test func objectRelocationSymbolIndexOutOfRange() throws {
    var o = try ObjectBytes(EmbeddedObjects.objCalls.bytes)
    let rel = try o.section(".rel.text")
    o.put32(9999, at: Int(rel.offset) + 8 + 4)  // r_info high half = symbol index
    let message = try #require(openError(o.bytes))
    #expect(message.contains("symbol #9999 not found") && message.contains(".rel.text"))
}

@Test func objectRelocationOffsetOutOfRange() throws {
    var o = try ObjectBytes(EmbeddedObjects.objCalls.bytes)
    let rel = try o.section(".rel.text")
    o.put64(0x10_0000, at: Int(rel.offset))
    let message = try #require(openError(o.bytes))
    #expect(message.contains("invalid offset 0x100000"))
}

@Test func objectRelocationOnWrongInstruction() throws {
    // Point the first .text relocation (an ld_imm64) at insn 3, a load.
    var o = try ObjectBytes(EmbeddedObjects.objCalls.bytes)
    let rel = try o.section(".rel.text")
    o.put64(3 * 8, at: Int(rel.offset))
    let message = try #require(openError(o.bytes))
    #expect(message.contains("prog 'sub_global': invalid relo against 'rodata_pair' for insns[3]"))
}

@Test func objectRequiresBTFForMaps() throws {
    // Rename .BTF to "BTF" (its name offset + 1) so the object has maps but no BTF.
    var o = try ObjectBytes(EmbeddedObjects.objMaps.bytes)
    let btf = try o.section(".BTF")
    let nameOffset = o.bytes[o.sectionHeader(btf.index)..<o.sectionHeader(btf.index) + 4]
        .reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    o.put32(nameOffset + 1, at: o.sectionHeader(btf.index))  // ".BTF" → "BTF"
    let message = try #require(openError(o.bytes))
    #expect(message.contains("BTF is required"))
}

@Test func objectCorruptBTFIsIgnoredWithoutMaps() throws {
    // Without .maps, broken BTF is dropped as libbpf does; with .maps it is an error.
    var calls = try ObjectBytes(EmbeddedObjects.objCalls.bytes)
    calls.bytes[Int(try calls.section(".BTF").offset)] = 0  // bad BTF magic
    let spec = try ObjectSpec(bytes: calls.bytes, name: "obj_calls")
    #expect(spec.btf == nil && spec.btfExtBytes == nil)
    #expect(spec.maps.allSatisfy { $0.valueTypeID == 0 && !$0.flags.contains(.mmapable) })
    #expect(spec.variables.isEmpty)

    var maps = try ObjectBytes(EmbeddedObjects.objMaps.bytes)
    maps.bytes[Int(try maps.section(".BTF").offset)] = 0
    #expect(openError(maps.bytes)?.contains("BTF is required") == true)
}

@Test func objectProgramCrossingSectionEnd() throws {
    var o = try ObjectBytes(EmbeddedObjects.objXdp.bytes)
    o.put64(4096, at: try o.symbolEntry("xdp_two") + 16)  // st_size
    let message = try #require(openError(o.bytes))
    #expect(message.contains("program 'xdp_two' at offset 56 crosses section boundary"))
}

@Test func objectBadLicenseAndVersionSections() throws {
    var o = try ObjectBytes(EmbeddedObjects.objXdp.bytes)
    let version = try o.section("version")
    o.put64(3, at: o.sectionHeader(version.index) + 32)
    #expect(openError(o.bytes)?.contains("invalid kver section") == true)
}

@Test func objectRejectsHashOfMapsSlotsWithWideKey() throws {
    let message = try #require(openError(EmbeddedObjects.objErrHashOfMapsKey.bytes))
    #expect(message.contains("hash-of-maps 'outer' should have key size 4"))
}

@Test func objectRejectsValuesOnPlainMaps() throws {
    let error = try #require(bpfError { _ = try ObjectSpec(bytes: EmbeddedObjects.objErrValuesType.bytes) })
    guard case .malformedObject(let reason) = error else { Issue.record("\(error)"); return }
    #expect(reason.contains("map 'plain': should be map-in-map or prog-array"))
}

@Test func objectSectionBoundsFollowLibelf() throws {
    // A kept section (even an unrecognised one) with contents outside the file is an error...
    var o = try ObjectBytes(EmbeddedObjects.objXdp.bytes)
    let info = try o.section(".fixture_info")
    o.put64(UInt64(o.bytes.count), at: o.sectionHeader(info.index) + 24)
    #expect(openError(o.bytes)?.contains("contents of section '.fixture_info'") == true)
    // ...but an ignored DWARF section is never read.
    o = try ObjectBytes(EmbeddedObjects.objXdp.bytes)
    let debug = try #require(o.elf.sections.first { $0.name.hasPrefix(".debug_") && $0.type == .progbits })
    o.put64(UInt64(o.bytes.count), at: o.sectionHeader(debug.index) + 24)
    #expect(throws: Never.self) { try ObjectSpec(bytes: o.bytes) }
}
