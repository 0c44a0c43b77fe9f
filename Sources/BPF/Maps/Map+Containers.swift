/// Queues, stacks and maps of maps.
extension Map {
    // MARK: Queue and stack (BPF_MAP_TYPE_QUEUE / BPF_MAP_TYPE_STACK, no keys)

    /// Pushes a value (`BPF_MAP_UPDATE_ELEM` with a NULL key). With `.exist`, a full queue or
    /// stack drops its oldest element instead of failing with E2BIG.
    public func push(_ value: [UInt8], flags: MapUpdateFlags = .any) throws(BPFError) {
        try checkContainer()
        try BPFCommands.withBytes(value) { (v) throws(BPFError) in try update(rawKey: nil, rawValue: v, flags: flags) }
    }

    /// Pops a value (`BPF_MAP_LOOKUP_AND_DELETE_ELEM` with a NULL key), or nil when empty.
    public func pop() throws(BPFError) -> [UInt8]? {
        try checkContainer()
        return try lookupAndDeleteRaw(key: nil)
    }

    /// Reads the next value without removing it (`BPF_MAP_LOOKUP_ELEM` with a NULL key).
    public func peek() throws(BPFError) -> [UInt8]? {
        try checkContainer()
        var value = [UInt8](repeating: 0, count: valueSize)
        let found = try value.withUnsafeMutableBytes { v in
            Result { () throws(BPFError) in try lookup(rawKey: nil, into: v) }
        }.get()
        return found ? value : nil
    }

    /// Pushes a typed value.
    public func push<V: BitwiseCopyable>(_ value: V, flags: MapUpdateFlags = .any) throws(BPFError) {
        try checkContainer()
        try withPaddedBytes(of: value, size: valueSize, what: "value") { (v) throws(BPFError) in
            try update(rawKey: nil, rawValue: v, flags: flags)
        }
    }

    /// Pops a typed value, or nil when empty.
    public func pop<V: BitwiseCopyable>(as: V.Type) throws(BPFError) -> V? {
        try checkValueType(V.self, size: valueSize)
        return try pop().map { bytes in bytes.withUnsafeBytes { $0.loadUnaligned(as: V.self) } }
    }

    /// Peeks a typed value, or nil when empty.
    public func peek<V: BitwiseCopyable>(as: V.Type) throws(BPFError) -> V? {
        try checkValueType(V.self, size: valueSize)
        return try peek().map { bytes in bytes.withUnsafeBytes { $0.loadUnaligned(as: V.self) } }
    }

    func checkContainer() throws(BPFError) {
        guard type == .queue || type == .stack else {
            throw .invalidArgument("map '\(name)' (\(type)) is not a queue or stack")
        }
    }

    // MARK: Maps of maps (BPF_MAP_TYPE_ARRAY_OF_MAPS / HASH_OF_MAPS)

    /// Stores `inner` at `key`: the kernel takes the inner map's fd on update.
    public func update<K: BitwiseCopyable>(key: K, innerMap inner: Map, flags: MapUpdateFlags = .any) throws(BPFError) {
        guard type.isMapOfMaps else { throw .invalidArgument("map '\(name)' (\(type)) is not a map of maps") }
        try update(key: key, value: inner.fd, flags: flags)
    }

    /// The id of the inner map at `key` (lookups return ids, not fds), or nil if absent.
    /// Open it with `Map.open(id:)`.
    public func innerMapID<K: BitwiseCopyable>(key: K) throws(BPFError) -> UInt32? {
        guard type.isMapOfMaps else { throw .invalidArgument("map '\(name)' (\(type)) is not a map of maps") }
        return try lookup(key: key, as: UInt32.self)
    }
}
