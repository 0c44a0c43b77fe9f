import Testing
@testable import BPF

@Test func objectProgramsSubprogramsAndOrder() throws {
    let spec = try ObjectSpec(bytes: EmbeddedObjects.objCalls.bytes, name: "obj_calls")
    #expect(spec.name == "obj_calls")
    #expect(spec.license == "Dual BSD/GPL")
    #expect(spec.kernelVersion == nil)
    // .text functions first (section 2), by offset; then the program sections in index order.
    #expect(spec.programs.map(\.name) == ["sub_global", "sub_static", "sub_hidden", "loop_cb",
                                          "tp_first", "tp_second", "tp_sleepable"])
    #expect(spec.subprograms.map(\.name) == ["sub_global", "sub_static", "sub_hidden", "loop_cb"])
    #expect(spec.mainPrograms.map(\.name) == ["tp_first", "tp_second", "tp_sleepable"])
    #expect(spec.subprograms.map(\.sectionOffset) == [0, 8, 19, 27])
    #expect(spec.subprograms.map(\.instructions.count) == [8, 11, 8, 8])

    let text = try #require(spec.textSectionIndex)
    let subGlobal = try #require(spec.program(named: "sub_global"))
    #expect(subGlobal.isSubprogram && subGlobal.isGlobalFunction && !subGlobal.markBTFStatic)
    #expect(subGlobal.type == .unspec && subGlobal.sectionName == ".text")
    let subStatic = try #require(spec.program(named: "sub_static"))
    #expect(!subStatic.isGlobalFunction && !subStatic.markBTFStatic)
    let subHidden = try #require(spec.program(named: "sub_hidden"))
    #expect(subHidden.isGlobalFunction && subHidden.markBTFStatic)

    let first = try #require(spec.program(named: "tp_first"))
    #expect(!first.isSubprogram && first.autoload)
    #expect(first.type == .tracepoint && first.expectedAttachType == .none && first.flags == [])
    #expect(first.sectionName == "tp/syscalls/sys_enter_getpid")
    #expect(first.attachTarget == "syscalls/sys_enter_getpid")
    #expect(!first.needsAttachBTFID)
    #expect(first.instructions.count == 17)
    #expect(first.instructions.last?.opcode == Opcode.exit)
    let second = try #require(spec.program(named: "tp_second"))
    #expect(second.sectionName == "tracepoint/syscalls/sys_enter_getppid")
    #expect(second.attachTarget == "syscalls/sys_enter_getppid")
    let sleepable = try #require(spec.program(named: "tp_sleepable"))
    #expect(sleepable.flags == .sleepable && sleepable.type == .tracepoint)

    // The containing-function lookup the call linker uses.
    #expect(spec.subprogram(containing: 0)?.name == "sub_global")
    #expect(spec.subprogram(containing: 10)?.name == "sub_static")
    #expect(spec.subprogram(containing: 27)?.name == "loop_cb")
    #expect(spec.subprogram(containing: 35) == nil)
    #expect(text == 2)
}

