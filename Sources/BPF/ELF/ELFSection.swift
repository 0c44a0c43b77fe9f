/// One section header (`Elf64_Shdr`) with its name resolved from the section-name string table.
public struct ELFSection: Hashable, Sendable {
    /// The section's index in the section header table (0 is the reserved null section).
    public var index: Int
    /// The name from `.shstrtab`.
    public var name: String
    /// `sh_type`.
    public var type: ELFSectionType
    /// `sh_flags`.
    public var flags: ELFSectionFlags
    /// `sh_offset`: where the contents start in the file (meaningless for `SHT_NOBITS`).
    public var offset: UInt64
    /// `sh_size`: the size in bytes, also for `SHT_NOBITS` (which occupy no file space).
    public var size: UInt64
    /// `sh_link`: for `SHT_SYMTAB` the string table, for `SHT_REL` the symbol table.
    public var link: UInt32
    /// `sh_info`: for `SHT_REL` the section the relocations apply to.
    public var info: UInt32
    /// `sh_addralign`.
    public var addressAlignment: UInt64
    /// `sh_entsize`: the size of one entry for table sections.
    public var entrySize: UInt64

    /// `SHF_EXECINSTR` is set.
    public var isExecutable: Bool { flags.contains(.execInstr) }
}
