import BPF
import Testing

extension RuntimeTests {
@Suite("perf buffer")
struct RuntimePerfBufferTests {
    static func seq(_ data: UnsafeRawBufferPointer) -> UInt64? {
        // The kernel pads raw samples so that size field + data is a multiple of 8: 24 bytes arrive as 28.
        guard data.count == 28, data.loadUnaligned(as: UInt64.self) == TestPrograms.recordMagic else { return nil }
        let seq = data.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        return data.loadUnaligned(fromByteOffset: 16, as: UInt64.self) == seq ? seq : nil
    }

    @Test func perfEventOutputRecordsComeBack() async throws {
        let cpus = try PossibleCPUs.count()
        let events = try makeMap("rt_perf_events", .perfEventArray, key: 4, value: 4, max: UInt32(cpus))
        let counter = try makeMap("rt_perf_seq", .array, key: 4, value: 8, max: 1)
        let program = try TestPrograms.load(
            "rt_perf_out", .tracepoint, TestPrograms.perfOutputWriter(events: events, counter: counter, pidTgid: currentPidTgid()))
        let link = try program.attachTracepoint(category: "syscalls", name: "sys_enter_getpid")
        defer { link.close() }
        // One page per CPU: 400 samples of 40 bytes (header, size, 24 bytes, padding) wrap it, and
        // records straddle the end of the ring (4096 is not a multiple of 40).
        let reader = try PerfBuffer(map: events, pagesPerCPU: 1)

        var seqs: [UInt64] = []
        for _ in 0..<40 {
            callGetpid(10)
            reader.consume { record in
                if case let .sample(_, data) = record { seqs.append(Self.seq(data) ?? 0) }
            }
        }
        #expect(seqs.sorted() == (1...400).map { UInt64($0) })
        #expect(reader.sampleCount == 400)
        #expect(reader.lostCount == 0)

        callGetpid(5)
        var polled: [UInt64] = []
        try reader.poll(timeoutMilliseconds: 1000) { record in
            if case let .sample(_, data) = record { polled.append(Self.seq(data) ?? 0) }
        }
        #expect(polled.sorted() == [401, 402, 403, 404, 405])

        callGetpid(6)
        var fromAsync: [UInt64] = []
        for try await bytes in reader.records() {
            fromAsync.append(bytes.withUnsafeBytes { Self.seq($0) } ?? 0)
            if fromAsync.count == 6 { break }
        }
        #expect(fromAsync.sorted() == (406...411).map { UInt64($0) })
        reader.close()
        #expect(try reader.poll(timeoutMilliseconds: 10) { _ in } == 0)
    }

    @Test func overflowIsReportedAsLost() throws {
        let cpus = try PossibleCPUs.count()
        let events = try makeMap("rt_perf_lost", .perfEventArray, key: 4, value: 4, max: UInt32(cpus))
        let counter = try makeMap("rt_perf_lseq", .array, key: 4, value: 8, max: 1)
        let program = try TestPrograms.load(
            "rt_perf_lost", .tracepoint, TestPrograms.perfOutputWriter(events: events, counter: counter, pidTgid: currentPidTgid()))
        let link = try program.attachTracepoint(category: "syscalls", name: "sys_enter_getpid")
        defer { link.close() }
        let reader = try PerfBuffer(map: events, pagesPerCPU: 1)
        callGetpid(1000)  // 40 KB of samples into 4 KiB rings without reading
        var samples = 0
        var lost: UInt64 = 0
        reader.consume { record in
            switch record {
            case .sample: samples += 1
            case let .lost(_, count): lost += count
            }
        }
        callGetpid(1)  // a lost record is written with the next sample that fits
        reader.consume { record in
            switch record {
            case .sample: samples += 1
            case let .lost(_, count): lost += count
            }
        }
        #expect(samples > 0)
        #expect(lost > 0)
        #expect(UInt64(samples) + lost == 1001)
    }

    @Test func readerRemovesItsEventsFromTheMap() throws {
        let cpus = try PossibleCPUs.count()
        let events = try makeMap("rt_perf_clean", .perfEventArray, key: 4, value: 4, max: UInt32(cpus))
        do {
            let reader = try PerfBuffer(map: events, pagesPerCPU: 1)
            #expect(reader.sampleCount == 0)
            // Perf event arrays cannot be read from user space (EOPNOTSUPP/ENOENT semantics);
            // the deletion below is what proves the entries were there.
        }
        // After the reader is gone every slot is empty: deleting again reports "absent".
        for cpu in 0..<cpus { #expect(try !events.delete(key: UInt32(cpu))) }
    }

    @Test func rejectsOtherMapTypes() throws {
        let map = try makeMap("rt_not_perf", .hash, key: 4, value: 4, max: 1)
        #expect(throws: BPFError.self) { try PerfBuffer(map: map) }
        let events = try makeMap("rt_perf_small", .perfEventArray, key: 4, value: 4, max: 4)
        #expect(throws: BPFError.self) { try PerfBuffer(map: events, pagesPerCPU: 3) }
    }
}
}
