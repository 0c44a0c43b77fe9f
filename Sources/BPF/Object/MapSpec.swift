/// A map as libbpf defines it at open time: a BTF-defined map of `.maps`, the inner template of
/// a map-in-map, or an internal map backing `.data`, `.rodata`, `.bss`, `.data.*`, `.rodata.*`.
///
/// Values are as declared. Two adjustments happen at creation and are left to the loader:
/// - `BPF_MAP_TYPE_RINGBUF`/`USER_RINGBUF`: max_entries rounds up to page size × a power of two
///   (`adjust_ringbuf_sz`; see `adjustedRingBufferSize(pageSize:)`).
/// - `BPF_MAP_TYPE_PERF_EVENT_ARRAY` with max_entries 0 gets the number of possible CPUs.
public struct MapSpec: Hashable, Sendable {
    /// `LIBBPF_PIN_*` of the `pinning` field.
    public enum Pinning: UInt32, Hashable, Sendable {
        /// `LIBBPF_PIN_NONE`.
        case none = 0
        /// `LIBBPF_PIN_BY_NAME`: pinned at `<pin root, default /sys/fs/bpf>/<map name>`.
        case byName = 1
    }

    /// An initial slot of a map-in-map (target: a map name) or prog array (target: a program name),
    /// from `.rel.maps` (`bpf_object__collect_map_relos()`).
    public struct Slot: Hashable, Sendable {
        /// The slot in the outer map.
        public var index: UInt32
        /// The name of the map or program the slot holds.
        public var target: String
        /// Slot `index` holding `target`.
        public init(index: UInt32, target: String) {
            self.index = index
            self.target = target
        }
    }

    /// Which kind of internal map (libbpf's `libbpf_map_type`).
    public enum InternalKind: Hashable, Sendable {
        case data, rodata, bss, kconfig
    }

    /// The map name: the VAR name for BTF-defined maps (unsanitised; the kernel keeps 15 bytes),
    /// `<outer>.inner` for inner templates, `internal_map_name()` for internal maps.
    public var name: String
    /// The map type (`__uint(type, ...)`).
    public var type: MapType
    /// Size of a key in bytes.
    public var keySize: UInt32
    /// Size of a value in bytes.
    public var valueSize: UInt32
    /// The most entries (`__uint(max_entries, ...)`); a ring buffer's size in bytes.
    public var maxEntries: UInt32
    /// The `BPF_F_*` map flags (`__uint(map_flags, ...)`).
    public var flags: MapFlags
    /// The NUMA node to allocate on, with `BPF_F_NUMA_NODE`.
    public var numaNode: UInt32
    /// Whether the map is pinned by name (`LIBBPF_PIN_BY_NAME`) and shared.
    public var pinning: Pinning
    /// `map_extra` (64-bit in current libbpf, e.g. bloom filter hash count).
    public var mapExtra: UInt64
    /// BTF id of the key type in the object's BTF (0 = none).
    public var keyTypeID: UInt32
    /// BTF id of the value type (0 = none); for internal maps the DATASEC of the same name.
    public var valueTypeID: UInt32
    /// The inner map template of an array/hash of maps (`<name>.inner`).
    public var inner: MapSpec? {
        get { innerBox?.value }
        set { innerBox = newValue.map(Box.init) }
    }
    private var innerBox: Box?
    /// Initial slots, sorted by index (map-in-map: written right after creation; prog array:
    /// after all programs load).
    public var initialSlots: [Slot]
    /// The initial value image of an internal map (zeros for `.bss`); nil for other maps.
    public var contents: [UInt8]?
    /// Set for internal maps.
    public var internalKind: InternalKind?
    /// The ELF section an internal map backs (e.g. `.rodata`, `.data.custom`), the full name
    /// (libbpf's `real_name`); `.maps` for BTF-defined maps.
    public var sectionName: String
    /// The ELF section index.
    public var sectionIndex: Int
    /// For BTF-defined maps: the VAR's offset in `.maps` (what map relocations match `st_value` against).
    public var sectionOffset: UInt64

    /// A map definition, as the parser builds it from `.maps`.
    public init(name: String, type: MapType, keySize: UInt32, valueSize: UInt32, maxEntries: UInt32,
                flags: MapFlags = [], numaNode: UInt32 = 0, pinning: Pinning = .none, mapExtra: UInt64 = 0,
                keyTypeID: UInt32 = 0, valueTypeID: UInt32 = 0, inner: MapSpec? = nil, initialSlots: [Slot] = [],
                contents: [UInt8]? = nil, internalKind: InternalKind? = nil, sectionName: String = "",
                sectionIndex: Int = 0, sectionOffset: UInt64 = 0) {
        self.name = name
        self.type = type
        self.keySize = keySize
        self.valueSize = valueSize
        self.maxEntries = maxEntries
        self.flags = flags
        self.numaNode = numaNode
        self.pinning = pinning
        self.mapExtra = mapExtra
        self.keyTypeID = keyTypeID
        self.valueTypeID = valueTypeID
        self.innerBox = inner.map(Box.init)
        self.initialSlots = initialSlots
        self.contents = contents
        self.internalKind = internalKind
        self.sectionName = sectionName
        self.sectionIndex = sectionIndex
        self.sectionOffset = sectionOffset
    }

    /// An internal map (global data).
    public var isInternal: Bool { internalKind != nil }

    /// `.rodata*` and `.kconfig`: `BPF_F_RDONLY_PROG`, frozen (`BPF_MAP_FREEZE`) after its image is
    /// written, before any program loads, so the verifier can treat its contents as constants.
    public var isReadOnlyData: Bool { internalKind == .rodata || internalKind == .kconfig }

    /// libbpf's `adjust_ringbuf_sz()` for `RINGBUF`/`USER_RINGBUF`: a size that is not page size ×
    /// a power of two becomes the smallest such product above it (0 stays 0). Other types unchanged.
    public func adjustedRingBufferSize(pageSize: UInt32) -> UInt32 {
        guard type == .ringBuf || type == .userRingBuf, maxEntries != 0, pageSize != 0 else { return maxEntries }
        let pages = maxEntries / pageSize
        if maxEntries % pageSize == 0 && pages & (pages - 1) == 0 { return maxEntries }
        var mul: UInt32 = 1
        while mul <= UInt32.max / pageSize {
            if mul * pageSize > maxEntries { return mul * pageSize }
            if mul > UInt32.max / 2 { break }
            mul <<= 1
        }
        return maxEntries
    }

    /// BTF key/value ids libbpf clears before `BPF_MAP_CREATE` for types that cannot carry them
    /// (`bpf_object__create_map()`): perf event arrays, cgroup arrays, stack traces, maps of maps,
    /// dev/cpu/xsk/sock maps, queues, stacks, arenas.
    public var createsWithoutBTFTypes: Bool {
        [.perfEventArray, .cgroupArray, .stackTrace, .arrayOfMaps, .hashOfMaps, .devMap, .devMapHash,
         .cpuMap, .xskMap, .sockMap, .sockHash, .queue, .stack, .arena].contains(type)
    }

    /// Indirection for the recursive `inner` field.
    private final class Box: Hashable, Sendable {
        let value: MapSpec
        init(_ value: MapSpec) { self.value = value }
        static func == (a: Box, b: Box) -> Bool { a.value == b.value }
        func hash(into h: inout Hasher) { h.combine(value) }
    }
}
