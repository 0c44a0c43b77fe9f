import BPF
import Testing

extension RuntimeTests {
@Suite("maps")
struct RuntimeMapTests {
    @Test func hashMapRawAndTypedOperations() throws {
        let map = try makeMap("rt_hash", .hash, key: 4, value: 8, max: 16)
        #expect(map.type == .hash)
        #expect(map.keySize == 4 && map.valueSize == 8 && map.maxEntries == 16)
        #expect(map.id > 0)
        let info = try map.info()
        #expect(info.name == "rt_hash")
        #expect(info.type == .hash)

        try map.update(key: UInt32(1), value: UInt64(100))
        try map.update(key: bytes(UInt32(2)), value: bytes(UInt64(200)))
        #expect(try map.lookup(key: UInt32(1), as: UInt64.self) == 100)
        #expect(try map.lookup(key: bytes(UInt32(2))) == bytes(UInt64(200)))
        #expect(try map.lookup(key: UInt32(3), as: UInt64.self) == nil)

        // BPF_NOEXIST on a present key: EEXIST. BPF_EXIST on an absent key: ENOENT.
        #expect { try map.update(key: UInt32(1), value: UInt64(1), flags: .noExist) } throws: { isErrno($0, .EEXIST) }
        #expect { try map.update(key: UInt32(9), value: UInt64(1), flags: .exist) } throws: { isErrno($0, .init(rawValue: 2)) }

        // Wrong typed sizes give a clear error, not a crash.
        #expect(throws: BPFError.self) { try map.lookup(key: UInt64(1), as: UInt64.self) }
        #expect(throws: BPFError.self) { try map.update(key: UInt32(1), value: UInt32(1)) }
        #expect(throws: BPFError.self) { try map.update(key: [1, 2], value: bytes(UInt64(1))) }

        let keys = Set(map.keys.map { $0.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) } })
        #expect(keys == [1, 2])
        let entries = try map.allEntries()
        #expect(entries.count == 2)
        #expect(Array(map.entries).count == 2)