@Test func objectRelocationClassification() throws {
    let spec = try ObjectSpec(bytes: EmbeddedObjects.objCalls.bytes, name: "obj_calls")
    let text = try #require(spec.textSectionIndex)
    func relocs(_ name: String) throws -> [Relocation] { try #require(spec.program(named: name)).relocations }

    // Globals: st_value is the variable's offset; clang leaves imm 0.
    #expect(try relocs("tp_first") == [
        Relocation(instructionIndex: 0, symbolName: "data_counter", kind: .data(mapName: "obj_call.data", sectionOffset: 0)),
        Relocation(instructionIndex: 5, symbolName: "custom_value", kind: .data(mapName: ".data.custom", sectionOffset: 0)),
        // Global callee: relocation against its own symbol, imm -1 → st_value/8 + imm + 1.
        Relocation(instructionIndex: 11, symbolName: "sub_global", kind: .call(targetSectionIndex: text, targetInstruction: 0)),
        // Static callee: relocation against the .text section symbol, imm = target - 1.
        Relocation(instructionIndex: 14, symbolName: ".text", kind: .call(targetSectionIndex: text, targetInstruction: 8)),
    ])
    #expect(try relocs("tp_second") == [
        // bpf_loop callback: ld_imm64 of a static .text function, (st_value + imm) / 8.
        Relocation(instructionIndex: 1, symbolName: ".text", kind: .subprogramAddress(targetSectionIndex: text, targetInstruction: 27)),
        Relocation(instructionIndex: 7, symbolName: "sub_hidden", kind: .call(targetSectionIndex: text, targetInstruction: 19)),
        Relocation(instructionIndex: 10, symbolName: ".text", kind: .call(targetSectionIndex: text, targetInstruction: 8)),
    ])
    // A static variable is reached through the section symbol: st_value 0, the addend (8) stays in imm.
    let subStatic = try #require(spec.program(named: "sub_static"))
    #expect(subStatic.relocations == [
        Relocation(instructionIndex: 0, symbolName: ".data", kind: .data(mapName: "obj_call.data", sectionOffset: 0)),
        Relocation(instructionIndex: 6, symbolName: "filter_pid", kind: .data(mapName: "obj_call.rodata", sectionOffset: 0)),
    ])
    #expect(subStatic.instructions[0].imm == 8)
    #expect(try relocs("sub_global") == [
        Relocation(instructionIndex: 1, symbolName: "rodata_pair", kind: .data(mapName: "obj_call.rodata", sectionOffset: 8)),
    ])
    #expect(try relocs("loop_cb") == [
        Relocation(instructionIndex: 1, symbolName: "bss_hits", kind: .data(mapName: "obj_call.bss", sectionOffset: 8)),
    ])
    #expect(try relocs("tp_first").map(\.description) == [
        "insn 0: data obj_call.data+0 (data_counter)", "insn 5: data .data.custom+0 (custom_value)",
        "insn 11: call .text[0] (sub_global)", "insn 14: call .text[8] (.text)",
    ])
    // sub_global calls sub_static without a relocation (same section): nothing recorded.
    let subGlobal = try #require(spec.program(named: "sub_global"))
    #expect(subGlobal.instructions[5].isPseudoCall && subGlobal.relocation(at: 5) == nil)
}

@Test func objectInternalMapsAndVariables() throws {
    let spec = try ObjectSpec(bytes: EmbeddedObjects.objCalls.bytes, name: "obj_calls")
    #expect(spec.maps.map(\.name) == ["obj_call.rodata", "obj_call.data", ".data.custom", "obj_call.bss"])
    #expect(spec.maps.allSatisfy { $0.isInternal && $0.type == .array && $0.keySize == 4 && $0.maxEntries == 1 })

    let rodata = try #require(spec.map(named: "obj_call.rodata"))
    #expect(rodata.valueSize == 24 && rodata.sectionName == ".rodata" && rodata.internalKind == .rodata)
    #expect(rodata.flags == [.readOnlyProgram, .mmapable])  // 0x480
    #expect(rodata.isReadOnlyData)
    #expect(rodata.contents == [7, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0])
    let data = try #require(spec.map(named: "obj_call.data"))
    #expect(data.flags == .mmapable && !data.isReadOnlyData)
    #expect(data.contents == [42, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0])
    let custom = try #require(spec.map(named: ".data.custom"))
    #expect(custom.contents == [9, 0, 0, 0, 0, 0, 0, 0] && custom.flags == .mmapable)
    let bss = try #require(spec.map(named: "obj_call.bss"))
    #expect(bss.contents == [UInt8](repeating: 0, count: 16) && bss.internalKind == .bss)
    #expect(bss.flags == .mmapable)  // bss_hits is global; bss_hidden became static

    // Value types are the DATASECs of the same name; no key type.
    let btf = try #require(spec.btf)
    for m in spec.maps {
        #expect(m.keyTypeID == 0)
        let t = try btf.type(m.valueTypeID)
        #expect(t.kind == .dataSec && t.name == m.sectionName)
        #expect(t.size == Int(m.valueSize))
    }

    #expect(spec.variables.map(\.name) == ["filter_pid", "rodata_pair", "data_counter", "data_static",
                                           "custom_value", "bss_hidden", "bss_hits"])
    let pair = try #require(spec.variable(named: "rodata_pair"))
    #expect(pair.mapName == "obj_call.rodata" && pair.offset == 8 && pair.size == 16 && pair.isConst)
    #expect(pair.linkage == .global)
    let st = try #require(spec.variable(named: "data_static"))
    #expect(st.offset == 8 && st.size == 4 && st.linkage == .static && !st.isConst)
    let hidden = try #require(spec.variable(named: "bss_hidden"))
    #expect(hidden.linkage == .static && hidden.mapName == "obj_call.bss")
    #expect(try btf.type(hidden.varID).linkage == .static)
    let hits = try #require(spec.variable(named: "bss_hits"))
    #expect(hits.offset == 8 && hits.size == 8)
    #expect(btf.name(of: hits.typeID) == "__u64")
}

