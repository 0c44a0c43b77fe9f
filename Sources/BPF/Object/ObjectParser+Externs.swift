extension ObjectParser {
    /// libbpf's `bpf_object__collect_externs()`: one `ExternSpec` per extern symbol, sorted by
    /// `cmp_externs()`, and the BTF edits that let the kernel accept `.ksyms` and `.kconfig`:
    /// - `.ksyms`: every entry becomes a 4-byte slot at 4·i; VARs become global `int`s; kfunc
    ///   FUNCs become global and their entry points at an added VAR `dummy_ksym`, whose name also
    ///   fills unnamed FUNC_PROTO parameters (`add_dummy_ksym_var()`).
    /// - `.kconfig`: VARs become global-allocated at aligned offsets (alignment descending, size
    ///   ascending, name); the DATASEC size is the end of the last one.
    mutating func collectExterns() throws(BPFError) {
        let symbols = elf.symbols.filter { $0.isExtern && !$0.name.isEmpty }
        guard !symbols.isEmpty else { return }
        guard var btf else {
            throw BPFError.malformedObject("failed to find BTF for extern '\(symbols[0].name)': the object has no BTF")
        }

        // add_dummy_ksym_var(): only if .ksyms holds a FUNC.
        var dummyID: UInt32 = 0
        var dummyNameOffset: UInt32 = 0
        if let ksyms = btf.typeID(named: ".ksyms", kind: .dataSec),
           try btf.type(ksyms).dataSecEntries.contains(where: { btf.kind(of: $0.type) == .func }) {
            var editor = try ObjectBTFEditor(btf)
            dummyID = editor.appendVar(name: "dummy_ksym", type: firstInt32ID(btf), linkage: .global)
            dummyNameOffset = editor.addString("dummy_ksym")
            btf = try BTF(bytes: editor.bytes())
        }

        var found: [ExternSpec] = []
        for sym in symbols {
            // find_extern_btf_id(): the first VAR or FUNC of that name, which must be extern.
            guard let id = btf.typeIDs(named: sym.name).first(where: { btf.kind(of: $0) == .var || btf.kind(of: $0) == .func }) else {
                throw BPFError.malformedObject("failed to find BTF for extern '\(sym.name)'")
            }
            let t = try btf.type(id)
            guard t.linkage == .extern else {
                throw BPFError.malformedObject("failed to find BTF for extern '\(sym.name)': its BTF \(t.kind) is not extern")
            }
            // find_extern_sec_btf_id(): the first DATASEC listing it.
            var secID: UInt32?
            for candidate in btf.typeIDs where btf.kind(of: candidate) == .dataSec {
                if try btf.type(candidate).dataSecEntries.contains(where: { $0.type == id }) {
                    secID = candidate
                    break
                }
            }
            guard let secID else {
                throw BPFError.malformedObject("failed to find BTF for extern '\(sym.name)' [\(id)] section")
            }
            let secName = btf.name(of: secID)
            let kind: ExternSpec.Kind
            switch secName {
            case ".kconfig":
                guard t.kind == .var else {
                    throw BPFError.malformedObject("extern function \(t.name) is unsupported under .kconfig section")
                }
                let size: Int, align: Int
                do {
                    size = try btf.size(of: t.sizeOrType)
                    align = try btf.alignment(of: t.sizeOrType)
                } catch {
                    throw BPFError.malformedObject("failed to resolve size or alignment of extern (kcfg) '\(t.name)': \(error)")
                }
                guard size > 0, align > 0 else {
                    throw BPFError.malformedObject("extern (kcfg) '\(t.name)' has size \(size), alignment \(align)")
                }
                guard let (type, signed) = try kconfigType(btf, t.sizeOrType) else {
                    throw BPFError.malformedObject("extern (kcfg) '\(t.name)': type is unsupported")
                }
                kind = .kconfig(type: type, size: size, alignment: align, isSigned: signed, dataOffset: 0)
            case ".ksyms":
                kind = .ksym(typeID: try btf.resolved(t.sizeOrType), isFunction: t.kind == .func)
            default:
                throw BPFError.malformedObject("unrecognized extern section '\(secName)'")
            }
            found.append(ExternSpec(name: t.name, essentialName: BTFName.essentialName(t.name), btfID: id,
                                    sectionBTFID: secID, symbolIndex: sym.index, isWeak: sym.binding == .weak, kind: kind))
        }

        // cmp_externs(): kconfig before ksym; kconfig by alignment descending, size ascending; then name.
        func key(_ e: ExternSpec) -> (Int, Int, Int) {
            if case let .kconfig(_, size, align, _, _) = e.kind { return (1, -align, size) }
            return (2, 0, 0)
        }
        found.sort { a, b in
            let ka = key(a), kb = key(b)
            if ka != kb { return ka < kb }
            return Array(a.name.utf8).lexicographicallyPrecedes(Array(b.name.utf8))
        }

        // .kconfig offsets.
        var offset = 0
        for i in found.indices {
            guard case let .kconfig(type, size, align, signed, _) = found[i].kind else { continue }
            let dataOffset = (offset + align - 1) / align * align
            found[i].kind = .kconfig(type: type, size: size, alignment: align, isSigned: signed, dataOffset: dataOffset)
            offset = dataOffset + size
        }

        // FUNC_PROTO parameters without a name get dummy_ksym's (the kernel wants named params).
        if dummyID != 0, let ksyms = btf.typeID(named: ".ksyms", kind: .dataSec) {
            var editor = try ObjectBTFEditor(btf)
            for entry in try btf.type(ksyms).dataSecEntries where btf.kind(of: entry.type) == .func {
                let proto = try btf.type(try btf.type(entry.type).sizeOrType)
                for (j, p) in proto.params.enumerated() where p.type != 0 && p.nameOffset == 0 {
                    try editor.setParameterName(proto: proto.id, index: j, nameOffset: dummyNameOffset)
                }
            }
            btf = try BTF(bytes: editor.bytes())
        }

        var patch = BTFPatch(btf)
        if let ksyms = btf.typeID(named: ".ksyms", kind: .dataSec), found.contains(where: { !$0.isKconfig }) {
            let intID = firstInt32ID(btf)
            let entries = try btf.type(ksyms).dataSecEntries
            for (i, entry) in entries.enumerated() {
                let vt = try btf.type(entry.type)
                guard found.contains(where: { $0.name == vt.name }) else {
                    throw BPFError.malformedObject("failed to find extern definition for BTF \(vt.kind) '\(vt.name)'")
                }
                if vt.kind == .func {
                    try patch.setDataSecEntryType(ksyms, index: i, to: dummyID)
                    try patch.setFuncLinkage(entry.type, to: .global)
                } else {
                    try patch.setVarLinkage(entry.type, to: .global)
                    try patch.setVarType(entry.type, to: intID)
                }
                try patch.setDataSecEntryOffset(ksyms, index: i, to: UInt32(4 * i))
                try patch.setDataSecEntrySize(ksyms, index: i, to: 4)
            }
            try patch.setDataSecSize(ksyms, to: UInt32(4 * entries.count))
        }
        if let kconfig = btf.typeID(named: ".kconfig", kind: .dataSec), found.contains(where: \.isKconfig) {
            try patch.setDataSecSize(kconfig, to: UInt32(offset))
            for (i, entry) in try btf.type(kconfig).dataSecEntries.enumerated() {
                let name = btf.name(of: entry.type)
                guard let ext = found.first(where: { $0.name == name }), let off = ext.kconfigOffset else {
                    throw BPFError.malformedObject("failed to find extern definition for BTF var '\(name)'")
                }
                try patch.setVarLinkage(entry.type, to: .global)
                try patch.setDataSecEntryOffset(kconfig, index: i, to: UInt32(off))
            }
        }
        self.btf = try patch.btf()
        externs = found
    }

    /// libbpf's `find_int_btf_id()`: the first 32-bit INT, or 0.
    func firstInt32ID(_ btf: BTF) -> UInt32 {
        for id in btf.typeIDs where btf.kind(of: id) == .int {
            if let t = try? btf.type(id), t.intBits == 32 { return id }
        }
        return 0
    }

    /// libbpf's `find_kcfg_type()`; nil for unsupported types.
    func kconfigType(_ btf: BTF, _ id: UInt32) throws(BPFError) -> (ExternSpec.KconfigType, Bool)? {
        let t = try btf.resolvedType(id)
        switch t.kind {
        case .int:
            let size = t.size ?? 0
            if t.intEncoding.contains(.bool) { return size == 1 ? (.bool, false) : nil }
            let signed = t.intEncoding.contains(.signed)
            if size == 1 { return (.char, signed) }
            guard [2, 4, 8].contains(size) else { return nil }
            return (.int, signed)
        case .enum:
            return t.size == 4 && t.name == "libbpf_tristate" ? (.tristate, false) : nil
        case .enum64:
            return t.name == "libbpf_tristate" ? (.tristate, false) : nil
        case .array:
            guard let a = t.array, a.count > 0, let (element, _) = try kconfigType(btf, a.element), element == .char else {
                return nil
            }
            return (.charArray, false)
        default:
            return nil
        }
    }

    /// libbpf's `bpf_object__init_kconfig_map()`: an internal map covering every kconfig extern,
    /// zero-filled (the loader writes the values), after the data maps.
    mutating func initKconfigMap() throws(BPFError) {
        guard let last = externs.last(where: \.isKconfig), case let .kconfig(_, size, _, _, off) = last.kind else { return }
        var spec = MapSpec(
            name: ObjectNaming.internalMapName(objectName: objectName, sectionName: ".kconfig"),
            type: .array, keySize: 4, valueSize: UInt32(off + size), maxEntries: 1, flags: .readOnlyProgram,
            contents: [UInt8](repeating: 0, count: off + size), internalKind: .kconfig, sectionName: ".kconfig",
            sectionIndex: elf.symbolTableIndex ?? 0)
        if let btf, let id = btf.typeIDs(named: ".kconfig").first {
            spec.valueTypeID = id
            if btf.kind(of: id) == .dataSec {
                for e in try btf.type(id).dataSecEntries where btf.kind(of: e.type) == .var {
                    if try btf.type(e.type).linkage != .static { spec.flags.insert(.mmapable) }
                }
            }
        }
        maps.append(spec)
    }
}
