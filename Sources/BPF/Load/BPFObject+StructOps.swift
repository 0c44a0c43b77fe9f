extension BPFObject {
    /// The created struct_ops map named `name`.
    public func structOpsMap(_ name: String) throws(BPFError) -> StructOpsMap {
        guard let m = structOpsMaps[name] else {
            if let s = spec.structOpsMap(named: name), !s.autocreate {
                throw .missing("struct_ops map '\(name)' was not created: it is in '\(s.elfSectionName)', which libbpf does not create by default")
            }
            throw .missing("struct_ops map '\(name)' (the object's struct_ops maps: \(spec.structOpsMaps.map(\.name).joined(separator: ", ")))")
        }
        return m
    }

    /// Registers the struct_ops map `name` with its kernel subsystem, as libbpf's
    /// `bpf_map__attach_struct_ops()`: a `.struct_ops.link` map through a BPF link
    /// (`BPF_LINK_CREATE`, `BPF_STRUCT_OPS`), a plain `.struct_ops` map by its value update.
    /// Closing (or releasing) the returned link unregisters it. See `StructOpsMap.register()`.
    public func attachStructOps(_ name: String) throws(BPFError) -> Link {
        try structOpsMap(name).register()
    }
}