@Test func objectBTFFixups() throws {
    let bytes = EmbeddedObjects.objCalls.bytes
    let spec = try ObjectSpec(bytes: bytes, name: "obj_calls")
    let fixed = try #require(spec.btf)
    // The file's BTF has DATASEC sizes and VAR offsets 0 (clang); the spec's has them fixed.
    let elf = try ELFFile(bytes: bytes)
    let raw = try BTF(bytes: try elf.contents(of: try #require(elf.section(named: ".BTF"))))
    let rawRodata = try raw.type(try #require(raw.typeID(named: ".rodata", kind: .dataSec)))
    #expect(rawRodata.size == 0)
    for name in [".rodata", ".data", ".bss", ".data.custom", "license"] {
        let id = try #require(fixed.typeID(named: name, kind: .dataSec))
        let sec = try fixed.type(id)
        #expect(UInt64(sec.size ?? -1) == elf.section(named: name)?.size, "\(name)")
        let offsets = sec.dataSecEntries.map(\.offset)
        #expect(offsets == offsets.sorted(), "\(name)")
        for e in sec.dataSecEntries {
            let v = try fixed.type(e.type)
            if v.linkage == .static { continue }
            let sym = try #require(elf.symbols.first { $0.name == v.name && $0.type == .object })
            #expect(UInt64(e.offset) == sym.value, "\(v.name)")
        }
    }
    // Hidden global function → static FUNC; the others keep their linkage.
    let funcs = fixed.typeIDs.filter { fixed.kind(of: $0) == .func }
    func linkage(_ name: String) throws -> BTFLinkage? {
        try fixed.type(try #require(funcs.first { fixed.name(of: $0) == name })).linkage
    }
    #expect(try linkage("sub_hidden") == .static)
    #expect(try linkage("sub_global") == .global)
    #expect(try linkage("sub_static") == .static)
    #expect(try linkage("tp_first") == .global)
    #expect(spec.btfExtBytes?.isEmpty == false)
    // .BTF.ext records are keyed by the ELF section names of the functions.
    let ext = try #require(spec.btfExt)
    #expect(ext.funcInfo[".text"]?.count == 4)
    #expect(ext.funcInfo["tp/syscalls/sys_enter_getpid"]?.count == 1)
    #expect(ext.lineInfo["tracepoint/syscalls/sys_enter_getppid"]?.isEmpty == false)
}

@Test func objectBTFMapsSlotsAndProgramOrder() throws {
    let spec = try ObjectSpec(bytes: EmbeddedObjects.objMaps.bytes, name: "obj_maps")
    // tail_target's section is mentioned first (forward declaration), so it comes first.
    #expect(spec.programs.map(\.name) == ["tail_target", "main_prog"])
    #expect(spec.subprograms.isEmpty && spec.textSectionIndex == nil)
    // .maps VARs sorted by offset: clang's layout, not source order.
    #expect(spec.maps.map(\.name) == ["inner_b", "outer", "jump_table", "pinned_hash", "inner_a",
                                      "events", "bloom", "perf_events"])
    #expect(spec.maps.allSatisfy { !$0.isInternal && $0.contents == nil && $0.sectionName == ".maps" })
    #expect(spec.maps.map(\.sectionOffset) == [0, 32, 72, 120, 168, 200, 216, 248])

    let btf = try #require(spec.btf)
    let outer = try #require(spec.map(named: "outer"))
    #expect(outer.type == .arrayOfMaps && outer.keySize == 4 && outer.valueSize == 4 && outer.maxEntries == 3)
    #expect(outer.valueTypeID == 0 && btf.name(of: outer.keyTypeID) == "__u32")
    #expect(outer.initialSlots == [MapSpec.Slot(index: 1, target: "inner_b")])
    let inner = try #require(outer.inner)
    #expect(inner.name == "outer.inner" && inner.type == .array && inner.keySize == 4 && inner.valueSize == 8)
    #expect(inner.maxEntries == 4 && inner.inner == nil)

    let jump = try #require(spec.map(named: "jump_table"))
    #expect(jump.type == .progArray && jump.keySize == 4 && jump.valueSize == 4 && jump.maxEntries == 4)
    #expect(jump.keyTypeID == 0 && jump.valueTypeID == 0)
    #expect(jump.initialSlots == [MapSpec.Slot(index: 0, target: "tail_target"), MapSpec.Slot(index: 2, target: "tail_target")])

    let hash = try #require(spec.map(named: "pinned_hash"))
    #expect(hash.type == .hash && hash.keySize == 8 && hash.valueSize == 8 && hash.maxEntries == 128)
    #expect(hash.flags == .noPrealloc && hash.pinning == .byName)
    #expect(btf.name(of: hash.keyTypeID) == "__u64")
    #expect(try btf.resolvedType(hash.valueTypeID).kind == .struct)

    let events = try #require(spec.map(named: "events"))
    #expect(events.type == .ringBuf && events.maxEntries == 5000 && events.keySize == 0)
    #expect(events.adjustedRingBufferSize(pageSize: 4096) == 8192)
    #expect(events.adjustedRingBufferSize(pageSize: 1024) == 8192)
    var exact = events
    exact.maxEntries = 16384
    #expect(exact.adjustedRingBufferSize(pageSize: 4096) == 16384)

    let bloom = try #require(spec.map(named: "bloom"))
    #expect(bloom.type == .bloomFilter && bloom.mapExtra == 3 && bloom.valueSize == 4 && bloom.keySize == 0)
    let perf = try #require(spec.map(named: "perf_events"))
    #expect(perf.type == .perfEventArray && perf.maxEntries == 0 && perf.createsWithoutBTFTypes)

    #expect(try #require(spec.program(named: "main_prog")).relocations.map(\.kind) == [
        .map(name: "outer"), .map(name: "pinned_hash"), .map(name: "inner_a"), .map(name: "jump_table"),
    ])
    #expect(try #require(spec.program(named: "tail_target")).relocations.map(\.kind) == [
        .map(name: "events"), .map(name: "bloom"), .map(name: "perf_events"),
    ])
    #expect(spec.variables.isEmpty)
}