        #expect(try map.allKeys(as: UInt32.self).sorted() == [1, 2])
        let typed = try map.allEntries(keyType: UInt32.self, valueType: UInt64.self).sorted { $0.key < $1.key }
        #expect(typed.map(\.key) == [1, 2] && typed.map(\.value) == [100, 200])
        #expect(throws: BPFError.self) { try map.allEntries(keyType: UInt64.self, valueType: UInt64.self) }
        #expect(try map.lookupAndDelete(key: bytes(UInt32(1))) == bytes(UInt64(100)))
        #expect(try map.delete(key: UInt32(2)))
        #expect(try !map.delete(key: UInt32(2)))
        #expect(try map.nextKey(after: nil) == nil)
    }

    @Test func arrayMapAndBatchOperations() throws {
        let array = try makeMap("rt_array", .array, key: 4, value: 8, max: 8)
        for i in 0..<8 { try array.update(key: UInt32(i), value: UInt64(i * 10)) }
        let all = try array.lookupBatch(chunkSize: 3)
        #expect(all.count == 8)
        #expect(all.map { $0.value } == (0..<8).map { bytes(UInt64($0 * 10)) })
        // Arrays cannot delete.
        #expect(throws: BPFError.self) { try array.delete(key: UInt32(0)) }

        let hash = try makeMap("rt_batch", .hash, key: 4, value: 4, max: 128)
        let keys = (0..<100).map { bytes(UInt32($0)) }
        let values = (0..<100).map { bytes(UInt32($0 * 3)) }
        #expect(try hash.updateBatch(keys: keys, values: values) == 100)
        let read = try hash.lookupBatch(chunkSize: 7)
        #expect(read.count == 100)
        for (k, v) in read {
            let key = k.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
            #expect(v == bytes(key * 3))
        }
        #expect(try hash.deleteBatch(keys: Array(keys[0..<10])) == 10)
        let drained = try hash.lookupAndDeleteBatch(chunkSize: 16)
        #expect(drained.count == 90)
        #expect(try hash.allKeys().isEmpty)
        // Deleting absent keys in a batch: ENOENT.
        #expect { try hash.deleteBatch(keys: [bytes(UInt32(5))]) } throws: { isErrno($0, .init(rawValue: 2)) }
        // An empty map's batch lookup is empty (ENOENT at once).
        #expect(try hash.lookupBatch().isEmpty)
    }

    @Test func contiguousBatchOperations() throws {
        let hash = try makeMap("rt_batch_typed", .hash, key: 4, value: 8, max: 4096)
        let keys = (0..<3000).map { UInt32($0 * 7) }
        let values = keys.map { UInt64($0) << 20 | 5 }
        #expect(try hash.updateBatch(keys: keys, values: values) == 3000)

        // The whole map into two typed arrays; a small chunk makes many calls.
        let read = try hash.lookupBatch(keyType: UInt32.self, valueType: UInt64.self, chunkSize: 64)
        #expect(read.keys.count == 3000 && read.values.count == 3000)
        #expect(Set(read.keys) == Set(keys))
        #expect(zip(read.keys, read.values).allSatisfy { $0.1 == UInt64($0.0) << 20 | 5 })

        // A map too big to size the arrays for up front (8 Mi entries of 12 bytes, allocated by
        // the kernel only as they are inserted) is read into growing buffers: the same result.
        let big = try makeMap("rt_batch_big", .hash, key: 4, value: 8, max: 8 << 20, flags: .noPrealloc)
        #expect(try big.updateBatch(keys: keys, values: values) == 3000)
        let grown = try big.lookupBatch(keyType: UInt32.self, valueType: UInt64.self, chunkSize: 64)
        #expect(grown.keys.count == 3000 && Set(grown.keys) == Set(keys))
        #expect(zip(grown.keys, grown.values).allSatisfy { $0.1 == UInt64($0.0) << 20 | 5 })

        // One call at a time into caller buffers, until the cursor ends: every element once.
        var cursor = MapBatchCursor()
        var seen: [UInt32: UInt64] = [:]
        var calls = 0
        let keyBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 4, alignment: 8)
        let valueBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 8, alignment: 8)
        defer { keyBuffer.deallocate(); valueBuffer.deallocate() }
        while !cursor.isFinished {
            let n = try hash.lookupBatch(cursor: &cursor, keys: keyBuffer, values: valueBuffer)
            for i in 0..<n {
                seen[keyBuffer.load(fromByteOffset: i * 4, as: UInt32.self)] = valueBuffer.load(fromByteOffset: i * 8, as: UInt64.self)
            }
            calls += 1
            #expect(calls < 1000)
        }
        #expect(seen.count == 3000 && calls > 1)
        #expect(seen[7 * 2999] == UInt64(7 * 2999) << 20 | 5)
        // A finished cursor makes no more calls.
        #expect(try hash.lookupBatch(cursor: &cursor, keys: keyBuffer, values: valueBuffer) == 0)

        // Typed single-element fast path: hit, miss (nil, no error), update and delete.
        #expect(try hash.lookup(key: UInt32(14), as: UInt64.self) == UInt64(14) << 20 | 5)
        #expect(try hash.lookup(key: UInt32(15), as: UInt64.self) == nil)
        try hash.update(key: UInt32(15), value: UInt64(9), flags: .noExist)
        #expect { try hash.update(key: UInt32(15), value: UInt64(9), flags: .noExist) } throws: { isErrno($0, .EEXIST) }
        #expect(try hash.delete(key: UInt32(15)))
        #expect(try !hash.delete(key: UInt32(15)))

        // Typed batch deletes; an array type whose stride is not the key size is refused.
        #expect(try hash.deleteBatch(keys: Array(keys[0..<1000])) == 1000)
        #expect(try hash.lookupBatch(keyType: UInt32.self, valueType: UInt64.self).keys.count == 2000)
        #expect(throws: BPFError.self) { try hash.lookupBatch(keyType: UInt64.self, valueType: UInt64.self) }
        #expect(throws: BPFError.self) { try hash.deleteBatch(keys: [UInt16(1)]) }
        #expect(throws: BPFError.self) { try hash.updateBatch(keys: [UInt32(1)], values: [UInt32(1)]) }

        // Per-CPU maps have no typed contiguous form (their values are one slot per CPU).
        let perCPU = try makeMap("rt_batch_pcpu", .perCPUHash, key: 4, value: 8, max: 4)
        #expect(throws: BPFError.self) { try perCPU.lookupBatch(keyType: UInt32.self, valueType: UInt64.self) }
    }

    @Test func perCPUMaps() throws {
        let cpus = try PossibleCPUs.count()
        #expect(cpus >= 1)
        let array = try makeMap("rt_pcpu_arr", .perCPUArray, key: 4, value: 4, max: 2)
        #expect(try array.valueBufferSize == 8 * cpus)
        let values = (0..<cpus).map { UInt32($0 + 7) }
        try array.updatePerCPU(key: UInt32(1), values: values)
        #expect(try array.lookupPerCPU(key: UInt32(1), as: UInt32.self) == values)
        #expect(throws: BPFError.self) { try array.lookup(key: UInt32(1), as: UInt32.self) }
        #expect(throws: BPFError.self) { try array.updatePerCPU(key: UInt32(1), values: [UInt32(1)] + values) }

        let hash = try makeMap("rt_pcpu_hash", .perCPUHash, key: 8, value: 8, max: 4)
        try hash.updatePerCPU(key: UInt64(5), values: (0..<cpus).map { UInt64($0) << 32 })
        let raw = try #require(try hash.lookup(key: bytes(UInt64(5))))
        #expect(hash.splitPerCPU(raw) == (0..<cpus).map { bytes(UInt64($0) << 32) })
        let batch = try hash.lookupBatch()
        #expect(batch.count == 1 && batch[0].value.count == 8 * cpus)

        let lru = try makeMap("rt_lru_pcpu", .lruPerCPUHash, key: 4, value: 8, max: 8)
        try lru.updatePerCPU(key: UInt32(1), values: [UInt64](repeating: 3, count: cpus))
        #expect(try lru.lookupPerCPU(key: UInt32(1), as: UInt64.self)?.reduce(0, +) == UInt64(3 * cpus))
    }

    @Test func possibleCPUListParsing() throws {
        #expect(try PossibleCPUs.parse("0-3\n") == [0, 1, 2, 3])
        #expect(try PossibleCPUs.parse("0,2-3") == [0, 2, 3])
        #expect(try PossibleCPUs.parse("0") == [0])
        #expect(throws: BPFError.self) { try PossibleCPUs.parse("3-1") }
        #expect(throws: BPFError.self) { try PossibleCPUs.parse("x") }
        #expect(throws: BPFError.self) { try PossibleCPUs.parse("") }
    }

    @Test func lruHashEvicts() throws {
        let lru = try makeMap("rt_lru", .lruHash, key: 4, value: 4, max: 16)
        for i in 0..<200 { try lru.update(key: UInt32(i), value: UInt32(i)) }
        let count = try lru.allKeys().count
        #expect(count > 0 && count <= 16 + 8)  // the LRU keeps at most about max_entries
        #expect(try lru.lookup(key: UInt32(199), as: UInt32.self) == 199)
    }

    @Test func lpmTrieLongestPrefixMatch() throws {
        // Key: u32 prefix length + 4 bytes of IPv4 address. LPM tries need BPF_F_NO_PREALLOC.
        struct Key { var prefixLength: UInt32; var address: (UInt8, UInt8, UInt8, UInt8) }
        let trie = try makeMap("rt_lpm", .lpmTrie, key: 8, value: 4, max: 16, flags: .noPrealloc)
        try trie.update(key: Key(prefixLength: 8, address: (10, 0, 0, 0)), value: UInt32(8))
        try trie.update(key: Key(prefixLength: 24, address: (10, 1, 2, 0)), value: UInt32(24))
        #expect(try trie.lookup(key: Key(prefixLength: 32, address: (10, 1, 2, 3)), as: UInt32.self) == 24)
        #expect(try trie.lookup(key: Key(prefixLength: 32, address: (10, 9, 9, 9)), as: UInt32.self) == 8)
        #expect(try trie.lookup(key: Key(prefixLength: 32, address: (11, 0, 0, 1)), as: UInt32.self) == nil)
        #expect(try trie.allKeys().count == 2)
    }

    @Test func queueAndStack() throws {
        let queue = try makeMap("rt_queue", .queue, key: 0, value: 8, max: 4)
        for i in 1...4 { try queue.push(UInt64(i)) }
        #expect { try queue.push(UInt64(5)) } throws: { isErrno($0, .E2BIG) }
        try queue.push(UInt64(5), flags: .exist)  // overwrite the oldest
        #expect(try queue.peek(as: UInt64.self) == 2)
        #expect(try queue.pop(as: UInt64.self) == 2)
        #expect(try queue.pop(as: UInt64.self) == 3)

        let stack = try makeMap("rt_stack", .stack, key: 0, value: 4, max: 4)
        try stack.push(UInt32(1))
        try stack.push(UInt32(2))
        #expect(try stack.peek(as: UInt32.self) == 2)
        #expect(try stack.pop(as: UInt32.self) == 2)
        #expect(try stack.pop(as: UInt32.self) == 1)
        #expect(try stack.pop() == nil)
        #expect(throws: BPFError.self) { try makeMap("rt_h", .hash, key: 4, value: 4, max: 1).pop() }
    }

    @Test func mapsOfMaps() throws {
        let template = try makeMap("rt_inner_t", .array, key: 4, value: 4, max: 1)
        let outer = try makeMap("rt_outer", .arrayOfMaps, key: 4, value: 4, max: 2, inner: template.fd)
        let inner = try makeMap("rt_inner", .array, key: 4, value: 4, max: 1)
        try inner.update(key: UInt32(0), value: UInt32(42))
        try outer.update(key: UInt32(1), innerMap: inner)
        let id = try #require(try outer.innerMapID(key: UInt32(1)))
        #expect(id == inner.id)
        let reopened = try Map.open(id: id)
        #expect(try reopened.lookup(key: UInt32(0), as: UInt32.self) == 42)
        #expect(try outer.innerMapID(key: UInt32(0)) == nil)

        let hashOuter = try makeMap("rt_houter", .hashOfMaps, key: 8, value: 4, max: 2, inner: template.fd)
        try hashOuter.update(key: UInt64(77), innerMap: inner)
        #expect(try hashOuter.innerMapID(key: UInt64(77)) == inner.id)
    }

    @Test func otherMapTypesCreate() throws {
        let ring = try makeMap("rt_ring", .ringBuf, key: 0, value: 0, max: 4096 * 4)
        #expect(ring.type == .ringBuf && ring.maxEntries == 16384)
        // Element operations on a map without keys or values: clear errors, no crash.
        #expect(throws: BPFError.self) { try ring.lookup(key: []) }
        #expect(throws: BPFError.self) { try ring.delete(key: []) }
        #expect(throws: BPFError.self) { try ring.nextKey(after: nil) }
        #expect(throws: BPFError.self) { try ring.update(key: [], value: []) }
        #expect(throws: BPFError.self) { try ring.lookupBatch() }
        let queue = try makeMap("rt_q_nokey", .queue, key: 0, value: 4, max: 1)
        #expect(throws: BPFError.self) { try queue.delete(key: []) }
        let perf = try makeMap("rt_perf", .perfEventArray, key: 4, value: 4, max: UInt32(try PossibleCPUs.count()))
        #expect(perf.type == .perfEventArray)
        let progs = try makeMap("rt_progs", .progArray, key: 4, value: 4, max: 4)
        #expect(progs.type == .progArray)
        #expect(try progs.lookup(key: bytes(UInt32(0))) == nil)
        let stacks = try makeMap("rt_stacks", .stackTrace, key: 4, value: 8 * 127, max: 16)
        #expect(stacks.type == .stackTrace)
        #expect(try stacks.allKeys().isEmpty)
        // Bad attributes: a clear syscall error naming the map.
        #expect {
            try makeMap("rt_bad", .hash, key: 0, value: 4, max: 1)
        } throws: { error in
            guard let e = error as? BPFError, case let .syscall(op, errno) = e else { return false }
            return op == "BPF_MAP_CREATE(rt_bad)" && errno == .EINVAL
        }
    }

    @Test func freezeMakesUserWritesFail() throws {
        let map = try makeMap("rt_frozen", .array, key: 4, value: 4, max: 1)
        try map.update(key: UInt32(0), value: UInt32(9))
        try map.freeze()
        #expect { try map.update(key: UInt32(0), value: UInt32(1)) } throws: { isErrno($0, .EPERM) }
        #expect(try map.lookup(key: UInt32(0), as: UInt32.self) == 9)
    }

    @Test func mmapableArrayReflectsUpdates() throws {
        let map = try makeMap("rt_mmap", .array, key: 4, value: 4, max: 16, flags: .mmapable)
        let region = try map.mapMemory()
        try map.update(key: UInt32(3), value: UInt32(0xabcd))
        // Element stride is round_up(4, 8) = 8.
        #expect(try region.load(fromByteOffset: 3 * 8, as: UInt32.self) == 0xabcd)
        try region.store(UInt32(77), toByteOffset: 5 * 8)
        #expect(try map.lookup(key: UInt32(5), as: UInt32.self) == 77)
        #expect(throws: BPFError.self) { try region.load(fromByteOffset: region.length, as: UInt32.self) }
        let plain = try makeMap("rt_nommap", .array, key: 4, value: 4, max: 1)
        #expect(throws: BPFError.self) { try plain.mapMemory() }
    }

    @Test func pinAndOpenPinnedMap() throws {
        let dir = RuntimeTestEnvironment.uniquePinDirectory("map")
        try Syscalls.mkdir(dir)
        defer { try? Syscalls.rmdir(dir) }
        let map = try makeMap("rt_pinned", .hash, key: 4, value: 4, max: 4)
        try map.update(key: UInt32(1), value: UInt32(11))
        let path = dir + "/rt_pinned"
        try map.pin(path)
        defer { try? Map.unpin(path) }
        let again = try Map.open(pinned: path)
        #expect(again.id == map.id)
        #expect(again.name == "rt_pinned")
        #expect(try again.lookup(key: UInt32(1), as: UInt32.self) == 11)
        // A map's pin opened as another kind is refused by name, not read as nonsense.
        var refusal = "not refused"
        do { _ = try Program.open(pinned: path) } catch { refusal = "\(error)" }
        #expect(refusal.contains("is a pinned map, not a program"), "\(refusal)")
        #expect(throws: BPFError.self) { try Link.open(pinned: path) }
        try Map.unpin(path)
        #expect(!Syscalls.exists(path))
        #expect(throws: BPFError.self) { try Map.open(pinned: path) }
    }
}
}
