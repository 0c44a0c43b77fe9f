import CBPF

/// What bpftool's `map show` reports about a map: `struct bpf_map_info` from
/// `BPF_OBJ_GET_INFO_BY_FD` plus `memlock` and `frozen` from /proc/self/fdinfo (the info struct
/// has no frozen flag). 6.18 appended `hash`/`hash_size` to `bpf_map_info`; they are not read.
public struct MapDetails: Sendable, Hashable {
    /// The kernel's map info.
    public var info: MapInfo
    /// Bytes charged for the map (`memlock:` in fdinfo), if reported.
    public var memlock: UInt64?
    /// Whether user space writes were frozen with `BPF_MAP_FREEZE` (`frozen:` in fdinfo).
    public var isFrozen: Bool
    /// `btf_vmlinux_value_type_id`: the kernel type of a struct_ops map's value; 0 otherwise.
    public var vmlinuxValueTypeID: UInt32
    /// For a prog array: the program type its programs must have (`owner_prog_type:`), once set.
    public var ownerProgramType: ProgramType?

    /// The kernel-wide id.
    public var id: UInt32 { info.id }
    /// The map type.
    public var type: MapType { info.type }
    /// The name.
    public var name: String { info.name }

    /// Reads the details of the map behind `fd`.
    public init(fd: Int32, name: String = "map") throws(BPFError) {
        info = try BPFCommands.mapInfo(fd: fd, name: name)
        var raw = bpf_map_info()
        try BPFCommands.objGetInfo(fd: fd, info: &raw, name: name)
        vmlinuxValueTypeID = raw.btf_vmlinux_value_type_id
        let fdinfo = try? FDInfo(fd: fd)
        memlock = fdinfo?.integer("memlock")
        isFrozen = (fdinfo?.integer("frozen") ?? 0) != 0
        ownerProgramType = fdinfo?.integer("owner_prog_type").map { ProgramType(rawValue: UInt32(truncatingIfNeeded: $0)) }
    }
}

extension Map {
    /// Everything bpftool's `map show` reports about this map.
    public func details() throws(BPFError) -> MapDetails {
        try MapDetails(fd: fd, name: name)
    }

    /// The map's BTF (`btf_id` of its info), loaded from the kernel with `BPF_BTF_GET_FD_BY_ID`;
    /// nil when the map was created without BTF. Map BTF is self-contained (not split on
    /// vmlinux), as loaders upload an object's own BTF.
    public func btf() throws(BPFError) -> BTF? {
        let info = try info()
        guard info.btfID != 0 else { return nil }
        return try BTF.loaded(id: info.btfID)
    }
}

extension BTF {
    /// The BTF object with kernel id `id` (`BPF_BTF_GET_FD_BY_ID` and `BPF_OBJ_GET_INFO_BY_FD`
    /// with a `btf` buffer). Kernel and module BTF (`kernel_btf`) are split on vmlinux: pass
    /// `base` for those.
    public static func loaded(id: UInt32, base: BTF? = nil) throws(BPFError) -> BTF {
        let fd = try BPFCommands.fdByID(.btf, id: id)
        let bytes = try BPFCommands.btfData(fd: fd.rawValue)
        return try BTF(bytes: bytes, base: base)
    }
}
