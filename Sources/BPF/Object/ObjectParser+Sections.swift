extension ObjectParser {
    /// libbpf's `ignore_elf_section()`.
    static func isIgnored(_ s: ELFSection) -> Bool {
        if s.type == .strtab || s.type == .llvmAddrsig { return true }
        if s.type == .progbits && s.size == 0 && s.name == ".text" { return true }
        if s.name.hasPrefix(".debug_") { return true }
        if s.name.hasPrefix(".rel") {
            let rest = s.name.dropFirst(4)
            if rest.hasPrefix(".debug_") || rest == ".BTF" || rest == ".BTF.ext" { return true }
        }
        return false
    }

    /// libbpf's `bpf_object__elf_collect()`: one pass over the sections in index order.
    mutating func collectSections() throws(BPFError) {
        guard elf.symbolTableIndex != nil else {
            throw BPFError.malformedObject("couldn't find symbol table, stripped object file?")
        }
        for s in elf.sections where s.index != 0 {
            if Self.isIgnored(s) { continue }
            // libelf's elf_getdata() fails for any kept section whose contents lie outside the file.
            _ = try elf.contentsRange(of: s)
            switch s.name {
            case "license":
                guard s.type != .nobits else { throw BPFError.malformedObject("invalid license section") }
                let data = try elf.contents(of: s)
                // Copied as a C string into 64 bytes: up to the first NUL, at most 63 bytes.
                let text = data.prefix { $0 != 0 }.prefix(63)
                license = String(decoding: text, as: UTF8.self)
                continue
            case "version":
                let data = s.type == .nobits ? [] : try elf.contents(of: s)
                guard data.count == 4 else {
                    throw BPFError.malformedObject("invalid kver section: \(s.size) bytes, expected 4")
                }
                kernelVersion = UInt32(data[0]) | UInt32(data[1]) << 8 | UInt32(data[2]) << 16 | UInt32(data[3]) << 24
                continue
            case "maps":
                throw BPFError.malformedObject("legacy map definitions in 'maps' section are not supported by libbpf v1.0+; use BTF-defined maps in SEC(\".maps\")")
            case ".maps":
                mapsIndex = s.index
                continue
            case ".BTF":
                guard s.type == .progbits else { throw BPFError.malformedObject("section .BTF is \(s.type), not PROGBITS") }
                btfSection = s
                continue
            case ".BTF.ext":
                guard s.type == .progbits else { throw BPFError.malformedObject("section .BTF.ext is \(s.type), not PROGBITS") }
                btfExtSection = s
                continue
            default:
                break
            }
            if s.type == .symtab { continue }
            if s.type == .progbits && s.size > 0 {
                if s.isExecutable {
                    if s.name == ".text" { textIndex = s.index }
                    try addPrograms(in: s)
                } else if s.name == ".data" || s.name.hasPrefix(".data.") {
                    sectionKinds[s.index] = .data
                } else if s.name == ".rodata" || s.name.hasPrefix(".rodata.") {
                    sectionKinds[s.index] = .rodata
                } else if [".struct_ops", ".struct_ops.link", "?.struct_ops", "?.struct_ops.link"].contains(s.name) {
                    sectionKinds[s.index] = .structOps
                    hasStructOps = true
                }
                // Anything else (including .addr_space.1 and .jumptables, unsupported here) is skipped.
            } else if s.type == .rel {
                let target = Int(s.info)
                guard s.entrySize == UInt64(ELF.relSize), target < elf.sections.count else {
                    throw BPFError.malformedObject(
                        "relocation section '\(s.name)': entry size \(s.entrySize) (expected 16) or target section \(target) is invalid")
                }
                let keep = elf.sections[target].isExecutable
                    || [".rel.struct_ops", ".rel.struct_ops.link", ".rel?.struct_ops", ".rel?.struct_ops.link", ".rel.maps"].contains(s.name)
                if keep { sectionKinds[s.index] = .relocation }
            } else if s.type == .nobits && (s.name == ".bss" || s.name.hasPrefix(".bss.")) {
                sectionKinds[s.index] = .bss
            }
        }
        // cmp_progs(): by section index, then offset within the section.
        programs = programs.enumerated().sorted { a, b in
            if a.element.sectionIndex != b.element.sectionIndex { return a.element.sectionIndex < b.element.sectionIndex }
            if a.element.sectionOffset != b.element.sectionOffset { return a.element.sectionOffset < b.element.sectionOffset }
            return a.offset < b.offset
        }.map(\.element)
    }

    /// libbpf's `bpf_object__add_programs()` and `bpf_object__init_prog()`: every `STT_FUNC` symbol
    /// of an executable section is one function.
    mutating func addPrograms(in s: ELFSection) throws(BPFError) {
        let data = try elf.contents(of: s)
        for sym in elf.symbols where Int(sym.sectionIndex) == s.index && sym.type == .function {
            let (end, overflow) = sym.value.addingReportingOverflow(sym.size)
            guard !overflow, end <= UInt64(data.count) else {
                throw BPFError.malformedObject("sec '\(s.name)': program '\(sym.name)' at offset \(sym.value) crosses section boundary")
            }
            if s.index != textIndex && sym.binding == .local {
                throw BPFError.malformedObject("sec '\(s.name)': program '\(sym.name)' is static and not supported")
            }
            guard sym.size > 0, sym.size % 8 == 0, sym.value % 8 == 0 else {
                throw BPFError.malformedObject(
                    "sec '\(s.name)': corrupted program '\(sym.name)', offset \(sym.value), size \(sym.size)")
            }
            let start = Int(sym.value)
            let insns = Instruction.decode(data[start..<start + Int(sym.size)])
            var secName = s.name
            var autoload = true
            if secName.hasPrefix("?") {
                autoload = false
                secName.removeFirst()
            }
            let global = sym.binding != .local
            programs.append(ProgramSpec(
                name: sym.name, sectionName: secName, elfSectionName: s.name, sectionIndex: s.index,
                sectionOffset: start / 8, type: .unspec, expectedAttachType: .none, flags: [],
                sectionDefinition: nil, attachTarget: nil, needsAttachBTFID: false,
                instructions: insns, relocations: [], isSubprogram: false,
                isGlobalFunction: global, markBTFStatic: global && sym.hasRestrictedVisibility,
                autoload: autoload))
        }
    }

    /// libbpf's `bpf_object_init_progs()`: program type and expected attach type from the `SEC()`
    /// table; `.text` functions are subprograms (current libbpf).
    mutating func initProgramTypes() {
        for i in programs.indices {
            programs[i].isSubprogram = textIndex != 0 && programs[i].sectionIndex == textIndex
            guard let def = SectionDefinition.find(programs[i].sectionName) else { continue }
            programs[i].sectionDefinition = def
            programs[i].type = def.programType
            programs[i].expectedAttachType = def.expectedAttachType
            programs[i].flags = def.programFlags
            programs[i].attachTarget = def.attachTarget(in: programs[i].sectionName)
            programs[i].needsAttachBTFID = def.needsAttachBTFID
        }
    }
}
