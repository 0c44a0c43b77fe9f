extension ObjectParser {
    /// libbpf's `init_struct_ops_maps()`: every VAR of a struct_ops DATASEC becomes a struct_ops
    /// map with the variable's bytes as its initial image.
    mutating func initStructOpsMaps() throws(BPFError) {
        let sections = sectionKinds.filter { $0.value == .structOps }.keys.sorted()
        guard !sections.isEmpty else { return }
        guard let btf else { throw BPFError.malformedObject("struct_ops sections need the object's BTF, which is missing") }
        for index in sections {
            let s = elf.sections[index]
            guard let secID = btf.ownTypeIDs.first(where: { btf.kind(of: $0) == .dataSec && btf.name(of: $0) == s.name }) else {
                throw BPFError.malformedObject("struct_ops: DATASEC '\(s.name)' not found in the object's BTF")
            }
            let contents = try elf.contents(of: s)
            let plainName = s.name.hasPrefix("?") ? String(s.name.dropFirst()) : s.name
            for entry in try btf.type(secID).dataSecEntries {
                let v = try btf.type(entry.type)
                let typeID = try btf.resolved(v.kind == .var ? v.sizeOrType : entry.type)
                let type = try btf.type(typeID)
                guard !type.name.isEmpty else {
                    throw BPFError.malformedObject("struct_ops variable '\(v.name)' in '\(s.name)': anonymous types are not supported")
                }
                guard type.kind == .struct else {
                    throw BPFError.malformedObject("struct_ops variable '\(v.name)' in '\(s.name)': '\(type.name)' is not a struct")
                }
                let start = UInt64(entry.offset)
                let end = start + UInt64(type.sizeOrType)
                guard end <= UInt64(contents.count) else {
                    throw BPFError.malformedObject("struct_ops variable '\(v.name)' is beyond the end of section '\(s.name)'")
                }
                structOpsMaps.append(StructOpsMapSpec(
                    name: v.name, typeName: type.name, typeID: typeID, elfSectionName: s.name, sectionIndex: index,
                    sectionOffset: start, isLink: plainName == ".struct_ops.link", autocreate: !s.name.hasPrefix("?"),
                    data: Array(contents[Int(start)..<Int(end)])))
            }
        }
    }

    /// libbpf's `bpf_object__collect_st_ops_relos()`: each relocation of a struct_ops section
    /// binds a function-pointer member of the map at its offset to the program its symbol starts.
    mutating func collectStructOpsRelocations(_ rels: [ELFRelocation], section rs: ELFSection, target: Int) throws(BPFError) {
        guard let btf else { throw BPFError.malformedObject("'\(rs.name)' needs the object's BTF") }
        for (i, rel) in rels.enumerated() {
            guard let sym = elf.symbol(at: Int(rel.symbolIndex)) else {
                throw BPFError.malformedObject("struct_ops relo #\(i) of '\(rs.name)': symbol \(rel.symbolIndex) not found")
            }
            guard let m = structOpsMaps.firstIndex(where: {
                $0.sectionIndex == target && $0.sectionOffset <= rel.offset && rel.offset - $0.sectionOffset < UInt64($0.data.count)
            }) else {
                throw BPFError.malformedObject("struct_ops relo #\(i) of '\(rs.name)': no struct_ops variable at offset \(rel.offset)")
            }
            let map = structOpsMaps[m]
            let memberOffset = rel.offset - map.sectionOffset
            guard sym.sectionIndex < ELF.sectionLoReserve else {
                throw BPFError.malformedObject("struct_ops '\(map.name)': relocation at offset \(rel.offset) against '\(sym.name)' in special section 0x\(String(sym.sectionIndex, radix: 16)) (not a function of this object)")
            }
            guard sym.value % 8 == 0 else {
                throw BPFError.malformedObject("struct_ops '\(map.name)': invalid target program offset \(sym.value)")
            }
            let type = try btf.type(map.typeID)
            guard let memberIndex = type.members.firstIndex(where: { UInt64($0.bitOffset) == memberOffset * 8 }) else {
                throw BPFError.malformedObject("struct_ops '\(map.name)': no member of '\(map.typeName)' at offset \(memberOffset)")
            }
            let member = type.members[memberIndex]
            guard try Self.isFunctionPointer(member.type, in: btf) else {
                throw BPFError.malformedObject("struct_ops '\(map.name)': member '\(member.name)' of '\(map.typeName)' is not a function pointer")
            }
            let insn = Int(sym.value / 8)
            guard let prog = programs.first(where: {
                !$0.isSubprogram && $0.sectionIndex == Int(sym.sectionIndex) && $0.sectionRange.contains(insn)
            }) else {
                throw BPFError.missing("struct_ops '\(map.name)': no program at instruction \(insn) of section '\(sectionName(Int(sym.sectionIndex)))' for member '\(member.name)'")
            }
            guard prog.type == .structOps else {
                throw BPFError.malformedObject("struct_ops '\(map.name)': member '\(member.name)' names program '\(prog.name)' of section '\(prog.sectionName)', which is not a SEC(\"struct_ops/...\") program")
            }
            structOpsMaps[m].functions.removeAll { $0.index == memberIndex }
            structOpsMaps[m].functions.append(.init(name: member.name, index: memberIndex, offset: Int(memberOffset), program: prog.name))
            structOpsMaps[m].functions.sort { $0.index < $1.index }
        }
    }

    /// libbpf's `resolve_func_ptr()`: a pointer (through typedefs and modifiers) to a FUNC_PROTO.
    static func isFunctionPointer(_ id: UInt32, in btf: BTF) throws(BPFError) -> Bool {
        let t = try btf.resolvedType(id)
        guard t.kind == .ptr else { return false }
        return try btf.resolvedType(t.sizeOrType).kind == .funcProto
    }
}
