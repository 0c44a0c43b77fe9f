import CBPF
import Synchronization

/// One record of a perf buffer.
public enum PerfRecord {
    /// Bytes a program wrote with `bpf_perf_event_output` on `cpu`, valid only during the
    /// callback. The kernel pads them so that the u32 size field plus the data is a multiple of
    /// 8 bytes: 16 bytes written arrive as 20 (as with libbpf's perf buffer).
    case sample(cpu: Int, data: UnsafeRawBufferPointer)
    /// The kernel dropped `count` samples on `cpu` because the buffer was full.
    case lost(cpu: Int, count: UInt64)
}

/// A reader of a `BPF_MAP_TYPE_PERF_EVENT_ARRAY` map: one `PERF_COUNT_SW_BPF_OUTPUT` perf event
/// per possible CPU, each with its own ring (`pagesPerCPU` data pages after the
/// `perf_event_mmap_page` header), stored in the map at the CPU's index.
///
/// `data_head` is loaded with acquire ordering and `data_tail` stored with release ordering
/// (the kernel's perf ring protocol). Records that wrap the end of a ring are copied into a
/// scratch buffer so that callbacks always see contiguous bytes.
public final class PerfBuffer: Sendable {
    struct CPURing: @unchecked Sendable {
        let cpu: Int
        let event: FileDescriptorBox
        let region: MappedRegion
    }

    /// Holds a perf event's descriptor (closed on deinit).
    final class FileDescriptorBox: Sendable {
        let fd: FileDescriptor
        init(_ fd: consuming FileDescriptor) { self.fd = fd }
    }

    /// The perf event array (kept alive while the reader lives).
    public let map: Map
    let rings: [CPURing]
    let dataSize: Int
    let epoll: Epoll
    let wakeup: WakeupPipe
    let consumeLock = Mutex<[UInt8]>([])
    let closed = Atomic<Bool>(false)
    let samples = Atomic<Int>(0)
    let lostSamples = Atomic<Int>(0)

    static let wakeToken = UInt64.max
    static let recordSample: UInt32 = 9  // PERF_RECORD_SAMPLE
    static let recordLost: UInt32 = 2  // PERF_RECORD_LOST

    /// Opens and maps one ring per possible CPU (`pagesPerCPU` must be a power of 2) and stores
    /// each event in `map`. CPUs that are possible but offline are skipped.
    public init(map: Map, pagesPerCPU: Int = 8) throws(BPFError) {
        guard map.type == .perfEventArray else {
            throw .invalidArgument("map '\(map.name)' is a \(map.type) map, not a perf_event_array")
        }
        guard pagesPerCPU > 0, pagesPerCPU & (pagesPerCPU - 1) == 0 else {
            throw .invalidArgument("perf buffer pages per CPU must be a power of 2, got \(pagesPerCPU)")
        }
        let page = Syscalls.pageSize
        self.map = map
        dataSize = pagesPerCPU * page
        epoll = try Epoll()
        wakeup = try WakeupPipe()
        try epoll.add(wakeup.readEnd.rawValue, token: Self.wakeToken)
        var rings: [CPURing] = []
        for cpu in try PossibleCPUs.list() {
            guard cpu < map.maxEntries else {
                throw .invalidArgument("perf event array '\(map.name)' has \(map.maxEntries) entries but CPU \(cpu) is possible")
            }
            let event: FileDescriptor
            do {
                event = try PerfEvent.openBPFOutput(cpu: Int32(cpu))
            } catch {
                if BPFCommands.isErrno(error, BPFErrno(rawValue: 19)) { continue }  // ENODEV: offline
                throw error
            }
            let box = FileDescriptorBox(event)
            let region = try MappedRegion(fd: box.fd.rawValue, length: page + dataSize, writable: true)
            try PerfEvent.enable(perfFD: box.fd.rawValue, label: "perf buffer cpu \(cpu)")
            try map.update(key: UInt32(cpu), value: box.fd.rawValue)
            try epoll.add(box.fd.rawValue, token: UInt64(rings.count))
            rings.append(CPURing(cpu: cpu, event: box, region: region))
        }
        self.rings = rings
    }

    /// Removes this reader's perf events from the map (as libbpf's `perf_buffer__free` does): the
    /// map holds a reference to each event, which would otherwise outlive the reader.
    deinit {
        for ring in rings {
            _ = try? map.delete(key: UInt32(ring.cpu))
        }
    }

    /// Samples delivered so far.
    public var sampleCount: Int { samples.load(ordering: .relaxed) }
    /// Samples the kernel reported lost so far.
    public var lostCount: Int { lostSamples.load(ordering: .relaxed) }
    /// Whether `close()` was called.
    public var isClosed: Bool { closed.load(ordering: .acquiring) }

