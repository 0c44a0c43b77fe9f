/// A BPF ELF object parsed as libbpf's open phase does (`bpf_object_open()`), without any system
/// call: its programs and subprograms, maps, global variables, externs, license and BTF.
///
/// The result is what libbpf holds after open, so a loader that follows it (CO-RE, subprogram
/// linking, data relocation, map creation) puts the same instructions into the kernel as libbpf.
/// See `/work/shared/notes/libbpf-object-semantics.md` §0–§4. The object BTF after parsing is
/// byte-identical to libbpf's after open (checked against libbpf 1.1.2); only the FUNC linkage of
/// hidden `.text` functions, which libbpf changes at load, is already applied here.
///
/// Load-time extern helpers (pure): `kconfigImage(_:systemConfig:)`, `resolveKsyms(vmlinux:modules:)`,
/// `resolveTypelessKsyms(kallsyms:)`.
public struct ObjectSpec: Sendable {
    /// The object name used for internal map names (at most 15 bytes).
    public var name: String
    /// Every function of every executable section, sorted by (section index, offset) as libbpf's
    /// `cmp_progs()`: this is the load order. `.text` functions have `isSubprogram` set.
    public var programs: [ProgramSpec]
    /// BTF-defined maps in `.maps` order, then internal maps in section order (creation order).
    /// Inner map templates are in `MapSpec.inner`.
    public var maps: [MapSpec]
    /// Variables of the data, rodata and bss DATASECs, in map order then offset order.
    public var variables: [VariableSpec]
    /// Externs (`__kconfig` variables, `__ksym` variables and kfuncs), in libbpf's order
    /// (`cmp_externs()`): kconfig by alignment descending, size ascending, name; then ksyms by name.
    public var externs: [ExternSpec]
    /// The `license` section as a C string (at most 63 bytes), "" if absent.
    public var license: String
    /// The 4-byte `version` section, if present (libbpf otherwise uses the running kernel's version).
    public var kernelVersion: UInt32?
    /// The object's BTF after libbpf's fix-ups: DATASEC sizes from ELF sections, VAR offsets from
    /// symbols, hidden globals static, entries sorted by offset, hidden `.text` FUNCs static.
    public var btf: BTF?
    /// The parsed `.BTF.ext` (func_info, line_info and CO-RE records by section name), if the
    /// object has valid BTF and BTF.ext. A corrupt `.BTF.ext` is dropped, as libbpf does, unless
    /// the object needs BTF (`.maps`).
    public var btfExt: BTFExt?
    /// The raw `.BTF.ext` section, present exactly when `btfExt` is.
    public var btfExtBytes: [UInt8]?
    /// The ELF index of `.text`, if it holds code.
    public var textSectionIndex: Int?
    /// ELF section names by index (`.BTF.ext` records name sections; programs give indices).
    public var sectionNames: [Int: String]
    /// struct_ops maps of `.struct_ops`, `.struct_ops.link` and their `?` variants, in section
    /// then offset order (libbpf lists them with the other maps; here they are apart because
    /// their value is laid out against the kernel's BTF at load).
    public var structOpsMaps: [StructOpsMapSpec] = []

    /// An object made of these parts, for tests and generated objects.
    public init(name: String, programs: [ProgramSpec], maps: [MapSpec], variables: [VariableSpec], externs: [ExternSpec] = [], license: String,
                kernelVersion: UInt32?, btf: BTF?, btfExt: BTFExt?, btfExtBytes: [UInt8]?, textSectionIndex: Int?,
                sectionNames: [Int: String]) {
        self.name = name
        self.programs = programs
        self.maps = maps
        self.variables = variables
        self.externs = externs
        self.license = license
        self.kernelVersion = kernelVersion
        self.btf = btf
        self.btfExt = btfExt
        self.btfExtBytes = btfExtBytes
        self.textSectionIndex = textSectionIndex
        self.sectionNames = sectionNames
    }

    /// Parses a BPF ELF object.
    /// - Parameters:
    ///   - bytes: the object file.
    ///   - name: the object name, truncated to 15 bytes as libbpf does for a given name. Use
    ///     `ObjectNaming.objectName(fromPath:)` for libbpf's rule for files (`semtest.bpf.o` →
    ///     `semtest`). Nil gives an empty name, so internal maps are named after their sections
    ///     (`.rodata`, `.data`, `.bss`).
    /// - Throws: `BPFError.malformedObject` for invalid ELF, BTF or map definitions and for what
    ///   libbpf rejects at open (legacy `maps` section, static programs outside `.text`, unknown
    ///   `.maps` fields, `values` not last, unsupported kconfig types, struct_ops variables that are
    ///   not structs or relocations that bind no struct_ops program); `.missing` for a relocation that resolves to no map or extern.
    public init(bytes: [UInt8], name: String? = nil) throws(BPFError) {
        let elf = try ELFFile(bytes: bytes)
        var parser = ObjectParser(elf: elf, objectName: ObjectNaming.objectName(given: name ?? ""))
        self = try parser.run()
    }

    /// Main programs: everything outside `.text`, in load order.
    public var mainPrograms: [ProgramSpec] { programs.filter { !$0.isSubprogram } }

    /// `.text` functions, in offset order.
    public var subprograms: [ProgramSpec] { programs.filter(\.isSubprogram) }

    /// The main program or subprogram named `name`.
    public func program(named name: String) -> ProgramSpec? {
        programs.first { $0.name == name }
    }

    /// The map named `name` (not inner templates).
    public func map(named name: String) -> MapSpec? {
        maps.first { $0.name == name }
    }

    /// The variable named `name`.
    public func variable(named name: String) -> VariableSpec? {
        variables.first { $0.name == name }
    }

    /// The extern named `name` (the name in `Relocation.Kind.externVariable`/`.externFunction`).
    public func extern(named name: String) -> ExternSpec? {
        externs.first { $0.name == name }
    }

    /// The `.kconfig` map: kconfig externs live at `ExternSpec.kconfigOffset` in its value, which
    /// the loader fills (then freezes) before programs load.
    public var kconfigMap: MapSpec? {
        maps.first { $0.internalKind == .kconfig }
    }

    /// The `.text` function containing instruction `index` of `.text` (libbpf's
    /// `find_prog_by_sec_insn(text_shndx, …)`), used to resolve call and subprogram-address targets.
    /// libbpf links the whole containing function, from its first instruction.
    public func subprogram(containing index: Int) -> ProgramSpec? {
        guard let text = textSectionIndex else { return nil }
        return programs.first { $0.sectionIndex == text && $0.sectionRange.contains(index) }
    }
}
