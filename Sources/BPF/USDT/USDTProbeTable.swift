/// One place where a USDT probe fires, resolved to what a uprobe needs.
public struct USDTProbeSite: Hashable, Sendable {
    /// The note this site comes from.
    public var note: USDTNote
    /// The probe's link-time virtual address, corrected for prelinking through `.stapsdt.base`.
    public var address: UInt64
    /// The file offset of the probe's instruction: where the uprobe goes.
    public var fileOffset: UInt64
    /// The file offset of the probe's semaphore (the uprobe's `ref_ctr_offset`), or 0 if none.
    public var semaphoreOffset: UInt64

    /// A site of `note` at `address` (file offset `fileOffset`).
    public init(note: USDTNote, address: UInt64, fileOffset: UInt64, semaphoreOffset: UInt64) {
        self.note = note
        self.address = address
        self.fileOffset = fileOffset
        self.semaphoreOffset = semaphoreOffset
    }
}

/// The USDT probes of one native binary: its `.note.stapsdt` notes and the `PT_LOAD` segments
/// that turn their addresses into file offsets (libbpf's `collect_usdt_targets()`). Pure: it
/// reads an `ExecutableELF` and makes no system calls.
public struct USDTProbeTable: Sendable {
    /// Every SDT note of the file, in file order.
    public let notes: [USDTNote]
    /// `ET_EXEC` or `ET_DYN`.
    public let fileType: ExecutableELFFileType
    /// The `PT_LOAD` segments.
    public let loadSegments: [ELFSegment]
    /// `sh_addr` of `.stapsdt.base`, or 0 if the file has no such section.
    public let baseSectionAddress: UInt64
    /// For messages: the file's path.
    public let path: String

    /// Reads the notes of `elf`.
    /// - Throws: `.missing` if the file has no `.note.stapsdt` section (no USDT probes);
    ///   `.malformedObject` for a malformed note.
    public init(elf: ExecutableELF, path: String? = nil) throws(BPFError) {
        let path = path ?? elf.path ?? "<memory>"
        guard let section = elf.section(named: USDTNote.sectionName) else {
            throw .missing("USDT probes in '\(path)': the file has no \(USDTNote.sectionName) section")
        }
        guard section.type == .note else {
            throw .malformedObject("'\(path)': \(USDTNote.sectionName) is \(section.type), not SHT_NOTE")
        }
        var notes: [USDTNote] = []
        for (i, n) in try elf.notes(in: section).enumerated() where n.name == USDTNote.noteName && n.type == USDTNote.noteType {
            do throws(BPFError) {
                notes.append(try USDTNote(descriptor: n.descriptor[...]))
            } catch {
                if case let .malformedObject(why) = error { throw .malformedObject("'\(path)': \(USDTNote.sectionName) note #\(i): \(why)") }
                throw error
            }
        }
        let base = elf.section(named: USDTNote.baseSectionName).map { elf.address(of: $0) } ?? 0
        self.init(notes: notes, fileType: elf.fileType, loadSegments: elf.segments.filter { $0.type == .load },
                  baseSectionAddress: base, path: path)
    }

    /// A table from parts (for tests).
    public init(notes: [USDTNote], fileType: ExecutableELFFileType, loadSegments: [ELFSegment], baseSectionAddress: UInt64, path: String) {
        self.notes = notes
        self.fileType = fileType
        self.loadSegments = loadSegments
        self.baseSectionAddress = baseSectionAddress
        self.path = path
    }

    /// Every distinct `provider:name` of the file, in file order.
    public var probeNames: [String] {
        var seen = Set<String>(), out: [String] = []
        for n in notes where seen.insert("\(n.provider):\(n.name)").inserted { out.append("\(n.provider):\(n.name)") }
        return out
    }

    /// The segment holding `address` in `[p_vaddr, p_vaddr + p_memsz)` (libbpf's `find_elf_seg`).
    func segment(holding address: UInt64) -> ELFSegment? {
        loadSegments.first { address >= $0.virtualAddress && address - $0.virtualAddress < $0.memorySize }
    }

    /// The sites of probe `provider:name`, each with its file offset and semaphore offset.
    /// - Throws: `.missing` naming the probes the file has if there is no such probe;
    ///   `.malformedObject` if a site or semaphore lies outside an executable (resp. writable)
    ///   `PT_LOAD` segment.
    public func sites(provider: String, name: String) throws(BPFError) -> [USDTProbeSite] {
        let matching = notes.filter { $0.provider == provider && $0.name == name }
        guard !matching.isEmpty else {
            let names = probeNames
            let list = names.prefix(20).joined(separator: ", ") + (names.count > 20 ? ", … (\(names.count) in all)" : "")
            throw .missing("USDT probe \(provider):\(name) in '\(path)' (its probes: \(list.isEmpty ? "none" : list))")
        }
        var out: [USDTProbeSite] = []
        for note in matching {
            var address = note.location
            if baseSectionAddress != 0, note.base != 0 {
                address = address &+ (baseSectionAddress &- note.base)  // prelink correction
            }
            guard let seg = segment(holding: address) else {
                throw .malformedObject("'\(path)': USDT probe \(provider):\(name) at 0x\(String(address, radix: 16)) is in no PT_LOAD segment")
            }
            guard seg.isExecutable else {
                throw .malformedObject("'\(path)': USDT probe \(provider):\(name) at 0x\(String(address, radix: 16)) is in a segment that is not executable")
            }
            let (offset, overflow) = (address - seg.virtualAddress).addingReportingOverflow(seg.offset)
            guard !overflow else {
                throw .malformedObject("'\(path)': USDT probe \(provider):\(name) at 0x\(String(address, radix: 16)) maps past the end of a 64-bit file (segment offset 0x\(String(seg.offset, radix: 16)))")
            }
            var semaphore: UInt64 = 0
            if note.semaphore != 0 {
                guard let s = segment(holding: note.semaphore) else {
                    throw .malformedObject("'\(path)': the semaphore of USDT probe \(provider):\(name) at 0x\(String(note.semaphore, radix: 16)) is in no PT_LOAD segment")
                }
                guard !s.isExecutable else {
                    throw .malformedObject("'\(path)': the semaphore of USDT probe \(provider):\(name) at 0x\(String(note.semaphore, radix: 16)) is in an executable segment")
                }
                let (offset, overflow) = (note.semaphore - s.virtualAddress).addingReportingOverflow(s.offset)
                guard !overflow else {
                    throw .malformedObject("'\(path)': the semaphore of USDT probe \(provider):\(name) maps past the end of a 64-bit file (segment offset 0x\(String(s.offset, radix: 16)))")
                }
                semaphore = offset
            }
            out.append(USDTProbeSite(note: note, address: address, fileOffset: offset, semaphoreOffset: semaphore))
        }
        return out
    }
}
