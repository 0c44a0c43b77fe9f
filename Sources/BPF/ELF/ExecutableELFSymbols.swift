/// Which symbol table of a native ELF file a symbol comes from.
public enum ExecutableELFSymbolTable: String, Hashable, Sendable, CustomStringConvertible {
    /// `.symtab` (`SHT_SYMTAB`): every symbol, including static functions; removed by `strip`.
    case symtab = ".symtab"
    /// `.dynsym` (`SHT_DYNSYM`): the exported and imported symbols; survives `strip`.
    case dynsym = ".dynsym"

    var sectionType: ELFSectionType { self == .symtab ? .symtab : .dynsym }
    public var description: String { rawValue }
}

/// One symbol of a native executable or shared library, with its GNU symbol version.
public struct ExecutableELFSymbol: Hashable, Sendable, CustomStringConvertible {
    /// The table the symbol is in.
    public var table: ExecutableELFSymbolTable
    /// Its index in that table.
    public var index: Int
    /// The name without a version (`malloc`).
    public var name: String
    /// The GNU symbol version (`GLIBC_2.2.5`): from `.gnu.version`/`.gnu.version_d`/`.gnu.version_r`
    /// for `.dynsym`, from the name itself (`malloc@@GLIBC_2.2.5`) for `.symtab`. Nil if unversioned.
    public var version: String?
    /// True for the default version (`name@@VER`), which the static linker binds new references to;
    /// false for a hidden (`name@VER`) one. Meaningless without a version.
    public var isDefaultVersion: Bool
    /// `st_value`: the virtual address for defined symbols of executables and shared libraries.
    public var value: UInt64
    /// `st_size`.
    public var size: UInt64
    /// `ELF64_ST_TYPE(st_info)`: `.function`, `.object`, `.gnuIndirectFunction`, ...
    public var type: ELFSymbolType
    /// `ELF64_ST_BIND(st_info)`.
    public var binding: ELFSymbolBinding
    /// `ELF64_ST_VISIBILITY(st_other)`.
    public var visibility: ELFSymbolVisibility
    /// `st_shndx`: the defining section, or `ELF.sectionUndefined` (0) for an import.
    public var sectionIndex: UInt16

    /// Defined in this file: not `SHN_UNDEF` and not `SHN_ABS`.
    public var isDefined: Bool { sectionIndex != ELF.sectionUndefined && sectionIndex != ELF.sectionAbsolute }

    /// `name@@VERSION`, `name@VERSION` (hidden or needed versions) or `name`, as `readelf` prints it.
    public var versionedName: String {
        guard let version else { return name }
        return name + (isDefaultVersion ? "@@" : "@") + version
    }

    public var description: String { "\(versionedName) (\(table), 0x\(String(value, radix: 16)), \(size) bytes)" }
}

/// A symbol name as libbpf accepts it: `name`, `name@VERSION` or `name@@VERSION`. The version, if
/// given, must equal the symbol's; whether it was written with one '@' or two does not matter
/// (libbpf's `symbol_match`).
public struct ExecutableELFSymbolQuery: Hashable, Sendable {
    /// The name before any '@'.
    public var name: String
    /// The version after '@' or '@@', if any.
    public var version: String?

    /// Parses `text`: `NAME` or `NAME@VERSION` / `NAME@@VERSION`.
    public init(_ text: String) {
        if let at = text.firstIndex(of: "@") {
            name = String(text[..<at])
            var rest = text[text.index(after: at)...]
            if rest.first == "@" { rest = rest.dropFirst() }
            version = String(rest)
        } else {
            name = text
            version = nil
        }
    }
}

extension ExecutableELF {
    /// The symbol table section of a kind, if the file has it.
    public func symbolTableSection(_ table: ExecutableELFSymbolTable) -> ELFSection? {
        sections.first { $0.type == table.sectionType }
    }

    /// Every symbol of `table` (empty if the file has no such table), with versions, in index
    /// order. The null symbol at index 0 is left out. `types`, if given, keeps only those types
    /// (names of other symbols are not decoded, which matters for 100 MB binaries).
    public func symbols(in table: ExecutableELFSymbolTable, types: Set<ELFSymbolType>? = nil) throws(BPFError) -> [ExecutableELFSymbol] {
        guard let walker = try SymbolWalker(self, table) else { return [] }
        var out: [ExecutableELFSymbol] = []
        for i in 1..<walker.count {
            if let types, !types.contains(walker.type(i)) { continue }
            out.append(try walker.symbol(i))
        }
        return out
    }

