import BPF
import Testing

extension RuntimeTests {
@Suite("ring buffer")
struct RuntimeRingBufferTests {
    struct Record: Equatable { var magic: UInt64; var seq: UInt64 }

    static func decode(_ bytes: UnsafeRawBufferPointer) -> Record? {
        guard bytes.count == 16 else { return nil }
        return Record(magic: bytes.loadUnaligned(as: UInt64.self), seq: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
    }

    @Test func callbackAndAsyncSequenceReadExactRecords() async throws {
        let ring = try makeMap("rt_ring", .ringBuf, key: 0, value: 0, max: 4096 * 4)
        let counter = try makeMap("rt_ring_seq", .array, key: 4, value: 8, max: 1)
        let me = currentPidTgid()
        let program = try TestPrograms.load("rt_ring_writer", .tracepoint, TestPrograms.ringbufWriter(ring: ring, counter: counter, pidTgid: me))
        let link = try program.attachTracepoint(category: "syscalls", name: "sys_enter_getpid")
        let reader = try RingBuffer(map: ring)

        // Nothing yet: a poll times out with no records.
        #expect(try reader.poll(timeoutMilliseconds: 10) { _ in } == 0)

        callGetpid(20)
        var got: [Record] = []
        let n = reader.consume { got.append(Self.decode($0) ?? Record(magic: 0, seq: 0)) }
        #expect(n == 20)
        #expect(got == (1...20).map { Record(magic: TestPrograms.recordMagic, seq: UInt64($0)) })
        #expect(reader.recordCount == 20)
        #expect(reader.pendingBytes == 0)

        // Typed consumption decodes each record as a Swift struct.
        callGetpid(2)
        var typed: [Record] = []
        let result = reader.consume(as: Record.self) { typed.append($0) }
        #expect(result.delivered == 2 && result.skipped == 0)
        #expect(typed.map(\.seq) == [21, 22])
        #expect(reader.consume(as: (Record, Record).self) { _ in }.delivered == 0)

        // poll wakes up on data.
        callGetpid(3)
        var polled: [Record] = []
        #expect(try reader.poll(timeoutMilliseconds: 1000) { polled.append(Self.decode($0)!) } == 3)
        #expect(polled.map(\.seq) == [23, 24, 25])

        // The async form: records written on this thread come back in order.
        callGetpid(10)
        var asyncRecords: [Record] = []
        for try await bytes in reader.records() {
            let record = bytes.withUnsafeBytes { Self.decode($0) }
            asyncRecords.append(try #require(record))
            if asyncRecords.count == 10 { break }
        }
        #expect(asyncRecords == (26...35).map { Record(magic: TestPrograms.recordMagic, seq: UInt64($0)) })
        #expect(reader.recordCount == 35)
        try link.detach()
    }

    @Test func discardedRecordsAreSkipped() throws {
        let ring = try makeMap("rt_ring_disc", .ringBuf, key: 0, value: 0, max: 4096)
        let counter = try makeMap("rt_ring_dseq", .array, key: 4, value: 8, max: 1)
        let program = try TestPrograms.load(
            "rt_ring_reserve", .tracepoint, TestPrograms.ringbufReserver(ring: ring, counter: counter, pidTgid: currentPidTgid()))
        let link = try program.attachTracepoint(category: "syscalls", name: "sys_enter_getpid")
        defer { link.close() }
        let reader = try RingBuffer(map: ring)
        // 600 records of 24 bytes (header + 16) go round the 4 KiB ring three and a half times:
        // consume as we go. The data area is mapped once, so the records that cross its end are
        // read through the reader's copy: a body split in two (header at 4080), a body that
        // starts at offset 0 (header at 4088) and one that ends exactly at the end (at 4072).
        var seqs: [UInt64] = []
        for _ in 0..<60 {
            callGetpid(10)
            reader.consume { seqs.append(Self.decode($0)?.seq ?? 0) }
        }
        #expect(seqs == stride(from: 1, through: 599, by: 2).map { UInt64($0) })
        #expect(reader.recordCount == 300)
        #expect(reader.pendingBytes == 0)
    }

    @Test func asyncSequenceEndsOnCancelAndClose() async throws {
        let ring = try makeMap("rt_ring_idle", .ringBuf, key: 0, value: 0, max: 4096)
        let reader = try RingBuffer(map: ring)
        let task = Task {
            var count = 0
            for try await _ in reader.records(pollIntervalMilliseconds: 50) { count += 1 }
            return count
        }
        try await Task.sleep(for: .milliseconds(50))
        task.cancel()
        #expect(try await task.value == 0)

        let closing = Task {
            var count = 0
            for try await _ in reader.records() { count += 1 }
            return count
        }
        try await Task.sleep(for: .milliseconds(50))
        reader.close()
        #expect(try await closing.value == 0)
        #expect(reader.isClosed)
        #expect(try reader.wait(timeoutMilliseconds: 1000) == false)
    }

    @Test func rejectsOtherMapTypes() throws {
        let map = try makeMap("rt_not_ring", .array, key: 4, value: 4, max: 1)
        #expect(throws: BPFError.self) { try RingBuffer(map: map) }
    }
}
}
