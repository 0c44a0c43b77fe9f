import CBPF

/// Where a walk over a map with `BPF_MAP_LOOKUP_BATCH` (or `BPF_MAP_LOOKUP_AND_DELETE_BATCH`)
/// stands: the kernel's opaque position token (`in_batch`/`out_batch`: a bucket index for hash
/// maps, a key for arrays) and whether the kernel has said there is nothing after it (ENOENT).
/// Start with `MapBatchCursor()`; pass the same cursor to every call of one walk.
public struct MapBatchCursor: Sendable {
    /// The token of the last call, `max(keySize, 8)` bytes; empty before the first call.
    var token: [UInt8] = []
    var started = false
    /// The kernel returned ENOENT: the walk has seen every element.
    public internal(set) var isFinished = false

    /// A cursor at the start of the map.
    public init() {}
}

/// The batch commands (`BPF_MAP_*_BATCH`, Linux 5.6+): many elements per system call, read into
/// and written from contiguous buffers (keys packed at `keySize`, values at `valueBufferSize`),
/// as libbpf's `bpf_map_lookup_batch` does.
extension Map {
    // MARK: One call into caller buffers

    /// One `BPF_MAP_LOOKUP_BATCH` (or with `delete`, `BPF_MAP_LOOKUP_AND_DELETE_BATCH`) call:
    /// copies up to `min(keys.count / keySize, values.count / valueBufferSize)` elements into the
    /// caller's buffers, packed, and returns how many. No allocation besides the cursor's token.
    /// Loop until `cursor.isFinished`. Throws ENOSPC when one hash bucket holds more elements than
    /// fit (give bigger buffers and call again with the same cursor).
    public func lookupBatch(
        cursor: inout MapBatchCursor, keys: UnsafeMutableRawBufferPointer, values: UnsafeMutableRawBufferPointer,
        delete: Bool = false
    ) throws(BPFError) -> Int {
        let valueBytes = try valueBufferSize
        guard keySize > 0, valueBytes > 0 else {
            throw .invalidArgument("map '\(name)' (\(type)) has no keys or values to read in batches")
        }
        let capacity = min(keys.count / keySize, values.count / valueBytes)
        guard capacity > 0, let k = keys.baseAddress, let v = values.baseAddress else {
            throw .invalidArgument("lookupBatch of map '\(name)': buffers hold no element (\(keySize)-byte keys, \(valueBytes)-byte values)")
        }
        return try batchCall(delete ? BPF_MAP_LOOKUP_AND_DELETE_BATCH : BPF_MAP_LOOKUP_BATCH,
                             cursor: &cursor, keys: k, values: v, count: capacity)
    }

    /// One lookup batch call with the cursor's token; an ended cursor returns 0 without a call.
    func batchCall(
        _ cmd: bpf_cmd, cursor: inout MapBatchCursor, keys: UnsafeMutableRawPointer, values: UnsafeMutableRawPointer,
        count: Int
    ) throws(BPFError) -> Int {
        if cursor.isFinished { return 0 }
        if cursor.token.isEmpty { cursor.token = [UInt8](repeating: 0, count: max(keySize, 8)) }
        let started = cursor.started
        // in_batch and out_batch may be the same buffer: the kernel reads the one before it writes the other.
        let result: Result<MapBatchResult, BPFError> = cursor.token.withUnsafeMutableBytes { token in
            Result { () throws(BPFError) in
                try BPFCommands.mapBatch(
                    cmd, fd: fd, inBatch: started ? UnsafeRawPointer(token.baseAddress) : nil, outBatch: token.baseAddress,
                    keys: keys, values: values, count: count, name: name)
            }
        }
        let r = try result.get()
        cursor.started = true
        if r.reachedEnd { cursor.isFinished = true }
        return min(r.count, count)
    }

    // MARK: Whole-map reads

