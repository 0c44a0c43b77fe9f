/// ELF constants used by BPF objects (`<elf.h>`).
public enum ELF {
    /// `EM_BPF`: the machine of every BPF object.
    public static let machineBPF: UInt16 = 247
    /// `SHN_UNDEF`: an undefined symbol's section index.
    public static let sectionUndefined: UInt16 = 0
    /// `SHN_LORESERVE`: indices from here up are special (`SHN_ABS`, `SHN_COMMON`, `SHN_XINDEX`).
    public static let sectionLoReserve: UInt16 = 0xff00
    /// `SHN_ABS`.
    public static let sectionAbsolute: UInt16 = 0xfff1
    /// `SHN_COMMON`.
    public static let sectionCommon: UInt16 = 0xfff2
    /// `SHN_XINDEX`: the real index is elsewhere (extended numbering).
    public static let sectionXIndex: UInt16 = 0xffff

    /// Size of `Elf64_Ehdr`, `Elf64_Shdr`, `Elf64_Sym`, `Elf64_Rel`.
    static let headerSize = 64, sectionHeaderSize = 64, symbolSize = 24, relSize = 16
}

/// `sh_type` of a section header.
public struct ELFSectionType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// `SHT_NULL`.
    public static let null = ELFSectionType(rawValue: 0)
    /// `SHT_PROGBITS`: code and data.
    public static let progbits = ELFSectionType(rawValue: 1)
    /// `SHT_SYMTAB`.
    public static let symtab = ELFSectionType(rawValue: 2)
    /// `SHT_STRTAB`.
    public static let strtab = ELFSectionType(rawValue: 3)
    /// `SHT_RELA`.
    public static let rela = ELFSectionType(rawValue: 4)
    /// `SHT_NOBITS`: zero-filled data such as `.bss`.
    public static let nobits = ELFSectionType(rawValue: 8)
    /// `SHT_REL`.
    public static let rel = ELFSectionType(rawValue: 9)
    /// `SHT_LLVM_ADDRSIG`.
    public static let llvmAddrsig = ELFSectionType(rawValue: 0x6fff_4c03)
    public var description: String {
        switch self {
        case .null: "NULL"
        case .progbits: "PROGBITS"
        case .symtab: "SYMTAB"
        case .strtab: "STRTAB"
        case .rela: "RELA"
        case .nobits: "NOBITS"
        case .rel: "REL"
        case .llvmAddrsig: "LLVM_ADDRSIG"
        default: "0x\(String(rawValue, radix: 16))"
        }
    }
}

/// `sh_flags` of a section header.
public struct ELFSectionFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    /// `SHF_WRITE`.
    public static let write = ELFSectionFlags(rawValue: 0x1)
    /// `SHF_ALLOC`.
    public static let alloc = ELFSectionFlags(rawValue: 0x2)
    /// `SHF_EXECINSTR`: the section holds instructions.
    public static let execInstr = ELFSectionFlags(rawValue: 0x4)
}

/// `ELF64_ST_TYPE(st_info)`.
public struct ELFSymbolType: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// `STT_NOTYPE`.
    public static let notype = ELFSymbolType(rawValue: 0)
    /// `STT_OBJECT`: a variable.
    public static let object = ELFSymbolType(rawValue: 1)
    /// `STT_FUNC`.
    public static let function = ELFSymbolType(rawValue: 2)
    /// `STT_SECTION`.
    public static let section = ELFSymbolType(rawValue: 3)
    /// `STT_FILE`.
    public static let file = ELFSymbolType(rawValue: 4)
}

/// `ELF64_ST_BIND(st_info)`.
public struct ELFSymbolBinding: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// `STB_LOCAL`.
    public static let local = ELFSymbolBinding(rawValue: 0)
    /// `STB_GLOBAL`.
    public static let global = ELFSymbolBinding(rawValue: 1)
    /// `STB_WEAK`.
    public static let weak = ELFSymbolBinding(rawValue: 2)
}

/// `ELF64_ST_VISIBILITY(st_other)`.
public struct ELFSymbolVisibility: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// `STV_DEFAULT`.
    public static let `default` = ELFSymbolVisibility(rawValue: 0)
    /// `STV_INTERNAL`.
    public static let `internal` = ELFSymbolVisibility(rawValue: 1)
    /// `STV_HIDDEN`.
    public static let hidden = ELFSymbolVisibility(rawValue: 2)
    /// `STV_PROTECTED`.
    public static let protected = ELFSymbolVisibility(rawValue: 3)
}