    /// The symbols of both tables (`.dynsym` first, then `.symtab`, libbpf's search order) whose
    /// name matches `query` (`name`, `name@VER` or `name@@VER`): the same base name, and the same
    /// version if the query names one. A search for `foo` does not match `foo2`. Names of symbols
    /// that do not match are compared in place, not decoded.
    public func symbols(named query: String) throws(BPFError) -> [ExecutableELFSymbol] {
        let q = ExecutableELFSymbolQuery(query)
        var out: [ExecutableELFSymbol] = []
        for table in [ExecutableELFSymbolTable.dynsym, .symtab] {
            guard let walker = try SymbolWalker(self, table) else { continue }
            let wanted = Array(q.name.utf8)
            for i in 1..<walker.count where walker.nameHasBase(i, wanted) {
                let s = try walker.symbol(i)
                if let v = q.version, s.version != v { continue }
                out.append(s)
            }
        }
        return out
    }

    /// The names (with versions) of the defined functions in both tables, for suggestions.
    public func functionNames() throws(BPFError) -> [String] {
        var names: Set<String> = []
        for table in [ExecutableELFSymbolTable.dynsym, .symtab] {
            for s in try symbols(in: table, types: [.function, .gnuIndirectFunction]) where s.isDefined {
                names.insert(s.name)
            }
        }
        return names.sorted()
    }
}

/// Reads one symbol table in place: raw fields by index, names compared without copying, and
/// versions for `.dynsym` from `.gnu.version` with `.gnu.version_d` and `.gnu.version_r`.
struct SymbolWalker {
    let table: ExecutableELFSymbolTable
    let storage: ExecutableELFBytes
    let base: Int
    let count: Int
    let strings: ExecutableELFStrings
    /// `.gnu.version` entries (one u16 per symbol), by symbol index; empty without versions.
    let versionIndices: UnsafeRawBufferPointer
    /// Version index → name, from `.gnu.version_d` and `.gnu.version_r`.
    let versionNames: [UInt16: String]

    init?(_ elf: ExecutableELF, _ table: ExecutableELFSymbolTable) throws(BPFError) {
        guard let section = elf.symbolTableSection(table) else { return nil }
        let r = elf.storage
        guard section.entrySize == UInt64(ELF.symbolSize) else {
            throw .malformedObject("symbol table '\(section.name)' has entry size \(section.entrySize), expected \(ELF.symbolSize)")
        }
        guard section.link != 0, Int(section.link) < elf.sections.count, elf.sections[Int(section.link)].type == .strtab else {
            throw .malformedObject("symbol table '\(section.name)' links to section \(section.link), which is not a string table")
        }
        let strtab = elf.sections[Int(section.link)]
        self.table = table
        storage = r
        strings = ExecutableELFStrings(table: try r.view(strtab.offset, strtab.size, "string table '\(strtab.name)'"))
        base = try r.check(section.offset, section.size, "symbol table '\(section.name)'")
        count = Int(section.size / UInt64(ELF.symbolSize))
        guard count > 0 else { return nil }

        var indices = UnsafeRawBufferPointer(start: nil, count: 0)
        var names: [UInt16: String] = [:]
        if table == .dynsym, let versym = elf.sections.first(where: { $0.type == .gnuVersionSymbols }),
           versym.size >= UInt64(count * 2) {
            indices = try r.view(versym.offset, UInt64(count * 2), "symbol versions '\(versym.name)'")
            for section in elf.sections where section.type == .gnuVersionDefinitions {
                try Self.readDefinitions(elf, section, into: &names)
            }
            for section in elf.sections where section.type == .gnuVersionNeeds {
                try Self.readNeeds(elf, section, into: &names)
            }
        }
        versionIndices = indices
        versionNames = names
    }

    @inline(__always) func entry(_ i: Int) -> Int { base + i * ELF.symbolSize }
    @inline(__always) func type(_ i: Int) -> ELFSymbolType { ELFSymbolType(rawValue: storage.buffer[entry(i) + 4] & 0x0f) }

    /// Whether symbol `i`'s name is `wanted` or `wanted@...` (compared in place).
    func nameHasBase(_ i: Int, _ wanted: [UInt8]) -> Bool {
        guard let name = strings.bytes(at: storage.u32(at: entry(i))), name.count >= wanted.count else { return false }
        for k in 0..<wanted.count where name[k] != wanted[k] { return false }
        return name.count == wanted.count || name[wanted.count] == UInt8(ascii: "@")
    }

