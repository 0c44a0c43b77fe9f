/// A typed map of one `Value` per `Key` (hash, LRU hash, array, LPM trie): the element calls
/// every such map shares. The calls are inlined into the caller and specialised for `Key` and
/// `Value`; when their sizes are exactly the map's (always true of generated types, which carry
/// their C padding as fields), the key is passed from the stack and the value read into a stack
/// slot with one system call and no size check.
public protocol KeyValueMap: TypedMap {
    /// The Swift type of a key, laid out as the map's key.
    associatedtype Key: BitwiseCopyable
    /// The Swift type of a value, laid out as the map's value.
    associatedtype Value: BitwiseCopyable
    /// Whether `Key` and `Value` have exactly the map's key and value sizes (no padding copies).
    var isExactLayout: Bool { get }
}

extension KeyValueMap {
    /// `BPF_MAP_LOOKUP_ELEM`: the value stored for `key`, or nil if there is none.
    @inlinable
    public func lookup(key: Key) throws(BPFError) -> Value? {
        guard isExactLayout else { return try map.lookupPadded(key: key, as: Value.self) }
        var status: Int32 = 0
        let value = withUnsafeTemporaryAllocation(of: Value.self, capacity: 1) { slot -> Value? in
            let v = UnsafeMutableRawPointer(slot.baseAddress!)
            status = withUnsafeBytes(of: key) { k in map.lookupElementErrno(key: k.baseAddress!, value: v) }
            return status == 0 ? v.load(as: Value.self) : nil
        }
        if status == 0 || status == Errno.ENOENT.rawValue { return value }
        throw map.elementError("BPF_MAP_LOOKUP_ELEM", status)
    }

    /// `BPF_MAP_UPDATE_ELEM`: stores `value` for `key` (`flags`: any, only new, only existing).
    @inlinable
    public func update(key: Key, value: Value, flags: MapUpdateFlags = .any) throws(BPFError) {
        guard isExactLayout else { return try map.updatePadded(key: key, value: value, flags: flags) }
        let status = withUnsafeBytes(of: key) { k in
            withUnsafeBytes(of: value) { v in map.updateElementErrno(key: k.baseAddress!, value: v.baseAddress!, flags: flags.rawValue) }
        }
        if status != 0 { throw map.elementError("BPF_MAP_UPDATE_ELEM", status) }
    }

    /// Every key, in the kernel's order (`BPF_MAP_GET_NEXT_KEY`).
    public func keys() throws(BPFError) -> [Key] {
        try map.allKeys(as: Key.self)
    }

    /// Every key and its value: one `BPF_MAP_LOOKUP_BATCH` walk where the kernel has it for this
    /// map type, else key by key.
    public func entries() throws(BPFError) -> [(key: Key, value: Value)] {
        try map.allEntries(keyType: Key.self, valueType: Value.self)
    }

    /// `BPF_MAP_UPDATE_BATCH`: stores `values[i]` for `keys[i]` in one system call; returns how
    /// many were written. Needs `Key` and `Value` strides equal to the map's sizes.
    @discardableResult
    public func updateBatch(keys: [Key], values: [Value], flags: MapUpdateFlags = .any) throws(BPFError) -> Int {
        try map.updateBatch(keys: keys, values: values, flags: flags)
    }
}

/// The maps whose elements can be deleted (all but arrays).
public protocol DeletableKeyValueMap: KeyValueMap {}

extension DeletableKeyValueMap {
    /// `BPF_MAP_DELETE_ELEM`: removes `key`; true if it was there.
    @inlinable
    @discardableResult
    public func delete(key: Key) throws(BPFError) -> Bool {
        guard isExactLayout else { return try map.delete(key: key) }
        let status = withUnsafeBytes(of: key) { k in map.deleteElementErrno(key: k.baseAddress!) }
        if status == 0 { return true }
        if status == Errno.ENOENT.rawValue { return false }
        throw map.elementError("BPF_MAP_DELETE_ELEM", status)
    }

    /// `BPF_MAP_DELETE_BATCH`: removes `keys` in one system call; returns how many were removed.
    @discardableResult
    public func deleteBatch(keys: [Key]) throws(BPFError) -> Int {
        try map.deleteBatch(keys: keys)
    }

    /// Reads every element, then removes each one read, e.g. to drain counters between two
    /// reports. Elements the BPF side adds in between stay for the next call.
    public func takeAll() throws(BPFError) -> [(key: Key, value: Value)] {
        let all = try entries()
        for entry in all { try delete(key: entry.key) }
        return all
    }
}
