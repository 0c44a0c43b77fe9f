/// A BPF map in the kernel. The map owns its descriptor and closes it on deinit; the kernel frees
/// the map when the last descriptor, pin and program reference is gone.
///
/// All operations are thread-safe in the kernel's sense: each is one bpf(2) call.
public final class Map: Sendable, CustomStringConvertible {
    let descriptor: FileDescriptor
    /// The map's name: the one given at creation, or the kernel's (15 bytes) when opened.
    public let name: String
    /// The map type.
    public let type: MapType
    /// The kernel-wide id.
    public let id: UInt32
    /// Size of a key in bytes.
    public let keySize: Int
    /// The value size of one element (of one CPU's slot for per-CPU maps).
    public let valueSize: Int
    /// The most entries the map holds.
    public let maxEntries: Int
    /// The `BPF_F_*` flags the map was created with.
    public let flags: MapFlags

    /// The descriptor number, valid while the map lives. Pass it to the kernel (e.g. an
    /// instruction's map fd); do not close it.
    public var fd: Int32 { descriptor.rawValue }

    /// Creates a map with `BPF_MAP_CREATE`.
    public static func create(_ attrs: MapCreateAttributes) throws(BPFError) -> Map {
        let fd = try BPFCommands.mapCreate(
            type: attrs.type.rawValue, keySize: attrs.keySize, valueSize: attrs.valueSize,
            maxEntries: attrs.maxEntries, flags: attrs.flags.rawValue, name: attrs.name,
            numaNode: attrs.numaNode, mapExtra: attrs.mapExtra, btfFD: attrs.btfFD,
            btfKeyTypeID: attrs.btfKeyTypeID, btfValueTypeID: attrs.btfValueTypeID,
            btfVmlinuxValueTypeID: attrs.btfVmlinuxValueTypeID, innerMapFD: attrs.innerMapFD,
            ifindex: attrs.ifindex)
        return try Map(taking: fd, name: attrs.name)
    }

    /// Opens a map pinned on bpffs (`BPF_OBJ_GET`).
    public static func open(pinned path: String) throws(BPFError) -> Map {
        let fd = try BPFCommands.objGet(path: path)
        try BPFObjectKind.map.requirePinned(fd: fd.rawValue, path: path)
        return try Map(taking: fd)
    }

    /// Opens a map by its global id (`BPF_MAP_GET_FD_BY_ID`).
    public static func open(id: UInt32) throws(BPFError) -> Map {
        try Map(taking: BPFCommands.fdByID(.map, id: id))
    }

    /// Takes ownership of a map descriptor and reads its shape with `BPF_OBJ_GET_INFO_BY_FD`.
    /// `name` overrides the kernel's truncated name in errors.
    package init(taking fd: consuming FileDescriptor, name: String? = nil) throws(BPFError) {
        let info = try BPFCommands.mapInfo(fd: fd.rawValue, name: name ?? "map")
        descriptor = fd
        self.name = name ?? info.name
        type = info.type
        id = info.id
        keySize = Int(info.keySize)
        valueSize = Int(info.valueSize)
        maxEntries = Int(info.maxEntries)
        flags = info.flags
    }

    /// Everything `BPF_OBJ_GET_INFO_BY_FD` reports now.
    public func info() throws(BPFError) -> MapInfo {
        try BPFCommands.mapInfo(fd: fd, name: name)
    }

    /// A new descriptor for the same map (the caller owns it).
    package func duplicateDescriptor() throws(BPFError) -> FileDescriptor {
        try descriptor.duplicate()
    }

    /// The bytes a lookup returns for one key: `valueSize`, or for per-CPU maps
    /// `round_up(valueSize, 8) × possible CPUs`.
    public var valueBufferSize: Int {
        get throws(BPFError) {
            guard type.isPerCPU else { return valueSize }
            return try perCPUStride * PossibleCPUs.count()
        }
    }

    /// The distance between two CPUs' slots in a per-CPU value: the value size rounded up to 8.
    public var perCPUStride: Int { (valueSize + 7) & ~7 }

    /// `BPF_MAP_FREEZE`: user space can no longer write (updates fail with EPERM).
    public func freeze() throws(BPFError) {
        try BPFCommands.mapFreeze(fd: fd, name: name)
    }

    /// Pins the map at `path` on a bpffs mount (`BPF_OBJ_PIN`). Names with '.' are rejected by bpffs.
    public func pin(_ path: String) throws(BPFError) {
        try BPFCommands.objPin(fd: fd, path: path)
    }

    /// Removes a pin (unlink). The map lives on while this object or other references exist.
    public static func unpin(_ path: String) throws(BPFError) {
        try Syscalls.unlink(path)
    }

    public var description: String {
        "Map(\(name), \(type), id \(id), key \(keySize), value \(valueSize), max \(maxEntries))"
    }

    // MARK: Size checks

    func checkKey(_ count: Int) throws(BPFError) {
        guard count == keySize else {
            throw .invalidArgument("map '\(name)' has \(keySize)-byte keys, got \(count) bytes")
        }
    }

    func checkValue(_ count: Int) throws(BPFError) {
        let expected = try valueBufferSize
        guard count == expected else {
            let what = type.isPerCPU ? " (\(perCPUStride) bytes × \(expected / max(perCPUStride, 1)) possible CPUs)" : ""
            throw .invalidArgument("map '\(name)' has \(expected)-byte values\(what), got \(count) bytes")
        }
    }
}