    static let headOffset = MemoryLayout<perf_event_mmap_page>.offset(of: \perf_event_mmap_page.data_head)!
    static let tailOffset = MemoryLayout<perf_event_mmap_page>.offset(of: \perf_event_mmap_page.data_tail)!

    /// Calls `body` with every available record of every CPU. Returns the number of records.
    /// `body` must not call back into this reader (`consume`/`poll`): consumption holds a lock.
    @discardableResult
    public func consume(_ body: (PerfRecord) -> Void) -> Int {
        consumeLock.locked { scratch in
            var total = 0
            for ring in rings { total += drain(ring, scratch: &scratch, body) }
            return total
        }
    }

    func drain(_ ring: CPURing, scratch: inout [UInt8], _ body: (PerfRecord) -> Void) -> Int {
        let base = ring.region.base
        let head = (base + Self.headOffset).assumingMemoryBound(to: Atomic<UInt64>.self)
        let tail = (base + Self.tailOffset).assumingMemoryBound(to: Atomic<UInt64>.self)
        let data = UnsafeRawPointer(base + Syscalls.pageSize)
        let size = UInt64(dataSize)
        var count = 0
        var position = tail.pointee.load(ordering: .relaxed)
        let end = head.pointee.load(ordering: .acquiring)
        while end - position >= 8 {
            let offset = Int(position % size)
            // struct perf_event_header { u32 type; u16 misc; u16 size; }, 8-byte aligned: never wraps.
            let type = data.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
            let length = Int(data.loadUnaligned(fromByteOffset: offset + 6, as: UInt16.self))
            guard length >= 8, UInt64(length) <= end - position else { break }
            let record: UnsafeRawBufferPointer
            if offset + length <= dataSize {
                record = UnsafeRawBufferPointer(start: data + offset, count: length)
            } else {
                // The record wraps: copy both pieces into the scratch buffer.
                if scratch.count < length { scratch = [UInt8](repeating: 0, count: length) }
                let first = dataSize - offset
                scratch.withUnsafeMutableBytes { s in
                    s.baseAddress!.copyMemory(from: data + offset, byteCount: first)
                    (s.baseAddress! + first).copyMemory(from: data, byteCount: length - first)
                }
                record = scratch.withUnsafeBytes { UnsafeRawBufferPointer(start: $0.baseAddress, count: length) }
            }
            switch type {
            case Self.recordSample where length >= 12:
                // PERF_SAMPLE_RAW: u32 size, then the bytes (padded to 8 with the size field).
                let rawSize = Int(record.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
                if rawSize <= length - 12 {
                    // Counted first: a `records()` consumer on another thread may read the
                    // count as soon as it has the sample.
                    samples.add(1, ordering: .relaxed)
                    body(.sample(cpu: ring.cpu, data: UnsafeRawBufferPointer(rebasing: record[12..<(12 + rawSize)])))
                    count += 1
                }
            case Self.recordLost where length >= 24:
                let lost = record.loadUnaligned(fromByteOffset: 16, as: UInt64.self)
                body(.lost(cpu: ring.cpu, count: lost))
                lostSamples.add(Int(truncatingIfNeeded: lost), ordering: .relaxed)
                count += 1
            default:
                break
            }
            position += UInt64(length)
            tail.pointee.store(position, ordering: .releasing)
        }
        return count
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever) for a CPU's ring to have data, then
    /// consumes every ring. Returns the number of records (0 on timeout or close).
    @discardableResult
    public func poll(timeoutMilliseconds: Int32, _ body: (PerfRecord) -> Void) throws(BPFError) -> Int {
        if isClosed { return 0 }
        _ = try epoll.wait(timeoutMilliseconds: timeoutMilliseconds, maxEvents: max(rings.count + 1, 8))
        if isClosed { return 0 }
        return consume(body)
    }

    /// Wakes waiters and ends the `records()` sequences.
    public func close() {
        closed.store(true, ordering: .releasing)
        wakeup.signal()
    }

    /// The samples as an asynchronous sequence of copies (lost-sample notices are counted in
    /// `lostCount`, not yielded). A detached thread waits in epoll; the sequence ends when the
    /// consuming task is cancelled or `close()` is called.
    public func records(pollIntervalMilliseconds: Int32 = 100) -> AsyncThrowingStream<[UInt8], any Error> {
        ReaderStream.make(
            wake: { [weak self] in self?.wakeup.signal() }, isClosed: { [weak self] in self?.isClosed ?? true },
            step: { [weak self] (yield: ([UInt8]) -> Void) throws(BPFError) in
                guard let self else { return }
                try poll(timeoutMilliseconds: pollIntervalMilliseconds) { record in
                    if case let .sample(_, data) = record { yield(Array(data)) }
                }
                wakeup.drain()
            })
    }
}
