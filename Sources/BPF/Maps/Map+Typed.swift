/// Typed access for plain Swift value types (`BitwiseCopyable`: integers, tuples, structs of
/// them). The type's `MemoryLayout.size` (or `stride`, for structs whose C layout has trailing
/// padding) must equal the map's key or value size; bytes are copied as they are in memory.
extension Map {
    /// Runs `body` with `value`'s bytes padded with zeros to `size` bytes.
    func withPaddedBytes<T: BitwiseCopyable, R>(
        of value: T, size: Int, what: String, _ body: (UnsafeRawBufferPointer) throws(BPFError) -> R
    ) throws(BPFError) -> R {
        let layoutSize = MemoryLayout<T>.size
        guard layoutSize == size || MemoryLayout<T>.stride == size else {
            throw .invalidArgument("map '\(name)' has \(size)-byte \(what)s, but \(T.self) is \(layoutSize) bytes")
        }
        var copy = value
        if layoutSize == size {
            return try withUnsafeBytes(of: &copy) { p in Result { () throws(BPFError) in try body(p) } }.get()
        }
        return try withUnsafeTemporaryAllocation(byteCount: size, alignment: MemoryLayout<T>.alignment) { buffer in
            buffer.initializeMemory(as: UInt8.self, repeating: 0)
            withUnsafeBytes(of: &copy) { buffer.copyMemory(from: $0) }
            return Result { () throws(BPFError) in try body(UnsafeRawBufferPointer(buffer)) }
        }.get()
    }

    /// Checks that `T` fits a value slot of `size` bytes.
    func checkValueType<T>(_: T.Type, size: Int) throws(BPFError) {
        guard MemoryLayout<T>.size == size || MemoryLayout<T>.stride == size else {
            throw .invalidArgument("map '\(name)' has \(size)-byte values, but \(T.self) is \(MemoryLayout<T>.size) bytes")
        }
    }

    /// `BPF_MAP_LOOKUP_ELEM` of a typed key: the value as `V`, or nil if absent.
    /// For per-CPU maps use `lookupPerCPU(key:as:)`.
    public func lookup<K: BitwiseCopyable, V: BitwiseCopyable>(key: K, as: V.Type = V.self) throws(BPFError) -> V? {
        guard !type.isPerCPU else {
            throw .invalidArgument("map '\(name)' is per-CPU (\(type)); use lookupPerCPU(key:as:)")
        }
        try checkValueType(V.self, size: valueSize)
        return try withPaddedBytes(of: key, size: keySize, what: "key") { (k) throws(BPFError) -> V? in
            try withUnsafeTemporaryAllocation(byteCount: valueSize, alignment: 8) { v in
                Result { () throws(BPFError) -> V? in
                    guard try lookup(rawKey: k, into: v) else { return nil }
                    return v.loadUnaligned(as: V.self)
                }
            }.get()
        }
    }

    /// `BPF_MAP_UPDATE_ELEM` of a typed key and value.
    public func update<K: BitwiseCopyable, V: BitwiseCopyable>(key: K, value: V, flags: MapUpdateFlags = .any) throws(BPFError) {
        guard !type.isPerCPU else {
            throw .invalidArgument("map '\(name)' is per-CPU (\(type)); use updatePerCPU(key:values:)")
        }
        try withPaddedBytes(of: key, size: keySize, what: "key") { (k) throws(BPFError) in
            try withPaddedBytes(of: value, size: valueSize, what: "value") { (v) throws(BPFError) in
                try update(rawKey: k, rawValue: v, flags: flags)
            }
        }
    }

    /// `BPF_MAP_DELETE_ELEM` of a typed key: true if it was there.
    @discardableResult
    public func delete<K: BitwiseCopyable>(key: K) throws(BPFError) -> Bool {
        try withPaddedBytes(of: key, size: keySize, what: "key") { (k) throws(BPFError) in try delete(rawKey: k) }
    }

    /// Per-CPU lookup: one `V` per possible CPU, in CPU order, or nil if the key is absent.
    public func lookupPerCPU<K: BitwiseCopyable, V: BitwiseCopyable>(key: K, as: V.Type = V.self) throws(BPFError) -> [V]? {
        guard type.isPerCPU else { throw .invalidArgument("map '\(name)' (\(type)) is not per-CPU") }
        try checkValueType(V.self, size: valueSize)
        let total = try valueBufferSize
        let stride = perCPUStride
        return try withPaddedBytes(of: key, size: keySize, what: "key") { (k) throws(BPFError) -> [V]? in
            try withUnsafeTemporaryAllocation(byteCount: total, alignment: 8) { v in
                Result { () throws(BPFError) -> [V]? in
                    guard try lookup(rawKey: k, into: v) else { return nil }
                    return (0..<(total / stride)).map { v.loadUnaligned(fromByteOffset: $0 * stride, as: V.self) }
                }
            }.get()
        }
    }

    /// Per-CPU update: `values` has one element per possible CPU (see `PossibleCPUs.count()`).
    public func updatePerCPU<K: BitwiseCopyable, V: BitwiseCopyable>(key: K, values: [V], flags: MapUpdateFlags = .any) throws(BPFError) {
        guard type.isPerCPU else { throw .invalidArgument("map '\(name)' (\(type)) is not per-CPU") }
        try checkValueType(V.self, size: valueSize)
        let cpus = try PossibleCPUs.count()
        guard values.count == cpus else {
            throw .invalidArgument("map '\(name)' is per-CPU: need \(cpus) values (one per possible CPU), got \(values.count)")
        }
        let stride = perCPUStride
        var buffer = [UInt8](repeating: 0, count: stride * cpus)
        buffer.withUnsafeMutableBytes { b in
            for (i, value) in values.enumerated() {
                withUnsafeBytes(of: value) { src in
                    UnsafeMutableRawBufferPointer(rebasing: b[(i * stride)..<(i * stride + min(src.count, stride))])
                        .copyMemory(from: UnsafeRawBufferPointer(rebasing: src.prefix(stride)))
                }
            }
        }
        try withPaddedBytes(of: key, size: keySize, what: "key") { (k) throws(BPFError) in
            try BPFCommands.withBytes(buffer) { (v) throws(BPFError) in try update(rawKey: k, rawValue: v, flags: flags) }
        }
    }

    /// Splits a raw per-CPU value into one slot per CPU (each `valueSize` bytes).
    public func splitPerCPU(_ value: [UInt8]) -> [[UInt8]] {
        let step = perCPUStride
        guard step > 0 else { return [] }
        return Swift.stride(from: 0, to: value.count - value.count % step, by: step).map { Array(value[$0..<$0 + valueSize]) }
    }
}
