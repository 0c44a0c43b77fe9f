/// A native executable or shared library (ELF64 little-endian, `ET_EXEC` or `ET_DYN`), read for
/// probing and symbolisation: program headers, section headers, `.symtab` and `.dynsym` symbols
/// (with GNU symbol versions), notes, and the mapping of virtual addresses to file offsets.
///
/// This is not the BPF object reader (`ELFFile`, which accepts `EM_BPF` relocatable objects).
/// `init(path:)` maps the file read-only (`mmap`), and nothing is copied or decoded until asked
/// for, so opening libc or a 100 MB binary costs only the pages that are read. Every offset is
/// bounds-checked: bad input throws `BPFError.malformedObject` naming the cause.
///
/// Parsing is pure (the only system calls are the open and `mmap` in `MappedFile`).
public struct ExecutableELF: Sendable {
    let storage: ExecutableELFBytes

    /// The path the file was read from, if it was read from a path.
    public let path: String?
    /// `e_type`: `.executable` (`ET_EXEC`) or `.sharedObject` (`ET_DYN`, also PIE executables).
    public let fileType: ExecutableELFFileType
    /// `e_machine` (`ELF.machineX86_64` is 62).
    public let machine: UInt16
    /// `e_entry`.
    public let entryPoint: UInt64
    /// The program headers in table order (empty if the file has none).
    public let segments: [ELFSegment]
    /// The section headers in index order, including the null section at index 0 (empty if the
    /// file has no section header table, as some fully stripped files do).
    public let sections: [ELFSection]
    /// `sh_addr` of each section, by index (`ELFSection` has no address field).
    let sectionAddresses: [UInt64]

    /// The file's size in bytes.
    public var size: Int { storage.count }

    /// Maps `path` read-only and parses its headers.
    /// - Throws: `.missing` if the file does not exist, `.invalidArgument` naming the path and the
    ///   cause if it is not a 64-bit little-endian ELF executable or shared library (a directory,
    ///   a script, a truncated file), `.syscall` if it cannot be read.
    public init(path: String) throws(BPFError) {
        let mapping: MappedFile
        do {
            // Shared, so that code bytes are the file's and not another tracer's uprobes.
            mapping = try MappedFile(path: path, shared: true)
        } catch {
            switch error {
            case let .syscall(_, errno) where errno == .ENOENT:
                throw .missing("binary '\(path)': no such file")
            case let .syscall(_, errno) where errno.rawValue == 19 || errno.rawValue == 21:  // ENODEV, EISDIR
                throw .invalidArgument("'\(path)' is not a regular file (\(errno)), so it is not an ELF binary")
            case .invalidArgument:
                throw .invalidArgument("'\(path)' is empty, not an ELF file")
            default:
                throw error
            }
        }
        do {
            try self.init(storage: ExecutableELFBytes(mapping: mapping), path: path)
        } catch {
            if case let .malformedObject(why) = error {
                throw .invalidArgument("'\(path)' is not an ELF executable or shared library that can be read: \(why)")
            }
            throw error
        }
    }

    /// Parses a file held in memory (a copy is kept).
    public init(bytes: [UInt8]) throws(BPFError) {
        try self.init(storage: ExecutableELFBytes(copying: bytes), path: nil)
    }

    init(storage r: ExecutableELFBytes, path: String?) throws(BPFError) {
        self.storage = r
        self.path = path
        guard r.count >= 4, r.buffer[0] == 0x7f, r.buffer[1] == 0x45, r.buffer[2] == 0x4c, r.buffer[3] == 0x46 else {
            throw .malformedObject("not an ELF file (bad magic)")
        }
        guard r.count >= ELF.headerSize else {
            throw .malformedObject("truncated ELF header: \(r.count) of \(ELF.headerSize) bytes")
        }
        switch r.buffer[4] {
        case 2: break
        case 1: throw .malformedObject("32-bit ELF (ELFCLASS32); only 64-bit binaries are supported")
        default: throw .malformedObject("unknown ELF class \(r.buffer[4])")
        }
        guard r.buffer[5] == 1 else {
            throw .malformedObject(r.buffer[5] == 2 ? "big-endian ELF (ELFDATA2MSB); only little-endian binaries are supported" : "unknown ELF data encoding \(r.buffer[5])")
        }
        fileType = ExecutableELFFileType(rawValue: try r.u16(16, "e_type"))
        guard fileType == .executable || fileType == .sharedObject else {
            throw .malformedObject("the file is \(fileType), not an executable (ET_EXEC) or shared library (ET_DYN)")
        }
        machine = try r.u16(18, "e_machine")
        guard machine != ELF.machineBPF else {
            throw .malformedObject("e_machine is EM_BPF: this is a BPF object, not a native binary")
        }
        entryPoint = try r.u64(24, "e_entry")
        segments = try Self.readSegments(r)
        (sections, sectionAddresses) = try Self.readSections(r)
    }