    /// Every element, read with `BPF_MAP_LOOKUP_BATCH` straight into two contiguous byte arrays:
    /// `count` keys of `keySize` bytes and `count` values of `valueBufferSize` bytes. Up to
    /// `chunkSize` elements per call; a hash bucket larger than that (ENOSPC) doubles the request.
    /// The arrays start at `min(maxEntries, chunkSize)` elements and double when full.
    func batchReadPacked(_ cmd: bpf_cmd, chunkSize: Int) throws(BPFError) -> (keys: [UInt8], values: [UInt8], count: Int) {
        guard chunkSize > 0 else { throw .invalidArgument("batch chunk size must be positive") }
        let valueBytes = try valueBufferSize
        guard keySize > 0, valueBytes > 0 else {
            throw .invalidArgument("map '\(name)' (\(type)) has no keys or values to read in batches")
        }
        var capacity = max(1, min(maxEntries, max(chunkSize, 1)))
        var keys = [UInt8](repeating: 0, count: capacity * keySize)
        var values = [UInt8](repeating: 0, count: capacity * valueBytes)
        var cursor = MapBatchCursor()
        var count = 0
        var request = chunkSize
        while !cursor.isFinished {
            if count == capacity {
                capacity *= 2
                keys.append(contentsOf: repeatElement(0, count: (capacity - count) * keySize))
                values.append(contentsOf: repeatElement(0, count: (capacity - count) * valueBytes))
            }
            let n = min(request, capacity - count)
            let offset = count
            let got: Result<Int, BPFError> = keys.withUnsafeMutableBytes { k in
                values.withUnsafeMutableBytes { v in
                    Result { () throws(BPFError) in
                        try batchCall(cmd, cursor: &cursor, keys: k.baseAddress! + offset * keySize,
                                      values: v.baseAddress! + offset * valueBytes, count: n)
                    }
                }
            }
            switch got {
            case let .success(done):
                count += done
                if done == 0 && !cursor.isFinished { cursor.isFinished = true }  // never spin
            case let .failure(error):
                // A bucket with more elements than requested: ask for more (and make room).
                guard BPFCommands.isErrno(error, .ENOSPC), request < (1 << 24) else { throw error }
                if n < request { capacity *= 2 } else { request *= 2 }
                if count < capacity, keys.count < capacity * keySize {
                    keys.append(contentsOf: repeatElement(0, count: capacity * keySize - keys.count))
                    values.append(contentsOf: repeatElement(0, count: capacity * valueBytes - values.count))
                }
            }
        }
        return (keys, values, count)
    }

    /// All elements with `BPF_MAP_LOOKUP_BATCH`, `chunkSize` per call. The last call ends with
    /// ENOENT, which means "no more elements" (its count is still valid). If a hash bucket holds
    /// more elements than the chunk (ENOSPC), the chunk is doubled and the call repeated.
    /// One array per key and value: for many elements prefer `lookupBatch(keyType:valueType:)`.
    public func lookupBatch(chunkSize: Int = 256) throws(BPFError) -> [(key: [UInt8], value: [UInt8])] {
        try splitPacked(batchReadPacked(BPF_MAP_LOOKUP_BATCH, chunkSize: chunkSize))
    }

    /// Removes and returns all elements with `BPF_MAP_LOOKUP_AND_DELETE_BATCH` (hash maps).
    public func lookupAndDeleteBatch(chunkSize: Int = 256) throws(BPFError) -> [(key: [UInt8], value: [UInt8])] {
        try splitPacked(batchReadPacked(BPF_MAP_LOOKUP_AND_DELETE_BATCH, chunkSize: chunkSize))
    }

    func splitPacked(_ packed: (keys: [UInt8], values: [UInt8], count: Int)) throws(BPFError) -> [(key: [UInt8], value: [UInt8])] {
        let valueBytes = try valueBufferSize
        var out: [(key: [UInt8], value: [UInt8])] = []
        out.reserveCapacity(packed.count)
        for i in 0..<packed.count {
            out.append((Array(packed.keys[(i * keySize)..<((i + 1) * keySize)]),
                        Array(packed.values[(i * valueBytes)..<((i + 1) * valueBytes)])))
        }
        return out
    }

