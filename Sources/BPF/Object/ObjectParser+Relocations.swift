extension ObjectParser {
    /// libbpf's `bpf_object__collect_relos()`: relocations of `.maps` give initial slots, those of
    /// executable sections give instruction relocations.
    mutating func collectRelocations() throws(BPFError) {
        for s in elf.sections where sectionKinds[s.index] == .relocation {
            let target = Int(s.info)
            let rels = try elf.relocations(in: s)
            if let mapsIndex, target == mapsIndex {
                try collectMapRelocations(rels, section: s)
            } else if sectionKinds[target] == .structOps {
                try collectStructOpsRelocations(rels, section: s, target: target)
            } else {
                try collectProgramRelocations(rels, section: s, target: target)
            }
        }
        for i in programs.indices {
            programs[i].relocations = programs[i].relocations.enumerated().sorted { a, b in
                a.element.instructionIndex != b.element.instructionIndex
                    ? a.element.instructionIndex < b.element.instructionIndex : a.offset < b.offset
            }.map(\.element)
        }
    }

    /// `bpf_object__collect_prog_relos()` and `bpf_program__record_reloc()`.
    mutating func collectProgramRelocations(_ rels: [ELFRelocation], section rs: ELFSection, target: Int) throws(BPFError) {
        let targetSection = elf.sections[target]
        for (i, rel) in rels.enumerated() {
            guard let sym = elf.symbol(at: Int(rel.symbolIndex)) else {
                throw BPFError.malformedObject("sec '\(rs.name)': symbol #\(rel.symbolIndex) not found for relo #\(i)")
            }
            guard Int(sym.sectionIndex) < elf.sections.count else {
                throw BPFError.malformedObject(
                    "sec '\(rs.name)': corrupted symbol #\(sym.index) pointing to invalid section #\(sym.sectionIndex) for relo #\(i)")
            }
            guard rel.offset % 8 == 0, rel.offset < targetSection.size else {
                throw BPFError.malformedObject("sec '\(rs.name)': invalid offset 0x\(String(rel.offset, radix: 16)) for relo #\(i)")
            }
            let sectionInsn = Int(rel.offset / 8)
            let symName = sym.type == .section && sym.nameOffset == 0 ? sectionName(Int(sym.sectionIndex)) : sym.name
            // find_prog_by_sec_insn(): relocations outside every function are skipped
            // (e.g. overridden weak functions).
            guard let p = programs.firstIndex(where: { $0.sectionIndex == target && $0.sectionRange.contains(sectionInsn) }) else {
                continue
            }
            let local = sectionInsn - programs[p].sectionOffset
            let kind = try classify(program: programs[p], index: local, symbol: sym, symbolName: symName)
            programs[p].relocations.append(Relocation(instructionIndex: local, symbolName: symName, kind: kind))
        }
    }

    /// `bpf_program__record_reloc()`: classification by instruction and symbol.
    func classify(program: ProgramSpec, index: Int, symbol sym: ELFSymbol, symbolName: String) throws(BPFError) -> Relocation.Kind {
        let insn = program.instructions[index]
        let prog = program.name
        guard insn.isCall || insn.isLoadImm64 else {
            throw BPFError.malformedObject(
                "prog '\(prog)': invalid relo against '\(symbolName)' for insns[\(index)].code 0x\(String(insn.opcode, radix: 16))")
        }
        if sym.isExtern {
            guard let ext = externs.first(where: { $0.symbolIndex == sym.index }) else {
                throw BPFError.missing("prog '\(prog)': extern relo failed to find extern for '\(symbolName)' (\(sym.index))")
            }
            return insn.isCall ? .externFunction(name: ext.name) : .externVariable(name: ext.name)
        }
        let shndx = Int(sym.sectionIndex)
        if insn.isCall {
            guard insn.src == Opcode.pseudoCall else {
                throw BPFError.malformedObject("prog '\(prog)': incorrect bpf_call opcode in relo against '\(symbolName)'")
            }
            guard shndx != 0, shndx == textIndex else {
                throw BPFError.malformedObject(
                    "prog '\(prog)': bad call relo against '\(symbolName)' in section '\(sectionName(shndx))'")
            }
            guard sym.value % 8 == 0 else {
                throw BPFError.malformedObject("prog '\(prog)': bad call relo against '\(symbolName)' at offset \(sym.value)")
            }
            return .call(targetSectionIndex: shndx, targetInstruction: Int(sym.value / 8) + Int(insn.imm) + 1)
        }
        guard shndx != 0, sym.sectionIndex < ELF.sectionLoReserve else {
            throw BPFError.malformedObject(
                "prog '\(prog)': invalid relo against '\(symbolName)' in special section 0x\(String(sym.sectionIndex, radix: 16)); forgot to initialize global var?")
        }
        // sym_is_subprog(): a .text section symbol (static function) or a global/weak function.
        if shndx == textIndex && ((sym.binding == .local && sym.type == .section) || (sym.isGlobalOrWeak && sym.type == .function)) {
            guard sym.value % 8 == 0, insn.imm % 8 == 0 else {
                throw BPFError.malformedObject(
                    "prog '\(prog)': bad subprog addr relo against '\(symbolName)' at offset \(sym.value)+\(insn.imm)")
            }
            return .subprogramAddress(targetSectionIndex: shndx, targetInstruction: (Int(truncatingIfNeeded: sym.value) &+ Int(insn.imm)) / 8)
        }
        switch sectionKinds[shndx] {
        case .data, .rodata, .bss:
            guard let map = maps.first(where: { $0.isInternal && $0.sectionIndex == shndx }) else {
                throw BPFError.missing("prog '\(prog)': data relo failed to find map for section '\(sectionName(shndx))'")
            }
            return .data(mapName: map.name, sectionOffset: sym.value)
        default:
            guard shndx == mapsIndex else {
                throw BPFError.malformedObject(
                    "prog '\(prog)': bad map relo against '\(symbolName)' in section '\(sectionName(shndx))'")
            }
            guard let map = maps.first(where: { !$0.isInternal && $0.sectionOffset == sym.value }) else {
                throw BPFError.missing(
                    "prog '\(prog)': map relo against '\(symbolName)' failed to find map for section '\(sectionName(shndx))', off \(sym.value)")
            }
            return .map(name: map.name)
        }
    }

    /// `bpf_object__collect_map_relos()`: `.rel.maps` entries give map-in-map and prog-array slots.
    mutating func collectMapRelocations(_ rels: [ELFRelocation], section rs: ELFSection) throws(BPFError) {
        guard let btf, let mapsIndex else {
            throw BPFError.malformedObject("'\(rs.name)' needs BTF-defined maps")
        }
        for (i, rel) in rels.enumerated() {
            guard let sym = elf.symbol(at: Int(rel.symbolIndex)) else {
                throw BPFError.malformedObject(".maps relo #\(i): symbol \(rel.symbolIndex) not found")
            }
            let name = sym.name
            guard rel.offset <= UInt64.max - 8, let m = mapEntries.indices.first(where: {
                UInt64(mapEntries[$0].offset) <= rel.offset
                    && rel.offset + 8 <= UInt64(mapEntries[$0].offset) + UInt64(mapEntries[$0].size)
            }) else {
                throw BPFError.missing(".maps relo #\(i): cannot find map '\(name)' at offset \(rel.offset)")
            }
            let map = maps[m]
            let entry = mapEntries[m]
            if map.type.isMapOfMaps {
                guard Int(sym.sectionIndex) == mapsIndex else {
                    throw BPFError.malformedObject(".maps relo #\(i): '\(name)' isn't a BTF-defined map")
                }
                if map.type == .hashOfMaps && map.keySize != 4 {
                    throw BPFError.malformedObject(".maps relo #\(i): hash-of-maps '\(map.name)' should have key size 4")
                }
                guard maps.contains(where: { $0.name == name }) else {
                    throw BPFError.missing(".maps relo #\(i): '\(name)' isn't a valid map reference")
                }
            } else if map.type == .progArray {
                guard let target = programs.first(where: { !$0.isSubprogram && $0.name == name }) else {
                    throw BPFError.missing(".maps relo #\(i): '\(name)' isn't a valid program reference")
                }
                guard target.sectionIndex == Int(sym.sectionIndex), UInt64(target.sectionOffset) * 8 == sym.value else {
                    throw BPFError.malformedObject(".maps relo #\(i): '\(name)' isn't an entry-point program")
                }
            } else {
                throw BPFError.malformedObject(".maps relo #\(i): map '\(map.name)' (\(map.type)) can't have initial values")
            }
            let def = try btf.resolvedType(try btf.type(entry.type).sizeOrType)
            guard let last = def.members.last, last.name == "values" else {
                throw BPFError.malformedObject(".maps relo #\(i): map '\(map.name)' has no trailing 'values' member")
            }
            let memberOffset = UInt64(last.bitOffset / 8)
            let relative = rel.offset - UInt64(entry.offset)
            guard relative >= memberOffset, (relative - memberOffset) % 8 == 0 else {
                throw BPFError.malformedObject(".maps relo #\(i): offset \(rel.offset) is not a slot of map '\(map.name)'")
            }
            let slot = UInt32((relative - memberOffset) / 8)
            maps[m].initialSlots.removeAll { $0.index == slot }
            maps[m].initialSlots.append(MapSpec.Slot(index: slot, target: name))
            maps[m].initialSlots.sort { $0.index < $1.index }
        }
    }
}
