/// A parsed ELF64 little-endian BPF object: section headers with names, the symbol table, and
/// access to section contents and `SHT_REL` relocations. Every offset and size is bounds-checked;
/// bad input throws `BPFError.malformedObject` naming the cause.
///
/// Pure parsing: no system calls.
public struct ELFFile: Sendable {
    /// The whole file.
    public let bytes: [UInt8]
    /// All section headers in index order, including the null section at index 0.
    public let sections: [ELFSection]
    /// The symbols of the one `SHT_SYMTAB` section, in index order (index 0 is the null symbol).
    /// Empty if the object has no symbol table.
    public let symbols: [ELFSymbol]
    /// The index of the `SHT_SYMTAB` section, if any.
    public let symbolTableIndex: Int?
    /// `e_type` (1 = `ET_REL` for objects from clang).
    public let fileType: UInt16

    private var reader: ByteReader { ByteReader(bytes) }

    /// Parses the ELF header, section headers, section names and the symbol table.
    /// - Throws: `BPFError.malformedObject` if the bytes are not an ELF64 little-endian `EM_BPF`
    ///   object, or if any header, table or name lies outside the file.
    public init(bytes: [UInt8]) throws(BPFError) {
        self.bytes = bytes
        let r = ByteReader(bytes)
        guard bytes.count >= 4, bytes[0] == 0x7f, bytes[1] == 0x45, bytes[2] == 0x4c, bytes[3] == 0x46 else {
            throw BPFError.malformedObject("not an ELF file (bad magic)")
        }
        guard bytes.count >= ELF.headerSize else {
            throw BPFError.malformedObject("truncated ELF header: \(bytes.count) of \(ELF.headerSize) bytes")
        }
        switch bytes[4] {
        case 2: break
        case 1: throw BPFError.malformedObject("32-bit ELF (ELFCLASS32); BPF objects are ELF64")
        default: throw BPFError.malformedObject("unknown ELF class \(bytes[4])")
        }
        switch bytes[5] {
        case 1: break
        case 2: throw BPFError.malformedObject("big-endian ELF (ELFDATA2MSB); only little-endian BPF objects are supported")
        default: throw BPFError.malformedObject("unknown ELF data encoding \(bytes[5])")
        }
        fileType = try r.u16(16, "e_type")
        let machine = try r.u16(18, "e_machine")
        guard machine == ELF.machineBPF else {
            throw BPFError.malformedObject("e_machine is \(machine), not EM_BPF (\(ELF.machineBPF))")
        }
        let shoff = try r.u64(40, "e_shoff")
        let shentsize = try r.u16(58, "e_shentsize")
        var shnum = UInt64(try r.u16(60, "e_shnum"))
        var shstrndx = UInt32(try r.u16(62, "e_shstrndx"))

        if shoff == 0 {
            shnum = 0
        } else {
            guard shentsize == ELF.sectionHeaderSize else {
                throw BPFError.malformedObject("e_shentsize is \(shentsize), expected \(ELF.sectionHeaderSize)")
            }
            // Extended numbering: section 0 holds the real count and string-table index. It must
            // lie inside the file first: `shoff + 32` overflows for an e_shoff near 2^64.
            if shnum == 0 || shstrndx == UInt32(ELF.sectionXIndex) {
                _ = try r.check(shoff, UInt64(ELF.sectionHeaderSize), "section header table (its entry 0, for extended numbering)")
            }
            if shnum == 0 { shnum = try r.u64(shoff + 32, "section header 0 (sh_size)") }
            if shstrndx == UInt32(ELF.sectionXIndex) { shstrndx = try r.u32(shoff + 40, "section header 0 (sh_link)") }
        }
        let (tableSize, overflow) = shnum.multipliedReportingOverflow(by: UInt64(ELF.sectionHeaderSize))
        guard !overflow else { throw BPFError.malformedObject("section count \(shnum) is too large") }
        _ = try r.check(shoff, tableSize, "section header table (\(shnum) entries)")

        struct RawHeader { var name: UInt32; var section: ELFSection }
        var raw: [RawHeader] = []
        raw.reserveCapacity(Int(shnum))
        for i in 0..<Int(shnum) {
            let h = shoff + UInt64(i * ELF.sectionHeaderSize)
            let what = "section header \(i)"
            raw.append(RawHeader(
                name: try r.u32(h, what),
                section: ELFSection(
                    index: i, name: "",
                    type: ELFSectionType(rawValue: try r.u32(h + 4, what)),
                    flags: ELFSectionFlags(rawValue: try r.u64(h + 8, what)),
                    offset: try r.u64(h + 24, what), size: try r.u64(h + 32, what),
                    link: try r.u32(h + 40, what), info: try r.u32(h + 44, what),
                    addressAlignment: try r.u64(h + 48, what), entrySize: try r.u64(h + 56, what))))
        }

        var sections: [ELFSection] = []
        if !raw.isEmpty {
            guard Int(shstrndx) < raw.count, shstrndx != 0 else {
                throw BPFError.malformedObject("section name string table index \(shstrndx) is out of range (\(raw.count) sections)")
            }
            let strtabHeader = raw[Int(shstrndx)].section
            guard strtabHeader.type == .strtab else {
                throw BPFError.malformedObject("section name string table (section \(shstrndx)) is not SHT_STRTAB")
            }
            let names = try r.slice(strtabHeader.offset, strtabHeader.size, "section name string table")
            for var h in raw {
                h.section.name = try stringFromTable(names, at: h.name, "section \(h.section.index)")
                sections.append(h.section)
            }
        }
        self.sections = sections

        // The symbol table: at most one (libbpf: "multiple symbol tables").
        let symtabs = sections.filter { $0.type == .symtab }
        guard symtabs.count <= 1 else {
            throw BPFError.malformedObject("multiple symbol tables (sections \(symtabs.map(\.index)))")
        }
        guard let symtab = symtabs.first else {
            symbolTableIndex = nil
            symbols = []
            return
        }
        symbolTableIndex = symtab.index
        guard symtab.entrySize == UInt64(ELF.symbolSize) else {
            throw BPFError.malformedObject("symbol table '\(symtab.name)' has entry size \(symtab.entrySize), expected \(ELF.symbolSize)")
        }
        guard symtab.link != 0, Int(symtab.link) < sections.count else {
            throw BPFError.malformedObject("symbol table '\(symtab.name)' links to string table \(symtab.link), which does not exist")
        }
        let strtab = sections[Int(symtab.link)]
        guard strtab.type == .strtab else {
            throw BPFError.malformedObject("symbol string table '\(strtab.name)' (section \(strtab.index)) is not SHT_STRTAB")
        }
        let strings = try r.slice(strtab.offset, strtab.size, "symbol string table '\(strtab.name)'")
        _ = try r.check(symtab.offset, symtab.size, "symbol table '\(symtab.name)'")
        let count = Int(symtab.size / UInt64(ELF.symbolSize))
        var symbols: [ELFSymbol] = []
        symbols.reserveCapacity(count)
        for i in 0..<count {
            let s = symtab.offset + UInt64(i * ELF.symbolSize)
            let what = "symbol \(i)"
            let nameOffset = try r.u32(s, what)
            let info = try r.u8(s + 4, what)
            let other = try r.u8(s + 5, what)
            symbols.append(ELFSymbol(
                index: i,
                name: nameOffset == 0 ? "" : try stringFromTable(strings, at: nameOffset, what),
                nameOffset: nameOffset,
                value: try r.u64(s + 8, what), size: try r.u64(s + 16, what),
                type: ELFSymbolType(rawValue: info & 0x0f),
                binding: ELFSymbolBinding(rawValue: info >> 4),
                visibility: ELFSymbolVisibility(rawValue: other & 0x03),
                sectionIndex: try r.u16(s + 6, what)))
        }
        self.symbols = symbols
    }