    private static func readSegments(_ r: ExecutableELFBytes) throws(BPFError) -> [ELFSegment] {
        let phoff = try r.u64(32, "e_phoff")
        let phentsize = try r.u16(54, "e_phentsize")
        let phnum = Int(try r.u16(56, "e_phnum"))
        guard phoff != 0, phnum != 0 else { return [] }
        guard phentsize == ELF.programHeaderSize else {
            throw .malformedObject("e_phentsize is \(phentsize), expected \(ELF.programHeaderSize)")
        }
        let base = try r.check(phoff, UInt64(phnum * ELF.programHeaderSize), "program header table (\(phnum) entries)")
        var out: [ELFSegment] = []
        out.reserveCapacity(phnum)
        for i in 0..<phnum {
            let h = base + i * ELF.programHeaderSize
            out.append(ELFSegment(
                index: i, type: ELFSegmentType(rawValue: r.u32(at: h)), flags: ELFSegmentFlags(rawValue: r.u32(at: h + 4)),
                offset: r.u64(at: h + 8), virtualAddress: r.u64(at: h + 16), physicalAddress: r.u64(at: h + 24),
                fileSize: r.u64(at: h + 32), memorySize: r.u64(at: h + 40), alignment: r.u64(at: h + 48)))
        }
        return out
    }

    private static func readSections(_ r: ExecutableELFBytes) throws(BPFError) -> ([ELFSection], [UInt64]) {
        let shoff = try r.u64(40, "e_shoff")
        guard shoff != 0 else { return ([], []) }
        let shentsize = try r.u16(58, "e_shentsize")
        var shnum = UInt64(try r.u16(60, "e_shnum"))
        var shstrndx = UInt32(try r.u16(62, "e_shstrndx"))
        guard shentsize == ELF.sectionHeaderSize else {
            throw .malformedObject("e_shentsize is \(shentsize), expected \(ELF.sectionHeaderSize)")
        }
        // Extended numbering: section 0 holds the real count and string-table index. Header 0
        // is checked whole first, so that the field offsets cannot overflow (e_shoff near 2^64).
        if shnum == 0 || shstrndx == UInt32(ELF.sectionXIndex) {
            let header0 = try r.check(shoff, UInt64(ELF.sectionHeaderSize), "section header 0")
            if shnum == 0 { shnum = r.u64(at: header0 + 32) }
            if shstrndx == UInt32(ELF.sectionXIndex) { shstrndx = r.u32(at: header0 + 40) }
        }
        guard shnum > 0 else { return ([], []) }
        let (tableSize, overflow) = shnum.multipliedReportingOverflow(by: UInt64(ELF.sectionHeaderSize))
        guard !overflow else { throw .malformedObject("section count \(shnum) is too large") }
        let base = try r.check(shoff, tableSize, "section header table (\(shnum) entries)")

        var sections: [ELFSection] = []
        var nameOffsets: [UInt32] = []
        var addresses: [UInt64] = []
        sections.reserveCapacity(Int(shnum))
        addresses.reserveCapacity(Int(shnum))
        nameOffsets.reserveCapacity(Int(shnum))
        for i in 0..<Int(shnum) {
            let h = base + i * ELF.sectionHeaderSize
            nameOffsets.append(r.u32(at: h))
            addresses.append(r.u64(at: h + 16))
            sections.append(ELFSection(
                index: i, name: "", type: ELFSectionType(rawValue: r.u32(at: h + 4)),
                flags: ELFSectionFlags(rawValue: r.u64(at: h + 8)),
                offset: r.u64(at: h + 24), size: r.u64(at: h + 32), link: r.u32(at: h + 40), info: r.u32(at: h + 44),
                addressAlignment: r.u64(at: h + 48), entrySize: r.u64(at: h + 56)))
        }
        guard shstrndx != 0, Int(shstrndx) < sections.count else {
            // Names are optional for probing: keep the headers unnamed.
            return (sections, addresses)
        }
        let strtab = sections[Int(shstrndx)]
        guard strtab.type == .strtab else {
            throw .malformedObject("section name string table (section \(shstrndx)) is not SHT_STRTAB")
        }
        let names = ExecutableELFStrings(table: try r.view(strtab.offset, strtab.size, "section name string table"))
        for i in sections.indices {
            guard let name = names.string(at: nameOffsets[i]) else {
                throw .malformedObject("section \(i): name offset \(nameOffsets[i]) is outside the section name string table or not NUL-terminated")
            }
            sections[i].name = name
        }
        return (sections, addresses)
    }

