/// The per-CPU value layout: one slot per possible CPU, each `round_up(valueSize, 8)` bytes.
@usableFromInline
struct PerCPUSlots: Sendable {
    /// Possible CPUs (`/sys/devices/system/cpu/possible`), read once.
    @usableFromInline let cpus: Int
    /// Bytes between two CPUs' slots.
    @usableFromInline let stride: Int

    init(map: Map) throws(BPFError) {
        cpus = try PossibleCPUs.count()
        stride = map.perCPUStride
    }

    /// The value of every CPU for `key`, or nil if the key is absent.
    @inlinable
    func lookup<Key: BitwiseCopyable, Value: BitwiseCopyable>(_ map: Map, key: Key, as: Value.Type) throws(BPFError) -> [Value]? {
        let total = cpus * stride
        return try withUnsafeTemporaryAllocation(byteCount: total, alignment: 8) { buffer in
            Result { () throws(BPFError) -> [Value]? in
                let status = withUnsafeBytes(of: key) { k in map.lookupElementErrno(key: k.baseAddress!, value: buffer.baseAddress!) }
                if status == Errno.ENOENT.rawValue { return nil }
                if status != 0 { throw map.elementError("BPF_MAP_LOOKUP_ELEM", status) }
                return (0..<cpus).map { buffer.loadUnaligned(fromByteOffset: $0 * stride, as: Value.self) }
            }
        }.get()
    }

    /// Stores one value per CPU for `key`.
    @inlinable
    func update<Key: BitwiseCopyable, Value: BitwiseCopyable>(_ map: Map, key: Key, values: [Value], flags: MapUpdateFlags) throws(BPFError) {
        guard values.count == cpus else {
            throw .invalidArgument("map '\(map.name)' is per-CPU: need \(cpus) values (one per possible CPU), got \(values.count)")
        }
        let total = cpus * stride
        try withUnsafeTemporaryAllocation(byteCount: total, alignment: 8) { buffer in
            Result { () throws(BPFError) in
                buffer.initializeMemory(as: UInt8.self, repeating: 0)
                for (i, v) in values.enumerated() { buffer.storeBytes(of: v, toByteOffset: i * stride, as: Value.self) }
                let status = withUnsafeBytes(of: key) { k in
                    map.updateElementErrno(key: k.baseAddress!, value: buffer.baseAddress!, flags: flags.rawValue)
                }
                if status != 0 { throw map.elementError("BPF_MAP_UPDATE_ELEM", status) }
            }
        }.get()
    }
}

/// A `BPF_MAP_TYPE_PERCPU_HASH` (or `LRU_PERCPU_HASH`) map: each key holds one `Value` per
/// possible CPU, which the BPF side updates without atomics. Checked once (see `TypedMap`).
/// `Key` must have exactly the map's key size.
public struct PerCPUHashMap<Key: BitwiseCopyable, Value: BitwiseCopyable>: TypedMap {
    /// The untyped map underneath.
    public let map: Map
    @usableFromInline let slots: PerCPUSlots

    /// Checks that `map` is a per-CPU hash map whose key and value sizes fit `Key` and `Value`.
    public init(_ map: Map) throws(BPFError) {
        let l = try map.requireTyped("PerCPUHashMap<\(Key.self), \(Value.self)>", types: [.perCPUHash, .lruPerCPUHash],
                                     key: Key.self, value: Value.self)
        guard l.key == .exact else {
            throw .invalidArgument("map '\(map.name)': PerCPUHashMap needs a key type of exactly \(map.keySize) bytes; \(Key.self) is \(MemoryLayout<Key>.size)")
        }
        self.map = map
        slots = try PerCPUSlots(map: map)
    }

    /// The number of possible CPUs, i.e. of values per key.
    public var cpuCount: Int { slots.cpus }

    /// The values of every possible CPU for `key`, in CPU order, or nil if the key is absent.
    @inlinable
    public func lookup(key: Key) throws(BPFError) -> [Value]? {
        try slots.lookup(map, key: key, as: Value.self)
    }

    /// Stores `values` (one per possible CPU, `cpuCount` of them) for `key`.
    @inlinable
    public func update(key: Key, values: [Value], flags: MapUpdateFlags = .any) throws(BPFError) {
        try slots.update(map, key: key, values: values, flags: flags)
    }

    /// Removes `key`; true if it was there.
    @discardableResult
    public func delete(key: Key) throws(BPFError) -> Bool {
        try map.delete(key: key)
    }

    /// Every key, in the kernel's order.
    public func keys() throws(BPFError) -> [Key] {
        try map.allKeys(as: Key.self)
    }

    /// Every key with its per-CPU values (a key removed during the walk is skipped).
    public func entries() throws(BPFError) -> [(key: Key, values: [Value])] {
        var out: [(key: Key, values: [Value])] = []
        for key in try keys() {
            if let values = try lookup(key: key) { out.append((key, values)) }
        }
        return out
    }
}

/// A `BPF_MAP_TYPE_PERCPU_ARRAY` map: each index below `maxEntries` holds one `Value` per
/// possible CPU (zeros until written). Checked once (see `TypedMap`).
public struct PerCPUArrayMap<Value: BitwiseCopyable>: TypedMap {
    /// The untyped map underneath.
    public let map: Map
    @usableFromInline let slots: PerCPUSlots

    /// Checks that `map` is a per-CPU array whose value size fits `Value`.
    public init(_ map: Map) throws(BPFError) {
        _ = try map.requireTyped("PerCPUArrayMap<\(Value.self)>", types: [.perCPUArray], key: UInt32.self, value: Value.self)
        self.map = map
        slots = try PerCPUSlots(map: map)
    }

    /// The number of elements (`max_entries`).
    public var count: Int { map.maxEntries }

    /// The number of possible CPUs, i.e. of values per index.
    public var cpuCount: Int { slots.cpus }

    /// The values of every possible CPU at `index`, in CPU order.
    /// - Throws: `.invalidArgument` for an index at or past `count`.
    @inlinable
    public func values(at index: UInt32) throws(BPFError) -> [Value] {
        guard let v = try slots.lookup(map, key: index, as: Value.self) else {
            throw .invalidArgument("index \(index) is out of range of array '\(map.name)' (\(map.maxEntries) elements)")
        }
        return v
    }

    /// Stores `values` (one per possible CPU) at `index`.
    @inlinable
    public func set(_ values: [Value], at index: UInt32) throws(BPFError) {
        try slots.update(map, key: index, values: values, flags: .any)
    }
}
