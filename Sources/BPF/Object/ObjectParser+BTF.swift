extension ObjectParser {
    /// libbpf's `bpf_object__init_btf()`: BTF is optional unless the object has `.maps` or
    /// struct_ops; a corrupt `.BTF.ext` is ignored unless BTF is required.
    mutating func initBTF() throws(BPFError) {
        let required = mapsIndex != nil || hasStructOps
        var failure: String? = btfSection == nil ? "the object has no .BTF section" : nil
        if let s = btfSection {
            do {
                btf = try BTF(bytes: try elf.contents(of: s))
            } catch {
                failure = "\(error)"
            }
        }
        if let s = btfExtSection, let btf {
            do {
                let bytes = try elf.contents(of: s)
                btfExt = try BTFExt(bytes: bytes, btf: btf)
                btfExtBytes = bytes
            } catch {
                failure = "invalid .BTF.ext: \(error)"
            }
        }
        if let failure, required {
            throw BPFError.malformedObject("BTF is required (the object defines maps in .maps or struct_ops), but is missing or corrupted: \(failure)")
        }
    }

    /// libbpf's `bpf_object_fixup_btf()` → `btf_fixup_datasec()` for every DATASEC except
    /// `.kconfig` and `.ksyms`, then the FUNC linkage of `mark_btf_static` subprograms
    /// (`bpf_object__sanitize_and_load_btf()`).
    mutating func fixupBTF() throws(BPFError) {
        guard let original = btf else { return }
        var patch = BTFPatch(original)
        var changed = false
        for id in original.ownTypeIDs where original.kind(of: id) == .dataSec {
            let sec = try original.type(id)
            if sec.name == ".kconfig" || sec.name == ".ksyms" {
                try patch.sortDataSecEntries(id)
                changed = true
                continue
            }
            var fixOffsets = false
            if sec.sizeOrType == 0 {
                guard let elfSection = elf.section(named: sec.name), elfSection.size > 0, elfSection.size <= UInt64(UInt32.max) else {
                    throw BPFError.malformedObject("sec '\(sec.name)': failed to determine DATASEC size from the ELF section")
                }
                try patch.setDataSecSize(id, to: UInt32(elfSection.size))
                fixOffsets = true
            }
            for (i, entry) in sec.dataSecEntries.enumerated() {
                let v = try original.type(entry.type)
                guard v.kind == .var else {
                    throw BPFError.malformedBTF("sec '\(sec.name)': unexpected non-VAR type [\(entry.type)] (\(v.kind))")
                }
                if v.linkage == .static || v.linkage == .extern { continue }
                // find_elf_var_sym(): the first global/weak STT_OBJECT symbol of that name.
                guard let sym = elf.symbols.first(where: { $0.type == .object && $0.isGlobalOrWeak && $0.name == v.name }) else {
                    throw BPFError.malformedObject("sec '\(sec.name)': failed to find ELF symbol for VAR '\(v.name)'")
                }
                if fixOffsets {
                    guard sym.value <= UInt64(UInt32.max) else {
                        throw BPFError.malformedObject("sec '\(sec.name)': VAR '\(v.name)' offset \(sym.value) does not fit 32 bits")
                    }
                    try patch.setDataSecEntryOffset(id, index: i, to: UInt32(sym.value))
                }
                if sym.hasRestrictedVisibility {
                    try patch.setVarLinkage(entry.type, to: .static)
                }
            }
            try patch.sortDataSecEntries(id)
            changed = true
        }
        // Hidden global .text functions: their FUNC becomes static (the first global FUNC of that name).
        for p in programs where p.markBTFStatic && textIndex != 0 && p.sectionIndex == textIndex {
            for id in original.ownTypeIDs where original.kind(of: id) == .func {
                let f = try original.type(id)
                guard f.linkage == .global, f.name == p.name else { continue }
                try patch.setFuncLinkage(id, to: .static)
                changed = true
                break
            }
        }
        if changed { btf = try patch.btf() }
    }
}