@Test func objectXDPSectionsAutoloadAndVersion() throws {
    let spec = try ObjectSpec(bytes: EmbeddedObjects.objXdp.bytes)
    #expect(spec.name == "")
    #expect(spec.kernelVersion == 0x060c00)
    #expect(spec.programs.map(\.name) == ["xdp_one", "xdp_two", "xdp_optional", "connect_hook"])
    let one = try #require(spec.program(named: "xdp_one"))
    let two = try #require(spec.program(named: "xdp_two"))
    #expect(one.sectionIndex == two.sectionIndex && one.sectionOffset == 0 && two.sectionOffset == 7)
    #expect(one.type == .xdp && one.expectedAttachType == .xdp && one.flags == [])
    let optional = try #require(spec.program(named: "xdp_optional"))
    #expect(!optional.autoload && optional.sectionName == "xdp.frags" && optional.elfSectionName == "?xdp.frags")
    #expect(optional.flags == .xdpHasFrags && optional.type == .xdp)
    let connect = try #require(spec.program(named: "connect_hook"))
    #expect(connect.type == .cgroupSockAddr && connect.expectedAttachType == .cgroupInet4Connect)
    #expect(connect.attachTarget == nil)
    // The unrecognised .fixture_info data section is skipped: no map, no error.
    #expect(spec.sectionNames.values.contains(".fixture_info"))
    // The string literal's .rodata.str1.1 is an internal map without BTF (no DATASEC), not mmapable.
    #expect(spec.maps.map(\.name) == [".rodata.str1.1"])
    let str = try #require(spec.maps.first)
    #expect(str.internalKind == .rodata && str.flags == .readOnlyProgram && str.valueTypeID == 0)
    #expect(str.contents == Array("xdp_two\n\0".utf8))
    #expect(two.relocations == [Relocation(instructionIndex: 0, symbolName: ".rodata.str1.1",
                                           kind: .data(mapName: ".rodata.str1.1", sectionOffset: 0))])
    #expect(spec.variables.isEmpty)
}

@Test func objectNameFeedsInternalMapNames() throws {
    let long = try ObjectSpec(bytes: EmbeddedObjects.objCalls.bytes,
                              name: ObjectNaming.objectName(fromPath: "my-very-long-object_name.bpf.o"))
    #expect(long.name == "my-very-long-ob")
    #expect(long.maps.map(\.name) == ["my_very_.rodata", "my_very_.data", ".data.custom", "my_very_.bss"])
    let unnamed = try ObjectSpec(bytes: EmbeddedObjects.objCalls.bytes)
    #expect(unnamed.maps.map(\.name) == [".rodata", ".data", ".data.custom", ".bss"])
    #expect(unnamed.variables.first?.mapName == ".rodata")
}
