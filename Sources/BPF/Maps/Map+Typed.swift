import CBPF

/// Typed access for plain Swift value types (`BitwiseCopyable`: integers, tuples, structs of
/// them). The type's `MemoryLayout.size` (or `stride`, for structs whose C layout has trailing
/// padding) must equal the map's key or value size; bytes are copied as they are in memory.
extension Map {
    /// Runs `body` with `value`'s bytes padded with zeros to `size` bytes.
    @usableFromInline
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
    ///
    /// Inlined into the caller and specialised for `K` and `V`: when their sizes are exactly the
    /// map's key and value sizes, the key is passed from the stack and the value read into a
    /// stack slot, with one non-generic call and the system call in between (no allocation, no
    /// generic metadata at run time). Other layouts take the padding path.
    @inlinable
    public func lookup<K: BitwiseCopyable, V: BitwiseCopyable>(key: K, as: V.Type = V.self) throws(BPFError) -> V? {
        guard MemoryLayout<K>.size == keySize, MemoryLayout<V>.size == valueSize, keySize > 0, valueSize > 0,
              !hasPerCPUValues else {
            return try lookupPadded(key: key, as: V.self)
        }
        var status: Int32 = 0
        let value = withUnsafeTemporaryAllocation(of: V.self, capacity: 1) { slot -> V? in
            let v = UnsafeMutableRawPointer(slot.baseAddress!)
            status = withUnsafeBytes(of: key) { k in lookupElementErrno(key: k.baseAddress!, value: v) }
            return status == 0 ? v.load(as: V.self) : nil
        }
        if status == 0 || status == BPFErrno.ENOENT.rawValue { return value }
        throw elementError("BPF_MAP_LOOKUP_ELEM", status)
    }

    /// `BPF_MAP_UPDATE_ELEM` of a typed key and value (see `lookup(key:as:)` for the fast path).
    @inlinable
    public func update<K: BitwiseCopyable, V: BitwiseCopyable>(key: K, value: V, flags: MapUpdateFlags = .any) throws(BPFError) {
        guard MemoryLayout<K>.size == keySize, MemoryLayout<V>.size == valueSize, keySize > 0, valueSize > 0,
              !hasPerCPUValues else {
            return try updatePadded(key: key, value: value, flags: flags)
        }
        let status = withUnsafeBytes(of: key) { k in
            withUnsafeBytes(of: value) { v in updateElementErrno(key: k.baseAddress!, value: v.baseAddress!, flags: flags.rawValue) }
        }
        if status != 0 { throw elementError("BPF_MAP_UPDATE_ELEM", status) }
    }

    /// `BPF_MAP_DELETE_ELEM` of a typed key: true if it was there.
    @inlinable
    @discardableResult
    public func delete<K: BitwiseCopyable>(key: K) throws(BPFError) -> Bool {
        guard MemoryLayout<K>.size == keySize, keySize > 0 else {
            return try withPaddedBytes(of: key, size: keySize, what: "key") { (k) throws(BPFError) in try delete(rawKey: k) }
        }
        let status = withUnsafeBytes(of: key) { k in deleteElementErrno(key: k.baseAddress!) }
        if status == 0 { return true }
        if status == BPFErrno.ENOENT.rawValue { return false }
        throw elementError("BPF_MAP_DELETE_ELEM", status)
    }

    // MARK: The non-generic halves of the inlined fast paths

    /// Whether lookups return one value per possible CPU (`BPF_MAP_TYPE_PERCPU_HASH`,
    /// `_PERCPU_ARRAY`, `_LRU_PERCPU_HASH`, `_PERCPU_CGROUP_STORAGE`), without building a list.
    @usableFromInline
    var hasPerCPUValues: Bool {
        switch type.rawValue {
        case MapType.perCPUHash.rawValue, MapType.perCPUArray.rawValue, MapType.lruPerCPUHash.rawValue,
             MapType.perCPUCgroupStorage.rawValue:
            return true
        default:
            return false
        }
    }

    /// `BPF_MAP_LOOKUP_ELEM` of `keySize` bytes at `key` into `valueSize` bytes at `value`:
    /// 0 or the errno (ENOENT: absent). No error value is built.
    @usableFromInline
    func lookupElementErrno(key: UnsafeRawPointer, value: UnsafeMutableRawPointer) -> Int32 {
        BPFCommands.mapElemErrno(BPF_MAP_LOOKUP_ELEM, fd: fd, key: key, value: value, flags: 0)
    }

    /// `BPF_MAP_UPDATE_ELEM` of `keySize` bytes at `key` and `valueSize` bytes at `value`: 0 or the errno.
    @usableFromInline
    func updateElementErrno(key: UnsafeRawPointer, value: UnsafeRawPointer, flags: UInt64) -> Int32 {
        BPFCommands.mapElemErrno(BPF_MAP_UPDATE_ELEM, fd: fd, key: key, value: value, flags: flags)
    }

    /// `BPF_MAP_DELETE_ELEM` of `keySize` bytes at `key`: 0 or the errno (ENOENT: absent).
    @usableFromInline
    func deleteElementErrno(key: UnsafeRawPointer) -> Int32 {
        BPFCommands.mapElemErrno(BPF_MAP_DELETE_ELEM, fd: fd, key: key, value: nil, flags: 0)
    }

    /// The error of a failed element command, e.g. `BPF_MAP_UPDATE_ELEM(counts) failed: E2BIG`.
    @usableFromInline
    func elementError(_ operation: StaticString, _ errno: Int32) -> BPFError {
        .syscall(operation: "\(operation)(\(name))", errno: BPFErrno(rawValue: errno))
    }

    /// `lookup(key:as:)` for keys or values whose size differs from the map's (C structs with
    /// trailing padding: `stride` matches) and for the errors of mismatched types and per-CPU maps.
    @usableFromInline
    func lookupPadded<K: BitwiseCopyable, V: BitwiseCopyable>(key: K, as: V.Type) throws(BPFError) -> V? {
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

    /// `update(key:value:flags:)` for padded layouts and the errors of mismatched types and per-CPU maps.
    @usableFromInline
    func updatePadded<K: BitwiseCopyable, V: BitwiseCopyable>(key: K, value: V, flags: MapUpdateFlags) throws(BPFError) {
        guard !type.isPerCPU else {
            throw .invalidArgument("map '\(name)' is per-CPU (\(type)); use updatePerCPU(key:values:)")
        }
        try withPaddedBytes(of: key, size: keySize, what: "key") { (k) throws(BPFError) in
            try withPaddedBytes(of: value, size: valueSize, what: "value") { (v) throws(BPFError) in
                try update(rawKey: k, rawValue: v, flags: flags)
            }
        }
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
