import CBPF

/// `struct bpf_map_info` from `BPF_OBJ_GET_INFO_BY_FD`.
public struct MapInfo: Sendable, Hashable {
    /// The map type.
    public var type: MapType
    /// The kernel-wide id.
    public var id: UInt32
    /// The name the kernel keeps (at most 15 bytes).
    public var name: String
    /// Size of a key in bytes.
    public var keySize: UInt32
    /// Size of a value in bytes.
    public var valueSize: UInt32
    /// The most entries the map holds.
    public var maxEntries: UInt32
    /// The `BPF_F_*` flags the map was created with.
    public var flags: MapFlags
    /// Id of the BTF object that describes it (0 if none).
    public var btfID: UInt32
    /// BTF type id of the key (0 if none).
    public var btfKeyTypeID: UInt32
    /// BTF type id of the value (0 if none).
    public var btfValueTypeID: UInt32
    /// `map_extra`: the bloom filter's hash count, the arena's address.
    public var mapExtra: UInt64
}

/// `struct bpf_prog_info` from `BPF_OBJ_GET_INFO_BY_FD`.
public struct ProgramInfo: Sendable, Hashable {
    /// The program type.
    public var type: ProgramType
    /// The kernel-wide id.
    public var id: UInt32
    /// The name the kernel keeps (at most 15 bytes).
    public var name: String
    /// The 8-byte tag (a hash of the translated instructions), as bpftool prints it in hex.
    public var tag: [UInt8]
    /// The tag as 16 hex digits.
    public var tagHex: String { tag.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() }
    /// The ids of the maps the program uses (or is bound to with `BPF_PROG_BIND_MAP`).
    public var mapIDs: [UInt32]
    /// Length in bytes of the translated (xlated) program; 8 bytes per instruction.
    public var xlatedLength: UInt32
    /// Length in bytes of the JIT-compiled machine code.
    public var jitedLength: UInt32
    /// Id of the BTF object that describes it (0 if none).
    public var btfID: UInt32
    /// Whether the program's license is GPL-compatible (it may call GPL-only helpers).
    public var gplCompatible: Bool
    /// When it was loaded, in nanoseconds since boot.
    public var loadTime: UInt64
    /// The user id that loaded it.
    public var createdByUID: UInt32
    /// The instructions the verifier processed.
    public var verifiedInstructions: UInt32
    /// Times it ran, counted while `kernel.bpf_stats_enabled` is set.
    public var runCount: UInt64
    /// Total run time, counted while `kernel.bpf_stats_enabled` is set.
    public var runTimeNanoseconds: UInt64
}

/// `struct bpf_link_info` from `BPF_OBJ_GET_INFO_BY_FD` (common fields).
public struct LinkInfo: Sendable, Hashable {
    /// `enum bpf_link_type`: 1 raw_tracepoint, 2 tracing, 3 cgroup, 4 iter, 5 netns, 6 xdp,
    /// 7 perf_event, 8 kprobe_multi, 9 struct_ops, ...
    public var type: UInt32
    /// The kernel-wide id.
    public var id: UInt32
    /// Id of the program the link runs.
    public var programID: UInt32
}

/// `struct bpf_btf_info` from `BPF_OBJ_GET_INFO_BY_FD`.
public struct BTFInfo: Sendable, Hashable {
    /// The kernel-wide id.
    public var id: UInt32
    /// Size of the raw BTF in bytes.
    public var size: UInt32
    /// The name the kernel keeps (at most 15 bytes).
    public var name: String
    /// Whether it is the kernel's or a module's BTF rather than a loaded program's.
    public var isKernel: Bool
}

extension BPFCommands {
    /// Map info of `fd`.
    package static func mapInfo(fd: Int32, name: String = "map") throws(BPFError) -> MapInfo {
        var i = bpf_map_info()
        try objGetInfo(fd: fd, info: &i, name: name)
        return MapInfo(
            type: MapType(rawValue: i.type), id: i.id, name: objectName(i.name), keySize: i.key_size,
            valueSize: i.value_size, maxEntries: i.max_entries, flags: MapFlags(rawValue: i.map_flags),
            btfID: i.btf_id, btfKeyTypeID: i.btf_key_type_id, btfValueTypeID: i.btf_value_type_id,
            mapExtra: i.map_extra)
    }

    /// Program info of `fd`, including the ids of its maps (a second call sized by the first).
    package static func programInfo(fd: Int32, name: String = "program") throws(BPFError) -> ProgramInfo {
        var i = bpf_prog_info()
        try objGetInfo(fd: fd, info: &i, name: name)
        var ids = [UInt32](repeating: 0, count: Int(i.nr_map_ids))
        if !ids.isEmpty {
            var again = bpf_prog_info()
            _ = try ids.withUnsafeMutableBytes { p in
                again.nr_map_ids = UInt32(p.count / 4)
                again.map_ids = address(p.baseAddress)
                return Result { () throws(BPFError) in try objGetInfo(fd: fd, info: &again, name: name) }
            }.get()
            // The program's maps cannot change, but never read more than the buffer.
            ids = Array(ids.prefix(Int(again.nr_map_ids)))
        }
        return ProgramInfo(
            type: ProgramType(rawValue: i.type), id: i.id, name: objectName(i.name),
            tag: withUnsafeBytes(of: i.tag) { Array($0) }, mapIDs: ids, xlatedLength: i.xlated_prog_len,
            jitedLength: i.jited_prog_len, btfID: i.btf_id, gplCompatible: i.gpl_compatible != 0,
            loadTime: i.load_time, createdByUID: i.created_by_uid, verifiedInstructions: i.verified_insns,
            runCount: i.run_cnt, runTimeNanoseconds: i.run_time_ns)
    }

    /// Link info of `fd`.
    package static func linkInfo(fd: Int32, name: String = "link") throws(BPFError) -> LinkInfo {
        var i = bpf_link_info()
        try objGetInfo(fd: fd, info: &i, name: name)
        return LinkInfo(type: i.type, id: i.id, programID: i.prog_id)
    }

    /// BTF object info of `fd`, with its name (e.g. "vmlinux" or a module's name).
    package static func btfInfo(fd: Int32) throws(BPFError) -> BTFInfo {
        var nameBuffer = [UInt8](repeating: 0, count: 64)
        var i = bpf_btf_info()
        _ = try nameBuffer.withUnsafeMutableBytes { p in
            i.name = address(p.baseAddress)
            i.name_len = UInt32(p.count)
            return Result { () throws(BPFError) in try objGetInfo(fd: fd, info: &i, name: "btf") }
        }.get()
        return BTFInfo(
            id: i.id, size: i.btf_size, name: String(decoding: nameBuffer.prefix(while: { $0 != 0 }), as: UTF8.self),
            isKernel: i.kernel_btf != 0)
    }
}
