/// A `BPF_MAP_TYPE_HASH` map of `Key` to `Value`, checked once (see `TypedMap`).
public struct HashMap<Key: BitwiseCopyable, Value: BitwiseCopyable>: DeletableKeyValueMap {
    /// The untyped map underneath.
    public let map: Map
    /// Whether the key and value types have exactly the map's sizes (decided once).
    public let isExactLayout: Bool

    /// Checks that `map` is a hash map whose key and value sizes fit `Key` and `Value`.
    public init(_ map: Map) throws(BPFError) {
        let l = try map.requireTyped("HashMap<\(Key.self), \(Value.self)>", types: [.hash], key: Key.self, value: Value.self)
        self.map = map
        isExactLayout = l.key == .exact && l.value == .exact
    }
}

/// A `BPF_MAP_TYPE_LRU_HASH` map of `Key` to `Value`: the kernel evicts the least recently used
/// element when the map is full. Checked once (see `TypedMap`).
public struct LRUHashMap<Key: BitwiseCopyable, Value: BitwiseCopyable>: DeletableKeyValueMap {
    /// The untyped map underneath.
    public let map: Map
    /// Whether the key and value types have exactly the map's sizes (decided once).
    public let isExactLayout: Bool

    /// Checks that `map` is an LRU hash map whose key and value sizes fit `Key` and `Value`.
    public init(_ map: Map) throws(BPFError) {
        let l = try map.requireTyped("LRUHashMap<\(Key.self), \(Value.self)>", types: [.lruHash], key: Key.self, value: Value.self)
        self.map = map
        isExactLayout = l.key == .exact && l.value == .exact
    }
}

/// A `BPF_MAP_TYPE_LPM_TRIE` map: longest-prefix match of `Key`, whose C type starts with a
/// `__u32 prefixlen` followed by the address bytes. A lookup finds the entry with the longest
/// prefix that contains the key's address. Checked once (see `TypedMap`).
public struct LPMTrieMap<Key: BitwiseCopyable, Value: BitwiseCopyable>: DeletableKeyValueMap {
    /// The untyped map underneath.
    public let map: Map
    /// Whether the key and value types have exactly the map's sizes (decided once).
    public let isExactLayout: Bool

    /// Checks that `map` is an LPM trie whose key and value sizes fit `Key` and `Value`.
    public init(_ map: Map) throws(BPFError) {
        let l = try map.requireTyped("LPMTrieMap<\(Key.self), \(Value.self)>", types: [.lpmTrie], key: Key.self, value: Value.self)
        self.map = map
        isExactLayout = l.key == .exact && l.value == .exact
    }
}

/// A `BPF_MAP_TYPE_ARRAY` map of `Value` indexed by `UInt32`: every index below `maxEntries`
/// always holds a value (zeros until written); elements cannot be deleted. Checked once (see
/// `TypedMap`).
public struct ArrayMap<Value: BitwiseCopyable>: KeyValueMap {
    /// Arrays are indexed by `UInt32`.
    public typealias Key = UInt32
    /// The untyped map underneath.
    public let map: Map
    /// Whether the key and value types have exactly the map's sizes (decided once).
    public let isExactLayout: Bool

    /// Checks that `map` is an array with 4-byte keys whose value size fits `Value`.
    public init(_ map: Map) throws(BPFError) {
        let l = try map.requireTyped("ArrayMap<\(Value.self)>", types: [.array], key: UInt32.self, value: Value.self)
        self.map = map
        isExactLayout = l.key == .exact && l.value == .exact
    }

    /// The number of elements (`max_entries`).
    public var count: Int { map.maxEntries }

    /// The value at `index`.
    /// - Throws: `.invalidArgument` for an index at or past `count`.
    @inlinable
    public func value(at index: UInt32) throws(BPFError) -> Value {
        guard let v = try lookup(key: index) else {
            throw .invalidArgument("index \(index) is out of range of array '\(map.name)' (\(map.maxEntries) elements)")
        }
        return v
    }

    /// Stores `value` at `index`.
    @inlinable
    public func set(_ value: Value, at index: UInt32) throws(BPFError) {
        try update(key: index, value: value)
    }

    /// Every value, in index order.
    public func values() throws(BPFError) -> [Value] {
        var out: [Value] = []
        out.reserveCapacity(count)
        for i in 0..<UInt32(count) { out.append(try value(at: i)) }
        return out
    }
}