    // MARK: Sections

    /// The first section with this name.
    public func section(named name: String) -> ELFSection? {
        sections.first { $0.name == name }
    }

    /// The sections of one type, e.g. `.note`.
    public func sections(ofType type: ELFSectionType) -> [ELFSection] {
        sections.filter { $0.type == type }
    }

    /// `sh_addr` of a section: the virtual address its contents are linked at (0 if not `SHF_ALLOC`).
    public func address(of section: ELFSection) -> UInt64 {
        section.index >= 0 && section.index < sectionAddresses.count ? sectionAddresses[section.index] : 0
    }

    /// A copy of a section's contents; empty for `SHT_NOBITS` (e.g. `.bss`) and `SHT_NULL`.
    /// - Throws: if the contents lie outside the file.
    public func contents(of section: ELFSection) throws(BPFError) -> [UInt8] {
        if section.type == .nobits || section.type == .null { return [] }
        return try storage.copy(section.offset, section.size, "contents of section '\(section.name)'")
    }

    /// Calls `body` with a section's contents in place (no copy); the buffer is valid only inside
    /// `body`. Empty for `SHT_NOBITS` and `SHT_NULL`.
    public func withContents<R>(of section: ELFSection, _ body: (UnsafeRawBufferPointer) throws(BPFError) -> R) throws(BPFError) -> R {
        let view: UnsafeRawBufferPointer
        if section.type == .nobits || section.type == .null {
            view = UnsafeRawBufferPointer(start: nil, count: 0)
        } else {
            view = try storage.view(section.offset, section.size, "contents of section '\(section.name)'")
        }
        defer { withExtendedLifetime(storage) {} }
        return try body(view)
    }

    /// A copy of `count` bytes at file offset `offset`.
    public func bytes(atFileOffset offset: UInt64, count: Int) throws(BPFError) -> [UInt8] {
        try storage.copy(offset, UInt64(max(count, 0)), "\(count) bytes")
    }

    // MARK: Addresses

    /// The file offset of virtual address `address`, computed through the `PT_LOAD` segment that
    /// holds it in its file-backed part: `address - p_vaddr + p_offset`. This is the offset a
    /// uprobe takes (libbpf's `elf_find_func_offset`). Nil if no `PT_LOAD` segment holds it.
    public func fileOffset(ofVirtualAddress address: UInt64) -> UInt64? {
        for s in segments where s.type == .load && s.containsFileBacked(virtualAddress: address) {
            // A segment's p_offset comes from the file: the sum can overflow (found by fuzzing).
            let (offset, overflow) = (address - s.virtualAddress).addingReportingOverflow(s.offset)
            return overflow ? nil : offset
        }
        return nil
    }

    /// The virtual address (as linked) of file offset `offset`, through the `PT_LOAD` segment
    /// whose file bytes hold it; the inverse of `fileOffset(ofVirtualAddress:)`. With a line of
    /// /proc/PID/maps (`start`, `pgoff`), a runtime address `a` is at file offset
    /// `a - start + pgoff`. Nil if no `PT_LOAD` segment holds it.
    public func virtualAddress(ofFileOffset offset: UInt64) -> UInt64? {
        for s in segments where s.type == .load && offset >= s.offset && offset - s.offset < s.fileSize {
            let (address, overflow) = (offset - s.offset).addingReportingOverflow(s.virtualAddress)
            return overflow ? nil : address
        }
        return nil
    }

    /// The file offset of a defined symbol's address: through `PT_LOAD` segments, else through
    /// its section header (`st_value - sh_addr + sh_offset`, libbpf's `elf_sym_offset`).
    /// Nil for undefined and absolute symbols.
    public func fileOffset(of symbol: ExecutableELFSymbol) -> UInt64? {
        guard symbol.isDefined else { return nil }
        if let offset = fileOffset(ofVirtualAddress: symbol.value) { return offset }
        let index = Int(symbol.sectionIndex)
        guard symbol.sectionIndex < ELF.sectionLoReserve, index < sections.count,
              case let base = address(of: sections[index]),
              symbol.value >= base, symbol.value - base < sections[index].size else { return nil }
        let (offset, overflow) = (symbol.value - base).addingReportingOverflow(sections[index].offset)
        return overflow ? nil : offset
    }
}
