import CBPF

extension BPFCommands {
    /// `BPF_LINK_CREATE` of a struct_ops map (`attach_type` `BPF_STRUCT_OPS`, 6.4+): registers the
    /// map's value (written with `BPF_MAP_UPDATE_ELEM` first) with its subsystem; closing the
    /// link unregisters it. The map must have been created with `BPF_F_LINK`.
    public static func structOpsLinkCreate(mapFD: Int32, name: String) throws(BPFError) -> FileDescriptor {
        var attr = bpf_attr()
        // `map_fd` shares its union with `prog_fd` (the only name the C import exposes).
        attr.link_create.prog_fd = UInt32(bitPattern: mapFD)
        attr.link_create.attach_type = AttachType.structOps.rawValue
        return try Syscalls.bpfFD(BPF_LINK_CREATE, &attr, "BPF_LINK_CREATE(struct_ops \(name))")
    }
}

extension MapFlags {
    /// `BPF_F_LINK`: a struct_ops map registered through a BPF link (`.struct_ops.link`) rather
    /// than by its map update.
    public static let structOpsLink = MapFlags(rawValue: 1 << 13)
}
