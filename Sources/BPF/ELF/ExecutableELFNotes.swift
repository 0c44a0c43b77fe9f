/// One ELF note (`Elf64_Nhdr`: n_namesz u32, n_descsz u32, n_type u32, then the name and the
/// descriptor, each padded to the note alignment).
public struct ELFNote: Hashable, Sendable {
    /// The owner's name without its NUL, e.g. `GNU` or `stapsdt`.
    public var name: String
    /// `n_type`, e.g. 3 (`NT_GNU_BUILD_ID`) or 3 (`NT_STAPSDT`) — types are per owner.
    public var type: UInt32
    /// The descriptor bytes (a copy).
    public var descriptor: [UInt8]
    /// The file offset of the descriptor's first byte.
    public var descriptorFileOffset: UInt64
    /// The offset of the note's header from the start of its section or segment.
    public var offsetInContainer: UInt64
}

extension ELFNote {
    /// `NT_GNU_BUILD_ID`, in notes named `GNU`.
    public static let gnuBuildIDType: UInt32 = 3
    /// `NT_STAPSDT`, in notes named `stapsdt` (section `.note.stapsdt`).
    public static let stapsdtType: UInt32 = 3
}

extension ExecutableELF {
    /// The notes of an `SHT_NOTE` section (e.g. `.note.stapsdt`, `.note.gnu.build-id`). Notes are
    /// 4-byte aligned unless the section is 8-byte aligned (as `.note.gnu.property` is).
    /// For the section's raw bytes use `contents(of:)`, and `address(of:)` for its `sh_addr`.
    /// - Throws: `.malformedObject` if a note runs past the end of the section.
    public func notes(in section: ELFSection) throws(BPFError) -> [ELFNote] {
        guard section.type == .note else {
            throw .malformedObject("section '\(section.name)' is \(section.type), not SHT_NOTE")
        }
        return try notes(at: section.offset, size: section.size, alignment: section.addressAlignment, what: "section '\(section.name)'")
    }

    /// The notes of a `PT_NOTE` segment.
    public func notes(in segment: ELFSegment) throws(BPFError) -> [ELFNote] {
        try notes(at: segment.offset, size: segment.fileSize, alignment: segment.alignment, what: "note segment \(segment.index)")
    }

    /// The notes of the section named `name` (e.g. `.note.stapsdt`); empty if there is no such section.
    public func notes(inSectionNamed name: String) throws(BPFError) -> [ELFNote] {
        guard let section = section(named: name) else { return [] }
        return try notes(in: section)
    }

    /// The GNU build id (`NT_GNU_BUILD_ID` of owner `GNU`) from the note sections or, if the
    /// file has no section headers, the `PT_NOTE` segments. Nil if the file has none.
    public func buildID() throws(BPFError) -> [UInt8]? {
        for section in sections where section.type == .note {
            if let id = try notes(in: section).first(where: { $0.name == "GNU" && $0.type == ELFNote.gnuBuildIDType }) {
                return id.descriptor
            }
        }
        for segment in segments where segment.type == .note {
            if let id = try notes(in: segment).first(where: { $0.name == "GNU" && $0.type == ELFNote.gnuBuildIDType }) {
                return id.descriptor
            }
        }
        return nil
    }

    func notes(at start: UInt64, size: UInt64, alignment: UInt64, what: String) throws(BPFError) -> [ELFNote] {
        let r = storage
        _ = try r.check(start, size, "notes of \(what)")
        let align: UInt64 = alignment == 8 ? 8 : 4
        func padded(_ n: UInt64) -> UInt64 { (n + align - 1) & ~(align - 1) }
        var out: [ELFNote] = []
        var at: UInt64 = 0
        while at < size {
            guard size - at >= 12 else {
                throw .malformedObject("\(what): \(size - at) bytes left at offset \(at), too few for a note header")
            }
            let nameSize = UInt64(r.u32(at: Int(start + at)))
            let descSize = UInt64(r.u32(at: Int(start + at + 4)))
            let type = r.u32(at: Int(start + at + 8))
            // The descriptor and the next note start at the note alignment (counted from the
            // container's start, which is itself aligned).
            let nameStart = at + 12
            let descStart = padded(nameStart + nameSize)
            let next = padded(descStart + descSize)
            guard descStart <= size, descStart + descSize <= size else {
                throw .malformedObject("\(what): note at offset \(at) (name \(nameSize), descriptor \(descSize) bytes) runs past the end (\(size) bytes)")
            }
            let nameBytes = try r.view(start + nameStart, nameSize, "note name")
            let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
            out.append(ELFNote(
                name: name, type: type, descriptor: try r.copy(start + descStart, descSize, "note descriptor"),
                descriptorFileOffset: start + descStart, offsetInContainer: at))
            at = next
        }
        return out
    }
}
