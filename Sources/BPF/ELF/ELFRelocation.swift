/// One `Elf64_Rel` entry of an `SHT_REL` section.
public struct ELFRelocation: Hashable, Sendable {
    /// `r_offset`: the byte offset inside the target section.
    public var offset: UInt64
    /// `ELF64_R_SYM(r_info)`: the symbol index in `.symtab`.
    public var symbolIndex: UInt32
    /// `ELF64_R_TYPE(r_info)`, e.g. `R_BPF_64_64` (1), `R_BPF_64_ABS64` (2), `R_BPF_64_32` (10).
    /// libbpf never reads it for instructions: it classifies by instruction and symbol.
    public var type: UInt32
}
