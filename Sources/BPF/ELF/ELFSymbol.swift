/// One symbol of `.symtab` (`Elf64_Sym`) with its name resolved.
public struct ELFSymbol: Hashable, Sendable {
    /// The symbol's index in the symbol table (what relocations refer to).
    public var index: Int
    /// The name from the symbol string table; empty for section symbols and the null symbol.
    public var name: String
    /// `st_name`: the raw name offset (0 means "no name").
    public var nameOffset: UInt32
    /// `st_value`: for symbols in a section, the byte offset inside it.
    public var value: UInt64
    /// `st_size`.
    public var size: UInt64
    /// `ELF64_ST_TYPE(st_info)`.
    public var type: ELFSymbolType
    /// `ELF64_ST_BIND(st_info)`.
    public var binding: ELFSymbolBinding
    /// `ELF64_ST_VISIBILITY(st_other)`.
    public var visibility: ELFSymbolVisibility
    /// `st_shndx`: the defining section, `ELF.sectionUndefined` for externs, or a reserved index.
    public var sectionIndex: UInt16

    /// `STB_GLOBAL` or `STB_WEAK`.
    public var isGlobalOrWeak: Bool { binding == .global || binding == .weak }

    /// libbpf's `sym_is_extern()`: an undefined `STT_NOTYPE` global or weak symbol.
    public var isExtern: Bool {
        sectionIndex == ELF.sectionUndefined && isGlobalOrWeak && type == .notype
    }

    /// `STV_HIDDEN` or `STV_INTERNAL`: libbpf treats such globals as static in BTF.
    public var hasRestrictedVisibility: Bool { visibility == .hidden || visibility == .internal }
}
