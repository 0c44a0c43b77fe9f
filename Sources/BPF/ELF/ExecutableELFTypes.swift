/// `e_type` of a native ELF file.
public struct ExecutableELFFileType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    /// `ET_REL`: a relocatable object (`.o`).
    public static let relocatable = ExecutableELFFileType(rawValue: 1)
    /// `ET_EXEC`: an executable linked at a fixed address.
    public static let executable = ExecutableELFFileType(rawValue: 2)
    /// `ET_DYN`: a shared library or a position-independent executable.
    public static let sharedObject = ExecutableELFFileType(rawValue: 3)
    /// `ET_CORE`: a core dump.
    public static let core = ExecutableELFFileType(rawValue: 4)
    public var description: String {
        switch self {
        case .relocatable: "ET_REL"
        case .executable: "ET_EXEC"
        case .sharedObject: "ET_DYN"
        case .core: "ET_CORE"
        default: "e_type \(rawValue)"
        }
    }
}

/// `p_type` of a program header.
public struct ELFSegmentType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// `PT_NULL`.
    public static let null = ELFSegmentType(rawValue: 0)
    /// `PT_LOAD`: mapped from the file when the program runs.
    public static let load = ELFSegmentType(rawValue: 1)
    /// `PT_DYNAMIC`.
    public static let dynamic = ELFSegmentType(rawValue: 2)
    /// `PT_INTERP`.
    public static let interpreter = ELFSegmentType(rawValue: 3)
    /// `PT_NOTE`: ELF notes (e.g. the GNU build id).
    public static let note = ELFSegmentType(rawValue: 4)
    /// `PT_PHDR`.
    public static let programHeaders = ELFSegmentType(rawValue: 6)
    /// `PT_TLS`.
    public static let tls = ELFSegmentType(rawValue: 7)
    /// `PT_GNU_EH_FRAME`.
    public static let gnuEHFrame = ELFSegmentType(rawValue: 0x6474_e550)
    /// `PT_GNU_STACK`.
    public static let gnuStack = ELFSegmentType(rawValue: 0x6474_e551)
    /// `PT_GNU_RELRO`.
    public static let gnuRelro = ELFSegmentType(rawValue: 0x6474_e552)
    /// `PT_GNU_PROPERTY`.
    public static let gnuProperty = ELFSegmentType(rawValue: 0x6474_e553)
    public var description: String {
        switch self {
        case .null: "NULL"
        case .load: "LOAD"
        case .dynamic: "DYNAMIC"
        case .interpreter: "INTERP"
        case .note: "NOTE"
        case .programHeaders: "PHDR"
        case .tls: "TLS"
        case .gnuEHFrame: "GNU_EH_FRAME"
        case .gnuStack: "GNU_STACK"
        case .gnuRelro: "GNU_RELRO"
        case .gnuProperty: "GNU_PROPERTY"
        default: "0x\(String(rawValue, radix: 16))"
        }
    }
}

/// `p_flags` of a program header.
public struct ELFSegmentFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// `PF_X`.
    public static let execute = ELFSegmentFlags(rawValue: 1)
    /// `PF_W`.
    public static let write = ELFSegmentFlags(rawValue: 2)
    /// `PF_R`.
    public static let read = ELFSegmentFlags(rawValue: 4)
}

/// One program header (`Elf64_Phdr`): a segment of a native executable or shared library.
public struct ELFSegment: Hashable, Sendable {
    /// The index in the program header table.
    public var index: Int
    /// `p_type`.
    public var type: ELFSegmentType
    /// `p_flags`.
    public var flags: ELFSegmentFlags
    /// `p_offset`: where the segment's bytes start in the file.
    public var offset: UInt64
    /// `p_vaddr`: the virtual address the segment is linked at.
    public var virtualAddress: UInt64
    /// `p_paddr`.
    public var physicalAddress: UInt64
    /// `p_filesz`: the bytes the file holds (the rest up to `memorySize` is zero-filled).
    public var fileSize: UInt64
    /// `p_memsz`.
    public var memorySize: UInt64
    /// `p_align`.
    public var alignment: UInt64

    /// `PF_X` is set.
    public var isExecutable: Bool { flags.contains(.execute) }

    /// Whether `address` lies in the file-backed part `[p_vaddr, p_vaddr + p_filesz)`.
    public func containsFileBacked(virtualAddress address: UInt64) -> Bool {
        address >= virtualAddress && address - virtualAddress < fileSize
    }
}

extension ELFSectionType {
    /// `SHT_HASH`.
    public static let hash = ELFSectionType(rawValue: 5)
    /// `SHT_DYNAMIC`.
    public static let dynamic = ELFSectionType(rawValue: 6)
    /// `SHT_NOTE`: ELF notes, e.g. `.note.gnu.build-id`, `.note.stapsdt`.
    public static let note = ELFSectionType(rawValue: 7)
    /// `SHT_DYNSYM`: the dynamic symbol table (`.dynsym`), which survives `strip`.
    public static let dynsym = ELFSectionType(rawValue: 11)
    /// `SHT_GNU_HASH`.
    public static let gnuHash = ELFSectionType(rawValue: 0x6fff_fff6)
    /// `SHT_GNU_verdef` (`.gnu.version_d`): the versions a library defines.
    public static let gnuVersionDefinitions = ELFSectionType(rawValue: 0x6fff_fffd)
    /// `SHT_GNU_verneed` (`.gnu.version_r`): the versions a file needs from its libraries.
    public static let gnuVersionNeeds = ELFSectionType(rawValue: 0x6fff_fffe)
    /// `SHT_GNU_versym` (`.gnu.version`): one version index per `.dynsym` entry.
    public static let gnuVersionSymbols = ELFSectionType(rawValue: 0x6fff_ffff)
}

extension ELFSymbolType {
    /// `STT_TLS`.
    public static let tls = ELFSymbolType(rawValue: 6)
    /// `STT_GNU_IFUNC`: an indirect function. Its value is a resolver that the dynamic linker runs
    /// once to pick the implementation (e.g. libc's `strlen` → `__strlen_avx2`).
    public static let gnuIndirectFunction = ELFSymbolType(rawValue: 10)
}

extension ELF {
    /// `EM_X86_64`.
    public static let machineX86_64: UInt16 = 62
    /// `EM_AARCH64`.
    public static let machineAArch64: UInt16 = 183
    /// Size of `Elf64_Phdr`.
    static let programHeaderSize = 56
}