    /// Every element as two arrays, `keys[i]` → `values[i]`, read with `BPF_MAP_LOOKUP_BATCH`
    /// (`chunkSize` elements per call). `K` and `V` must be laid out exactly as the map's keys and
    /// values (`MemoryLayout.stride` equal to the key and value size). Not for per-CPU maps.
    /// Specialised in the caller (inlinable): no per-element allocation or generic dispatch.
    ///
    /// The kernel writes straight into the two result arrays, sized for `maxEntries` elements
    /// (pages it does not write stay untouched) when that is at most `directBatchBytes`; bigger
    /// maps, or a walk that returns more than `maxEntries` (elements moved while it ran), are read
    /// into growing byte buffers and copied once.
    @inlinable
    public func lookupBatch<K: BitwiseCopyable, V: BitwiseCopyable>(
        keyType: K.Type, valueType: V.Type, chunkSize: Int = 4096
    ) throws(BPFError) -> (keys: [K], values: [V]) {
        try checkPackedTypes(keyStride: MemoryLayout<K>.stride, valueStride: MemoryLayout<V>.stride,
                             keyType: "\(K.self)", valueType: "\(V.self)")
        let capacity = maxEntries
        if capacity > 0, capacity * (keySize + valueSize) <= Map.directBatchBytes {
            var outcome: Result<Int?, BPFError> = .success(nil)
            var values: [V] = []
            let keys = [K](unsafeUninitializedCapacity: capacity) { keyBuffer, keyCount in
                values = [V](unsafeUninitializedCapacity: capacity) { valueBuffer, valueCount in
                    outcome = Result { () throws(BPFError) in
                        try batchLookupDirect(keys: UnsafeMutableRawPointer(keyBuffer.baseAddress!),
                                              values: UnsafeMutableRawPointer(valueBuffer.baseAddress!),
                                              capacity: capacity, chunkSize: chunkSize)
                    }
                    valueCount = (try? outcome.get()).flatMap { $0 } ?? 0
                }
                keyCount = values.count
            }
            if let count = try outcome.get() {
                precondition(keys.count == count && values.count == count)
                return (keys, values)
            }
        }
        let packed = try batchLookupPacked(chunkSize: chunkSize)
        return (Map.unpack(packed.keys, count: packed.count, as: K.self),
                Map.unpack(packed.values, count: packed.count, as: V.self))
    }

    /// The largest result (keys and values, bytes) `lookupBatch(keyType:valueType:)` allocates up
    /// front: 64 MiB of address space, of which only what the kernel writes becomes resident.
    @usableFromInline static let directBatchBytes = 64 << 20

    /// A whole-map `BPF_MAP_LOOKUP_BATCH` walk into `capacity` packed elements at `keys` and
    /// `values`. Returns the count, or nil if the elements did not fit (the caller starts over
    /// with growing buffers).
    @usableFromInline
    func batchLookupDirect(keys: UnsafeMutableRawPointer, values: UnsafeMutableRawPointer, capacity: Int,
                           chunkSize: Int) throws(BPFError) -> Int? {
        guard chunkSize > 0 else { throw .invalidArgument("batch chunk size must be positive") }
        var cursor = MapBatchCursor()
        var count = 0
        var request = chunkSize
        while !cursor.isFinished {
            let n = min(request, capacity - count)
            if n == 0 { return nil }
            do {
                let done = try batchCall(BPF_MAP_LOOKUP_BATCH, cursor: &cursor, keys: keys + count * keySize,
                                         values: values + count * valueSize, count: n)
                count += done
                if done == 0 && !cursor.isFinished { cursor.isFinished = true }  // never spin
            } catch {
                // A bucket with more elements than requested: ask for more, if they can fit.
                guard BPFCommands.isErrno(error, .ENOSPC), request < (1 << 24) else { throw error }
                if n < request { return nil }
                request *= 2
            }
        }
        return count
    }

    /// `batchReadPacked` of `BPF_MAP_LOOKUP_BATCH` (for inlined callers, which do not see CBPF).
    @usableFromInline
    func batchLookupPacked(chunkSize: Int) throws(BPFError) -> (keys: [UInt8], values: [UInt8], count: Int) {
        try batchReadPacked(BPF_MAP_LOOKUP_BATCH, chunkSize: chunkSize)
    }

