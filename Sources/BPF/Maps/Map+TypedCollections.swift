/// Whole-map reads decoded into Swift value types.
extension Map {
    /// Decodes `bytes` (exactly `MemoryLayout<T>.size` or `.stride` bytes, zero-padded) as `T`.
    func decode<T: BitwiseCopyable>(_ bytes: [UInt8], as: T.Type, what: String) throws(BPFError) -> T {
        guard bytes.count >= MemoryLayout<T>.size else {
            throw .invalidArgument("map '\(name)': \(bytes.count)-byte \(what) cannot hold \(T.self) (\(MemoryLayout<T>.size) bytes)")
        }
        return bytes.withUnsafeBytes { $0.loadUnaligned(as: T.self) }
    }

    /// Every key, decoded as `K` (iteration with `BPF_MAP_GET_NEXT_KEY`).
    public func allKeys<K: BitwiseCopyable>(as: K.Type) throws(BPFError) -> [K] {
        try checkKeyType(K.self)
        var out: [K] = []
        for key in try allKeys() { out.append(try decode(key, as: K.self, what: "key")) }
        return out
    }

    /// Every entry, decoded as `(K, V)`. Uses `BPF_MAP_LOOKUP_BATCH` and falls back to
    /// iteration on kernels or map types without batch support. Not for per-CPU maps.
    public func allEntries<K: BitwiseCopyable, V: BitwiseCopyable>(keyType: K.Type, valueType: V.Type) throws(BPFError) -> [(key: K, value: V)] {
        guard !type.isPerCPU else {
            throw .invalidArgument("map '\(name)' is per-CPU (\(type)); decode its values with splitPerCPU")
        }
        try checkKeyType(K.self)
        try checkValueType(V.self, size: valueSize)
        let raw: [(key: [UInt8], value: [UInt8])]
        do {
            raw = try lookupBatch()
        } catch {
            // EINVAL/ENOTSUPP/EOPNOTSUPP: no batch operations for this map type or kernel.
            guard case let .syscall(_, e) = error, e == .EINVAL || e == .ENOTSUPP || e == .EOPNOTSUPP else { throw error }
            raw = try allEntries()
        }
        var out: [(key: K, value: V)] = []
        out.reserveCapacity(raw.count)
        for entry in raw {
            out.append((try decode(entry.key, as: K.self, what: "key"), try decode(entry.value, as: V.self, what: "value")))
        }
        return out
    }

    func checkKeyType<K>(_: K.Type) throws(BPFError) {
        guard MemoryLayout<K>.size == keySize || MemoryLayout<K>.stride == keySize else {
            throw .invalidArgument("map '\(name)' has \(keySize)-byte keys, but \(K.self) is \(MemoryLayout<K>.size) bytes")
        }
    }
}
