/// A struct_ops map as libbpf defines it at open time (`init_struct_ops_maps()`): one variable of
/// a `.struct_ops` or `.struct_ops.link` section (or their `?` variants), whose type is a struct of
/// the kernel (e.g. `tcp_congestion_ops`) with function pointers bound to `SEC("struct_ops/...")`
/// programs by the section's relocations (`.rel.struct_ops*`).
///
/// The map is created as `BPF_MAP_TYPE_STRUCT_OPS` (key 4 bytes, one entry) whose value is the
/// kernel's wrapper `struct bpf_struct_ops_<type>`; the loader translates `data` into that
/// layout, member by member, by name (see `StructOpsLayout`).
public struct StructOpsMapSpec: Hashable, Sendable {
    /// A function-pointer member bound to a program.
    public struct FunctionMember: Hashable, Sendable {
        /// The member's name in the object's struct (e.g. `ssthresh`).
        public var name: String
        /// The member's index in the object's struct.
        public var index: Int
        /// The member's byte offset in `data`.
        public var offset: Int
        /// The program the relocation names.
        public var program: String

        public init(name: String, index: Int, offset: Int, program: String) {
            self.name = name
            self.index = index
            self.offset = offset
            self.program = program
        }
    }

    /// The variable's name, which is also the map's name (e.g. `swb_cc`).
    public var name: String
    /// The struct's name in the object's BTF (e.g. `tcp_congestion_ops`, or a flavour such as
    /// `tcp_congestion_ops___v2`, whose essential name the kernel type must have).
    public var typeName: String
    /// The struct's id in the object's BTF.
    public var typeID: UInt32
    /// The ELF section holding the variable, as written (e.g. `?.struct_ops`).
    public var elfSectionName: String
    public var sectionIndex: Int
    /// The variable's offset in its section.
    public var sectionOffset: UInt64
    /// `.struct_ops.link`: created with `BPF_F_LINK` and registered through `BPF_LINK_CREATE`,
    /// which unregisters when the link closes. Plain `.struct_ops`: registered by the map
    /// update itself, unregistered by deleting the element.
    public var isLink: Bool
    /// False for the `?` sections: libbpf does not create the map (nor load its programs) by default.
    public var autocreate: Bool
    /// The variable's initial bytes (the object's struct layout); function pointers are zero here.
    public var data: [UInt8]
    /// Function-pointer members bound to programs, by member index.
    public var functions: [FunctionMember]

    public init(name: String, typeName: String, typeID: UInt32, elfSectionName: String, sectionIndex: Int,
                sectionOffset: UInt64, isLink: Bool, autocreate: Bool, data: [UInt8], functions: [FunctionMember] = []) {
        self.name = name
        self.typeName = typeName
        self.typeID = typeID
        self.elfSectionName = elfSectionName
        self.sectionIndex = sectionIndex
        self.sectionOffset = sectionOffset
        self.isLink = isLink
        self.autocreate = autocreate
        self.data = data
        self.functions = functions
    }

    /// The program bound to member `name`, if any.
    public func program(forMember name: String) -> String? {
        functions.first { $0.name == name }?.program
    }

    /// The names of the programs this map refers to, in member order.
    public var programNames: [String] { functions.map(\.program) }
}

extension ObjectSpec {
    /// The struct_ops map named `name`.
    public func structOpsMap(named name: String) -> StructOpsMapSpec? {
        structOpsMaps.first { $0.name == name }
    }
}