    func symbol(_ i: Int) throws(BPFError) -> ExecutableELFSymbol {
        let e = entry(i)
        let nameOffset = storage.u32(at: e)
        guard let raw = strings.bytes(at: nameOffset) else {
            throw .malformedObject("\(table) symbol \(i): name offset \(nameOffset) is outside the string table or not NUL-terminated")
        }
        let info = storage.buffer[e + 4]
        let at = raw.firstIndex(of: UInt8(ascii: "@"))
        var s = ExecutableELFSymbol(
            table: table, index: i, name: String(decoding: UnsafeRawBufferPointer(rebasing: raw[..<(at ?? raw.endIndex)]), as: UTF8.self),
            version: nil, isDefaultVersion: false,
            value: storage.u64(at: e + 8), size: storage.u64(at: e + 16),
            type: ELFSymbolType(rawValue: info & 0x0f), binding: ELFSymbolBinding(rawValue: info >> 4),
            visibility: ELFSymbolVisibility(rawValue: storage.buffer[e + 5] & 0x03), sectionIndex: storage.u16(at: e + 6))
        if let at {
            // `.symtab` of a versioned library or its users: the version is part of the name.
            var rest = raw[(at + 1)...]
            s.isDefaultVersion = rest.first == UInt8(ascii: "@")
            if s.isDefaultVersion { rest = rest.dropFirst() }
            s.version = String(decoding: UnsafeRawBufferPointer(rebasing: rest), as: UTF8.self)
        } else if versionIndices.count >= (i + 1) * 2 {
            let v = UInt16(littleEndian: versionIndices.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))
            let index = v & 0x7fff
            // 0 is local and 1 global (unversioned); the base definition's name is the soname.
            if index >= 2, let name = versionNames[index] {
                s.version = name
                s.isDefaultVersion = v & 0x8000 == 0 && s.isDefined
            }
        }
        return s
    }

    /// The string table a version section links to; nil when the link is out of range.
    static func versionStrings(_ elf: ExecutableELF, _ section: ELFSection) throws(BPFError) -> ExecutableELFStrings? {
        guard Int(section.link) < elf.sections.count else { return nil }
        let strtab = elf.sections[Int(section.link)]
        return ExecutableELFStrings(table: try elf.storage.view(strtab.offset, strtab.size, "version string table"))
    }

    /// `Elf64_Verdef` chain: vd_version u16, vd_flags u16, vd_ndx u16, vd_cnt u16, vd_hash u32,
    /// vd_aux u32, vd_next u32; the first `Elf64_Verdaux` (vda_name u32, vda_next u32) names it.
    static func readDefinitions(_ elf: ExecutableELF, _ section: ELFSection, into names: inout [UInt16: String]) throws(BPFError) {
        let r = elf.storage
        guard let strings = try versionStrings(elf, section) else { return }
        let end = section.offset &+ section.size
        var at = section.offset
        for _ in 0..<max(Int(section.info), 1) {
            guard at < end, r.contains(at, 20) else { break }
            let index = try r.u16(at + 4, "version definition")
            let aux = UInt64(try r.u32(at + 12, "version definition"))
            let next = UInt64(try r.u32(at + 16, "version definition"))
            if try r.u16(at + 6, "version definition") > 0, let name = strings.string(at: try r.u32(at + aux, "version definition name")) {
                names[index & 0x7fff] = name
            }
            guard next != 0 else { break }
            at &+= next
        }
    }

    /// `Elf64_Verneed` chain: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32;
    /// each `Elf64_Vernaux`: vna_hash u32, vna_flags u16, vna_other u16 (the index), vna_name u32,
    /// vna_next u32.
    static func readNeeds(_ elf: ExecutableELF, _ section: ELFSection, into names: inout [UInt16: String]) throws(BPFError) {
        let r = elf.storage
        guard let strings = try versionStrings(elf, section) else { return }
        let end = section.offset &+ section.size
        var at = section.offset
        for _ in 0..<max(Int(section.info), 1) {
            guard at < end, r.contains(at, 16) else { break }
            let auxCount = Int(try r.u16(at + 2, "version need"))
            var aux = at &+ UInt64(try r.u32(at + 8, "version need"))
            for _ in 0..<auxCount {
                guard r.contains(aux, 16) else { break }
                let index = try r.u16(aux + 6, "version need entry")
                if let name = strings.string(at: try r.u32(aux + 8, "version need entry")) { names[index & 0x7fff] = name }
                let next = UInt64(try r.u32(aux + 12, "version need entry"))
                guard next != 0 else { break }
                aux &+= next
            }
            let next = UInt64(try r.u32(at + 12, "version need"))
            guard next != 0 else { break }
            at &+= next
        }
    }
}
