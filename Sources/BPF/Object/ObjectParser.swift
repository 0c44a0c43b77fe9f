/// The open phase of libbpf (`bpf_object_open()`), as pure parsing: `elf_collect` →
/// `collect_externs` → `fixup_btf` → `init_maps` → `init_progs` → `collect_relos`.
/// Each step lives in its own extension file.
struct ObjectParser {
    /// libbpf's `sec_type` of the sections it keeps.
    enum SectionKind: Equatable {
        case data, rodata, bss, relocation, structOps
    }

    let elf: ELFFile
    let objectName: String

    var sectionKinds: [Int: SectionKind] = [:]
    /// libbpf's `text_shndx` (0 until `.text` is seen, as in libbpf).
    var textIndex = 0
    /// libbpf's `btf_maps_shndx`.
    var mapsIndex: Int?
    var btfSection: ELFSection?
    var btfExtSection: ELFSection?
    var hasStructOps = false
    var license = ""
    var kernelVersion: UInt32?
    var programs: [ProgramSpec] = []
    var btf: BTF?
    var btfExt: BTFExt?
    var btfExtBytes: [UInt8]?
    /// BTF-defined maps, then internal maps (libbpf's `obj->maps` order).
    var maps: [MapSpec] = []
    /// For each BTF-defined map (same order as in `maps`), its DATASEC entry in the fixed BTF.
    var mapEntries: [BTFVarSecInfo] = []
    var variables: [VariableSpec] = []
    /// libbpf's `obj->externs`, sorted by `cmp_externs()`.
    var externs: [ExternSpec] = []
    /// struct_ops maps (`init_struct_ops_maps()`), bound to programs by `.rel.struct_ops*`.
    var structOpsMaps: [StructOpsMapSpec] = []

    init(elf: ELFFile, objectName: String) {
        self.elf = elf
        self.objectName = objectName
    }

    func sectionName(_ index: Int) -> String {
        elf.section(at: index)?.name ?? "<section \(index)>"
    }

    mutating func run() throws(BPFError) -> ObjectSpec {
        try collectSections()
        try initBTF()
        try collectExterns()
        try fixupBTF()
        try initMaps()
        try initStructOpsMaps()
        initProgramTypes()
        try collectRelocations()
        var spec = ObjectSpec(
            name: objectName, programs: programs, maps: maps, variables: variables, externs: externs, license: license,
            kernelVersion: kernelVersion, btf: btf, btfExt: btfExt, btfExtBytes: btfExtBytes,
            textSectionIndex: textIndex == 0 ? nil : textIndex,
            sectionNames: Dictionary(uniqueKeysWithValues: elf.sections.map { ($0.index, $0.name) }))
        spec.structOpsMaps = structOpsMaps
        return spec
    }
}