    /// Copies `count` packed elements of `T` out of `bytes`.
    @inlinable
    static func unpack<T: BitwiseCopyable>(_ bytes: [UInt8], count: Int, as: T.Type) -> [T] {
        [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            bytes.withUnsafeBytes { src in
                if count > 0 {
                    UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: src.baseAddress!, byteCount: count * MemoryLayout<T>.stride)
                }
            }
            initialized = count
        }
    }

    /// Checks that arrays of the key and value types match the map's packed layout.
    @usableFromInline
    func checkPackedTypes(keyStride: Int, valueStride: Int, keyType: @autoclosure () -> String, valueType: @autoclosure () -> String) throws(BPFError) {
        guard !hasPerCPUValues else {
            throw .invalidArgument("map '\(name)' is per-CPU (\(type)); read it with lookupBatch(chunkSize:) and splitPerCPU")
        }
        guard keyStride == keySize else {
            throw .invalidArgument("map '\(name)' has \(keySize)-byte keys, but \(keyType()) takes \(keyStride) bytes in an array")
        }
        guard valueStride == valueSize else {
            throw .invalidArgument("map '\(name)' has \(valueSize)-byte values, but \(valueType()) takes \(valueStride) bytes in an array")
        }
    }

    // MARK: Writes

    /// `BPF_MAP_UPDATE_BATCH`: writes `keys[i]` → `values[i]`. Returns the number written.
    @discardableResult
    public func updateBatch(keys: [[UInt8]], values: [[UInt8]], flags: MapUpdateFlags = .any) throws(BPFError) -> Int {
        guard keys.count == values.count else {
            throw .invalidArgument("updateBatch of map '\(name)': \(keys.count) keys but \(values.count) values")
        }
        guard !keys.isEmpty else { return 0 }
        for k in keys { try checkKey(k.count) }
        for v in values { try checkValue(v.count) }
        let flatKeys = keys.flatMap { $0 }
        let flatValues = values.flatMap { $0 }
        return try BPFCommands.withBytes(flatKeys) { (k) throws(BPFError) in
            try BPFCommands.withBytes(flatValues) { (v) throws(BPFError) in
                try updateBatchPacked(keys: k.baseAddress!, values: v.baseAddress!, count: keys.count, flags: flags)
            }
        }
    }

    /// `BPF_MAP_UPDATE_BATCH` from arrays laid out as the map's keys and values (stride equal to
    /// the key and value size): one system call, no copies. Returns the number written.
    @inlinable
    @discardableResult
    public func updateBatch<K: BitwiseCopyable, V: BitwiseCopyable>(keys: [K], values: [V], flags: MapUpdateFlags = .any) throws(BPFError) -> Int {
        guard keys.count == values.count else {
            throw .invalidArgument("updateBatch of map '\(name)': \(keys.count) keys but \(values.count) values")
        }
        guard !keys.isEmpty else { return 0 }
        try checkPackedTypes(keyStride: MemoryLayout<K>.stride, valueStride: MemoryLayout<V>.stride,
                             keyType: "\(K.self)", valueType: "\(V.self)")
        let result: Result<Int, BPFError> = keys.withUnsafeBytes { k in
            values.withUnsafeBytes { v in
                Result { () throws(BPFError) in
                    try updateBatchPacked(keys: k.baseAddress!, values: v.baseAddress!, count: keys.count, flags: flags)
                }
            }
        }
        return try result.get()
    }

    @usableFromInline
    func updateBatchPacked(keys: UnsafeRawPointer, values: UnsafeRawPointer, count: Int, flags: MapUpdateFlags) throws(BPFError) -> Int {
        try BPFCommands.mapBatch(
            BPF_MAP_UPDATE_BATCH, fd: fd, inBatch: nil, outBatch: nil, keys: keys,
            values: values, count: count, elemFlags: flags.rawValue, name: name
        ).count
    }

    /// `BPF_MAP_DELETE_BATCH`: deletes `keys`. Throws ENOENT if one is absent (the elements before
    /// it are deleted). Returns the number deleted.
    @discardableResult
    public func deleteBatch(keys: [[UInt8]]) throws(BPFError) -> Int {
        guard !keys.isEmpty else { return 0 }
        for k in keys { try checkKey(k.count) }
        let flatKeys = keys.flatMap { $0 }
        return try BPFCommands.withBytes(flatKeys) { (k) throws(BPFError) in
            try deleteBatchPacked(keys: k.baseAddress!, count: keys.count)
        }
    }

    /// `BPF_MAP_DELETE_BATCH` of keys laid out as the map's (stride equal to the key size).
    @inlinable
    @discardableResult
    public func deleteBatch<K: BitwiseCopyable>(keys: [K]) throws(BPFError) -> Int {
        guard !keys.isEmpty else { return 0 }
        guard MemoryLayout<K>.stride == keySize else {
            throw .invalidArgument("map '\(name)' has \(keySize)-byte keys, but \(K.self) takes \(MemoryLayout<K>.stride) bytes in an array")
        }
        let result: Result<Int, BPFError> = keys.withUnsafeBytes { k in
            Result { () throws(BPFError) in try deleteBatchPacked(keys: k.baseAddress!, count: keys.count) }
        }
        return try result.get()
    }

    @usableFromInline
    func deleteBatchPacked(keys: UnsafeRawPointer, count: Int) throws(BPFError) -> Int {
        try BPFCommands.mapBatch(
            BPF_MAP_DELETE_BATCH, fd: fd, inBatch: nil, outBatch: nil, keys: keys,
            values: nil, count: count, name: name
        ).count
    }
}