    /// The first section with this name.
    public func section(named name: String) -> ELFSection? {
        sections.first { $0.name == name }
    }

    /// The section at `index`, or nil if out of range.
    public func section(at index: Int) -> ELFSection? {
        index >= 0 && index < sections.count ? sections[index] : nil
    }

    /// The symbol at `index`, or nil if out of range.
    public func symbol(at index: Int) -> ELFSymbol? {
        index >= 0 && index < symbols.count ? symbols[index] : nil
    }

    /// The byte range of a section's contents in `bytes`; empty for `SHT_NOBITS` (e.g. `.bss`)
    /// and `SHT_NULL`, which occupy no file space.
    /// - Throws: if the contents lie outside the file.
    public func contentsRange(of section: ELFSection) throws(BPFError) -> Range<Int> {
        if section.type == .nobits || section.type == .null { return 0..<0 }
        let start = try reader.check(section.offset, section.size, "contents of section '\(section.name)'")
        return start..<start + Int(section.size)
    }

    /// A section's contents (a copy). `SHT_NOBITS` sections have none: the result is empty.
    public func contents(of section: ELFSection) throws(BPFError) -> [UInt8] {
        Array(bytes[try contentsRange(of: section)])
    }

    /// The entries of an `SHT_REL` section.
    /// - Throws: if the section is not `SHT_REL`, its entry size is not 16, or it lies outside the file.
    public func relocations(in section: ELFSection) throws(BPFError) -> [ELFRelocation] {
        guard section.type == .rel else {
            throw BPFError.malformedObject("section '\(section.name)' is \(section.type), not SHT_REL")
        }
        guard section.entrySize == UInt64(ELF.relSize) else {
            throw BPFError.malformedObject("relocation section '\(section.name)' has entry size \(section.entrySize), expected \(ELF.relSize)")
        }
        let r = reader
        _ = try r.check(section.offset, section.size, "relocation section '\(section.name)'")
        let count = Int(section.size / UInt64(ELF.relSize))
        var out: [ELFRelocation] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            let e = section.offset + UInt64(i * ELF.relSize)
            let info = try r.u64(e + 8, "relocation \(i) of '\(section.name)'")
            out.append(ELFRelocation(offset: try r.u64(e, "relocation \(i) of '\(section.name)'"),
                                     symbolIndex: UInt32(truncatingIfNeeded: info >> 32),
                                     type: UInt32(truncatingIfNeeded: info)))
        }
        return out
    }
}
