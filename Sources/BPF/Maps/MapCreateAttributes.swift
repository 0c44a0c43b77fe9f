/// Everything `BPF_MAP_CREATE` takes, as plain values.
public struct MapCreateAttributes: Sendable, Hashable {
    /// The map's name. The kernel keeps 15 bytes (`BPF_OBJ_NAME_LEN` is 16) of letters, digits,
    /// `_` and `.`; other characters are replaced by `_`. The full name is used in errors.
    public var name: String
    /// The map type.
    public var type: MapType
    /// Key size in bytes; 0 for queues, stacks, ring buffers and bloom filters.
    public var keySize: UInt32
    /// Value size in bytes; 0 for ring buffers. Map-of-maps values are 4 (an fd in, an id out).
    public var valueSize: UInt32
    /// Entries; for ring buffers the data size in bytes (a power of 2, a multiple of the page size).
    public var maxEntries: UInt32
    /// The `BPF_F_*` map flags.
    public var flags: MapFlags
    /// `numa_node`, used only with `MapFlags.numaNode`.
    public var numaNode: UInt32
    /// `map_extra`: the bloom filter's hash count, or the arena's address.
    public var mapExtra: UInt64
    /// The BTF holding the key and value types (`btf_fd`), or nil.
    public var btfFD: Int32?
    /// BTF type id of the key in `btfFD`'s BTF (0 if none).
    public var btfKeyTypeID: UInt32
    /// BTF type id of the value in `btfFD`'s BTF (0 if none).
    public var btfValueTypeID: UInt32
    /// `btf_vmlinux_value_type_id`, for struct_ops maps.
    public var btfVmlinuxValueTypeID: UInt32
    /// For array/hash of maps: a map of the inner maps' shape (`inner_map_fd`).
    public var innerMapFD: Int32?
    /// `map_ifindex`, for offloaded maps.
    public var ifindex: UInt32

    /// Attributes for `BPF_MAP_CREATE`.
    public init(
        name: String, type: MapType, keySize: UInt32, valueSize: UInt32, maxEntries: UInt32,
        flags: MapFlags = [], numaNode: UInt32 = 0, mapExtra: UInt64 = 0, btfFD: Int32? = nil,
        btfKeyTypeID: UInt32 = 0, btfValueTypeID: UInt32 = 0, btfVmlinuxValueTypeID: UInt32 = 0,
        innerMapFD: Int32? = nil, ifindex: UInt32 = 0
    ) {
        self.name = name
        self.type = type
        self.keySize = keySize
        self.valueSize = valueSize
        self.maxEntries = maxEntries
        self.flags = flags
        self.numaNode = numaNode
        self.mapExtra = mapExtra
        self.btfFD = btfFD
        self.btfKeyTypeID = btfKeyTypeID
        self.btfValueTypeID = btfValueTypeID
        self.btfVmlinuxValueTypeID = btfVmlinuxValueTypeID
        self.innerMapFD = innerMapFD
        self.ifindex = ifindex
    }
}
