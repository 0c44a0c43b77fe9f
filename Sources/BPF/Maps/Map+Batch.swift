import CBPF

/// The batch commands (`BPF_MAP_*_BATCH`, Linux 5.6+): many elements per system call.
extension Map {
    /// All elements with `BPF_MAP_LOOKUP_BATCH`, `chunkSize` per call. The last call ends with
    /// ENOENT, which means "no more elements" (its count is still valid). If a hash bucket holds
    /// more elements than the chunk (ENOSPC), the chunk is doubled and the call repeated.
    public func lookupBatch(chunkSize: Int = 256) throws(BPFError) -> [(key: [UInt8], value: [UInt8])] {
        try batchRead(BPF_MAP_LOOKUP_BATCH, chunkSize: chunkSize)
    }

    /// Removes and returns all elements with `BPF_MAP_LOOKUP_AND_DELETE_BATCH` (hash maps).
    public func lookupAndDeleteBatch(chunkSize: Int = 256) throws(BPFError) -> [(key: [UInt8], value: [UInt8])] {
        try batchRead(BPF_MAP_LOOKUP_AND_DELETE_BATCH, chunkSize: chunkSize)
    }

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
                try BPFCommands.mapBatch(
                    BPF_MAP_UPDATE_BATCH, fd: fd, inBatch: nil, outBatch: nil, keys: k.baseAddress,
                    values: v.baseAddress, count: keys.count, elemFlags: flags.rawValue, name: name
                ).count
            }
        }
    }

    /// `BPF_MAP_DELETE_BATCH`: deletes `keys`. Throws ENOENT if one is absent (the elements before
    /// it are deleted). Returns the number deleted.
    @discardableResult
    public func deleteBatch(keys: [[UInt8]]) throws(BPFError) -> Int {
        guard !keys.isEmpty else { return 0 }
        for k in keys { try checkKey(k.count) }
        let flatKeys = keys.flatMap { $0 }
        return try BPFCommands.withBytes(flatKeys) { (k) throws(BPFError) in
            try BPFCommands.mapBatch(
                BPF_MAP_DELETE_BATCH, fd: fd, inBatch: nil, outBatch: nil, keys: k.baseAddress,
                values: nil, count: keys.count, name: name
            ).count
        }
    }

    func batchRead(_ cmd: bpf_cmd, chunkSize: Int) throws(BPFError) -> [(key: [UInt8], value: [UInt8])] {
        guard chunkSize > 0 else { throw .invalidArgument("batch chunk size must be positive") }
        let valueBytes = try valueBufferSize
        // The batch token: a bucket index (u32) for hash maps, a key for arrays. Key-sized, at least 8.
        let tokenSize = max(keySize, 8)
        var inToken = [UInt8](repeating: 0, count: tokenSize)
        var outToken = [UInt8](repeating: 0, count: tokenSize)
        var first = true
        var chunk = chunkSize
        var out: [(key: [UInt8], value: [UInt8])] = []
        while true {
            var keys = [UInt8](repeating: 0, count: chunk * keySize)
            var values = [UInt8](repeating: 0, count: chunk * valueBytes)
            let isFirst = first
            let attempt: Result<MapBatchResult, BPFError> = inToken.withUnsafeBytes { inB in
                outToken.withUnsafeMutableBytes { outB in
                    keys.withUnsafeMutableBytes { kB in
                        values.withUnsafeMutableBytes { vB in
                            Result { () throws(BPFError) in
                                try BPFCommands.mapBatch(
                                    cmd, fd: fd, inBatch: isFirst ? nil : inB.baseAddress, outBatch: outB.baseAddress,
                                    keys: kB.baseAddress, values: vB.baseAddress, count: chunk, name: name)
                            }
                        }
                    }
                }
            }
            let result: MapBatchResult
            switch attempt {
            case let .success(r): result = r
            case let .failure(error):
                if BPFCommands.isErrno(error, .ENOSPC), chunk < (1 << 20) {
                    chunk *= 2
                    continue
                }
                throw error
            }
            let n = min(result.count, chunk)
            for i in 0..<n {
                out.append((Array(keys[(i * keySize)..<((i + 1) * keySize)]), Array(values[(i * valueBytes)..<((i + 1) * valueBytes)])))
            }
            if result.reachedEnd || n == 0 { break }
            swap(&inToken, &outToken)
            first = false
        }
        return out
    }
}
