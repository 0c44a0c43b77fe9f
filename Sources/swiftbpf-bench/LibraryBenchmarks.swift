import BPF

/// Loading an object, consuming a ring buffer and batch map reads: each prints one JSON line
/// with the same fields as its libbpf peer in Benchmarks/library_peers.c.
enum LibraryBenchmarks {
    /// Opens, loads and closes `path` `iterations` times. The first load pays for parsing the
    /// kernel's BTF (CO-RE); later ones reuse it, as a long-running process would.
    static func load(path: String, iterations: Int) throws {
        var times: [Double] = []
        for _ in 0..<iterations {
            let t0 = Clock.now()
            let object = try BPFObject(path: path)
            times.append(Clock.now() - t0)
            withExtendedLifetime(object) {}
        }
        let rest = Array(times.dropFirst())
        print(Clock.json([("loader", "\"swiftbpf\""), ("bench", "\"load\""),
                          ("first_ms", Clock.fixed(times[0] * 1e3)), ("median_ms", Clock.fixed(Clock.median(rest.isEmpty ? times : rest) * 1e3))]))
    }

    /// Produces `count` records of `size` bytes in the kernel (BPF_PROG_TEST_RUN of a syscall
    /// program looping bpf_ringbuf_output), then times consuming them, `rounds` times.
    static func ringBuffer(path: String, size: UInt32, count: UInt32, rounds: Int) throws {
        var options = LoadOptions()
        options.set("size", to: size)
        let object = try BPFObject(path: path, options: options)
        let ring = try RingBuffer(map: object.map("records"))
        let program = try object.program("produce_records")
        var zeroCopy: [Double] = [], copying: [Double] = []
        var checksum: UInt64 = 0
        for round in 0..<(rounds * 2) {
            _ = try program.testRun(context: withUnsafeBytes(of: count) { Array($0) }, repeat: 0)
            let t0 = Clock.now()
            var n = 0
            if round % 2 == 0 {
                n = ring.consume { checksum &+= UInt64($0[0]) &+ UInt64($0.count) }
                zeroCopy.append(Clock.now() - t0)
            } else {
                n = ring.consume { record in
                    let copy = Array(record)
                    checksum &+= UInt64(copy[0]) &+ UInt64(copy.count)
                }
                copying.append(Clock.now() - t0)
            }
            guard n == Int(count) else { throw BPFError.invalidArgument("consumed \(n) of \(count) records (ring too small?)") }
        }
        print(Clock.json([("loader", "\"swiftbpf\""), ("bench", "\"ringbuf\""), ("size", "\(size)"),
                          ("records_per_s", Clock.fixed(Double(count) / Clock.median(zeroCopy), 0)),
                          ("records_per_s_copying", Clock.fixed(Double(count) / Clock.median(copying), 0)),
                          ("checksum", "\(checksum % 1000)")]))
    }

    /// A hash map of `entries` u32 → u64, read whole `rounds` times: with BPF_MAP_LOOKUP_BATCH
    /// into two typed arrays (the figure compared with libbpf), one call at a time into caller
    /// buffers (exactly the peer's loop), and into one array per entry (the byte API); then one
    /// typed BPF_MAP_LOOKUP_ELEM per key, through `Map.lookup(key:as:)` and through the typed layer's
    /// `HashMap<UInt32, UInt64>` (checked once).
    static func mapBatch(entries: Int, rounds: Int) throws {
        let map = try Map.create(MapCreateAttributes(name: "bench_batch", type: .hash, keySize: 4, valueSize: 8,
                                                     maxEntries: UInt32(entries)))
        for i in 0..<entries { try map.update(key: UInt32(i), value: UInt64(i) * 3) }
        let chunk = 4096
        let keyBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: entries * 4, alignment: 8)
        let valueBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: entries * 8, alignment: 8)
        defer { keyBuffer.deallocate(); valueBuffer.deallocate() }
        var typed: [Double] = [], buffered: [Double] = [], perEntry: [Double] = [], single: [Double] = []
        // The typed layer's map (checked once here), timed against `Map.lookup(key:as:)` each round.
        let typedMap = try HashMap<UInt32, UInt64>(map)
        var typedSingle: [Double] = []
        for _ in 0..<rounds {
            var t0 = Clock.now()
            let read = try map.lookupBatch(keyType: UInt32.self, valueType: UInt64.self, chunkSize: chunk)
            typed.append(Clock.now() - t0)
            precondition(read.keys.count == entries)

            t0 = Clock.now()
            var cursor = MapBatchCursor()
            var got = 0
            while !cursor.isFinished {
                let n = min(chunk, entries - got)
                got += try map.lookupBatch(
                    cursor: &cursor,
                    keys: UnsafeMutableRawBufferPointer(rebasing: keyBuffer[(got * 4)..<((got + n) * 4)]),
                    values: UnsafeMutableRawBufferPointer(rebasing: valueBuffer[(got * 8)..<((got + n) * 8)]))
                if got == entries && !cursor.isFinished {
                    // The buffers are full; the kernel has not said ENOENT yet: one empty-handed call would.
                    break
                }
            }
            buffered.append(Clock.now() - t0)
            precondition(got == entries)

            t0 = Clock.now()
            let all = try map.lookupBatch(chunkSize: chunk)
            perEntry.append(Clock.now() - t0)
            precondition(all.count == entries)

            t0 = Clock.now()
            var sum: UInt64 = 0
            for i in 0..<entries { sum &+= try map.lookup(key: UInt32(i), as: UInt64.self) ?? 0 }
            single.append(Clock.now() - t0)
            precondition(sum > 0)

            t0 = Clock.now()
            var typedSum: UInt64 = 0
            for i in 0..<entries { typedSum &+= try typedMap.lookup(key: UInt32(i)) ?? 0 }
            typedSingle.append(Clock.now() - t0)
            precondition(typedSum == sum)
        }
        func rate(_ xs: [Double]) -> String { Clock.fixed(Double(entries) / Clock.median(xs), 0) }
        print(Clock.json([("loader", "\"swiftbpf\""), ("bench", "\"map\""), ("entries", "\(entries)"),
                          ("batch_entries_per_s", rate(typed)), ("batch_buffer_entries_per_s", rate(buffered)),
                          ("batch_bytes_entries_per_s", rate(perEntry)), ("lookup_per_s", rate(single)),
                          ("typed_map_lookup_per_s", rate(typedSingle))]))
    }
}
