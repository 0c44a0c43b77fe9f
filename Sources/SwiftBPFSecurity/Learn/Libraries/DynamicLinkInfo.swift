import BPF

/// What the dynamic loader reads of a binary to load it: the interpreter (`PT_INTERP`), and from
/// the dynamic section (`PT_DYNAMIC`) the libraries needed (`DT_NEEDED`), the library search
/// paths (`DT_RUNPATH`, `DT_RPATH`) and the library's own name (`DT_SONAME`).
///
/// Read from an already parsed `ExecutableELF` (64-bit little-endian): pure, and bounded
/// against malformed files. A dynamic section or string table that lies outside the file, or
/// a string that is not NUL-terminated, gives what could be read (possibly nothing), never a
/// read past the end. A static binary has neither an interpreter nor needed libraries.
public struct DynamicLinkInfo: Sendable, Equatable {
    /// The loader the kernel starts (`/lib64/ld-linux-x86-64.so.2`), nil for a static binary.
    public var interpreter: String?
    /// `DT_NEEDED`, in order: names (`libc.so.6`) or, rarely, paths.
    public var needed: [String] = []
    /// `DT_RUNPATH` and `DT_RPATH`, split at `:` (`$ORIGIN` not expanded).
    public var runpath: [String] = []
    public var rpath: [String] = []
    public var soname: String?

    /// Whether the loader takes part: an interpreter or needed libraries.
    public var isDynamic: Bool { interpreter != nil || !needed.isEmpty }

    public init(interpreter: String? = nil, needed: [String] = [], runpath: [String] = [], rpath: [String] = [], soname: String? = nil) {
        self.interpreter = interpreter
        self.needed = needed
        self.runpath = runpath
        self.rpath = rpath
        self.soname = soname
    }

    /// Entries read at most: real binaries have a few dozen.
    static let maxEntries = 4096
    /// String table bytes read at most, and the longest string taken.
    static let maxStringTable = 1 << 20
    static let maxString = 4096

    // d_tag values (ELF gABI).
    static let tagNull: UInt64 = 0, tagNeeded: UInt64 = 1, tagStrtab: UInt64 = 5, tagStrsz: UInt64 = 10
    static let tagSoname: UInt64 = 14, tagRpath: UInt64 = 15, tagRunpath: UInt64 = 29

    /// The link information of `elf`; parts that cannot be read are left empty.
    public init(_ elf: ExecutableELF) {
        if let s = elf.segments.first(where: { $0.type == .interpreter }),
           let bytes = try? elf.bytes(atFileOffset: s.offset, count: Int(min(s.fileSize, UInt64(Self.maxString)))) {
            let text = Self.cString(bytes[...])
            interpreter = text.isEmpty ? nil : text
        }
        guard let d = elf.segments.first(where: { $0.type == .dynamic }), d.offset < UInt64(elf.size) else { return }
        let available = min(d.fileSize, UInt64(elf.size) - d.offset, UInt64(Self.maxEntries * 16))
        guard let table = try? elf.bytes(atFileOffset: d.offset, count: Int(available / 16) * 16) else { return }
        var entries: [(tag: UInt64, value: UInt64)] = []
        for i in stride(from: 0, to: table.count, by: 16) {
            let tag = Self.u64(table, i)
            if tag == Self.tagNull { break }
            entries.append((tag, Self.u64(table, i + 8)))
        }
        // DT_STRTAB is a virtual address: through the PT_LOAD segments to a file offset.
        guard let strtabAddress = entries.first(where: { $0.tag == Self.tagStrtab })?.value,
              let start = elf.fileOffset(ofVirtualAddress: strtabAddress), start < UInt64(elf.size) else { return }
        var length = UInt64(elf.size) - start
        if let size = entries.first(where: { $0.tag == Self.tagStrsz })?.value { length = min(length, size) }
        length = min(length, UInt64(Self.maxStringTable))
        guard let strings = try? elf.bytes(atFileOffset: start, count: Int(length)) else { return }
        func string(_ offset: UInt64) -> String? {
            guard offset < UInt64(strings.count) else { return nil }
            let from = Int(offset)
            let end = strings[from...].firstIndex(of: 0) ?? strings.count
            guard end < strings.count, end - from <= Self.maxString else { return nil }  // not NUL-terminated, or absurd
            let text = Self.cString(strings[from..<end])
            return text.isEmpty ? nil : text
        }
        for e in entries {
            switch e.tag {
            case Self.tagNeeded: if let s = string(e.value) { needed.append(s) }
            case Self.tagRunpath: runpath += string(e.value).map(Self.split) ?? []
            case Self.tagRpath: rpath += string(e.value).map(Self.split) ?? []
            case Self.tagSoname: soname = soname ?? string(e.value)
            default: break
            }
        }
    }

    static func split(_ list: String) -> [String] {
        list.split(separator: ":").map(String.init).filter { !$0.isEmpty }
    }

    static func cString(_ bytes: ArraySlice<UInt8>) -> String {
        let body = bytes.prefix { $0 != 0 }
        return String(decoding: body, as: UTF8.self)
    }

    static func u64(_ b: [UInt8], _ at: Int) -> UInt64 {
        var v: UInt64 = 0
        for k in 0..<8 { v |= UInt64(b[at + k]) << (8 * UInt64(k)) }
        return v
    }
}
