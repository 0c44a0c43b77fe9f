/// A global variable of an internal map: one VAR entry of a data DATASEC (`.data`, `.rodata`,
/// `.bss`, `.data.*`, `.rodata.*`) after libbpf's fix-ups (offsets from symbols, hidden → static).
public struct VariableSpec: Hashable, Sendable {
    /// The variable's name.
    public var name: String
    /// The internal map holding it (e.g. `semtest.rodata`).
    public var mapName: String
    /// The ELF section, e.g. `.rodata`.
    public var sectionName: String
    /// Byte offset inside the map's value.
    public var offset: UInt32
    /// Byte size.
    public var size: UInt32
    /// The variable's type id in the object's BTF (the VAR's type).
    public var typeID: UInt32
    /// The VAR's own id.
    public var varID: UInt32
    /// In a `.rodata*` section: read-only for programs, frozen before load.
    public var isConst: Bool
    /// `static`, `global` (allocated) or `extern`; hidden globals are `static` after fix-up.
    public var linkage: BTFLinkage

    /// A variable of the object's global-data map `mapName`.
    public init(name: String, mapName: String, sectionName: String, offset: UInt32, size: UInt32, typeID: UInt32,
                varID: UInt32, isConst: Bool, linkage: BTFLinkage) {
        self.name = name
        self.mapName = mapName
        self.sectionName = sectionName
        self.offset = offset
        self.size = size
        self.typeID = typeID
        self.varID = varID
        self.isConst = isConst
        self.linkage = linkage
    }
}
