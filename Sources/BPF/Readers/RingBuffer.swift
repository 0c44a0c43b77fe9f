import Synchronization

/// A reader of a `BPF_MAP_TYPE_RINGBUF` map (Linux 5.8+).
///
/// The kernel shares three regions with user space: the consumer page (`consumer_pos`,
/// writable by us), the producer page (`producer_pos`, read-only) and the data area. The kernel
/// offers the data area twice back to back so that a record that wraps can be read in one piece,
/// but it maps every page of an mmap at once (`remap_vmalloc_range`), so the second view would
/// double the reader's resident memory. This reader maps the data once and copies the rare
/// record that wraps into a scratch buffer. Each record starts with an 8-byte header: a u32
/// length whose bit 31 means "still being written" (busy) and bit 30 "discarded", then a u32
/// page offset. Records are 8-byte aligned.
///
/// `producer_pos` and record headers are loaded with acquire ordering, pairing with the kernel's
/// release stores; `consumer_pos` is stored with release ordering so the kernel never reuses
/// space we are still reading.
///
/// Consumption is serialised by a lock, so `consume`, `poll` and `records()` may be used from
/// several threads, one record batch at a time.
public final class RingBuffer: Sendable {
    /// The ring buffer map (kept alive while the reader lives).
    public let map: Map
    let consumerPage: MappedRegion
    let producerArea: MappedRegion
    @usableFromInline let dataSize: Int
    /// `consumer_pos`, `producer_pos` and the data area, inside the two mappings above.
    @usableFromInline nonisolated(unsafe) let consumerPosition: UnsafeMutablePointer<Atomic<UInt64>>
    @usableFromInline nonisolated(unsafe) let producerPosition: UnsafeMutablePointer<Atomic<UInt64>>
    @usableFromInline nonisolated(unsafe) let data: UnsafeRawPointer
    let epoll: Epoll
    let wakeup: WakeupPipe
    /// Serialises consumption. It holds the scratch area where a record that wraps around the
    /// end of the data area is copied, whose pages become resident only as far as wrapped
    /// records reach. (Not a `Mutex<Void>`: ThreadSanitizer places an access to a zero-size value
    /// at the address of the next stored property and reported `closed` as raced.)
    @usableFromInline let consumeLock: Mutex<ScratchArea>
    let closed = Atomic<Bool>(false)
    @usableFromInline let delivered = Atomic<Int>(0)

    static let mapToken: UInt64 = 0
    static let wakeToken: UInt64 = 1

    /// Maps the ring buffer's pages and prepares an epoll set on the map's descriptor.
    public init(map: Map) throws(BPFError) {
        guard map.type == .ringBuf else {
            throw .invalidArgument("map '\(map.name)' is a \(map.type) map, not a ringbuf")
        }
        let page = Syscalls.pageSize
        let size = map.maxEntries
        guard size > 0, size & (size - 1) == 0, size % page == 0 else {
            throw .invalidArgument("ring buffer '\(map.name)' has size \(size): not a power of 2 and a multiple of the page size")
        }
        self.map = map
        dataSize = size
        consumerPage = try MappedRegion(fd: map.fd, length: page, offset: 0, writable: true)
        producerArea = try MappedRegion(fd: map.fd, length: page + size, offset: page, writable: false)
        consumerPosition = consumerPage.base.assumingMemoryBound(to: Atomic<UInt64>.self)
        producerPosition = producerArea.base.assumingMemoryBound(to: Atomic<UInt64>.self)
        data = UnsafeRawPointer(producerArea.base + page)
        consumeLock = Mutex(ScratchArea(base: .allocate(byteCount: size, alignment: 8)))
        epoll = try Epoll()
        wakeup = try WakeupPipe()
        try epoll.add(map.fd, token: Self.mapToken)
        try epoll.add(wakeup.readEnd.rawValue, token: Self.wakeToken)
    }

    /// The number of records delivered so far (discarded records are not counted).
    public var recordCount: Int { delivered.load(ordering: .relaxed) }

    /// Whether `close()` was called.
    public var isClosed: Bool { closed.load(ordering: .acquiring) }

    deinit { consumeLock.locked { $0.base.deallocate() } }

    /// The wrap scratch area, owned by the ring buffer and used only under `consumeLock`.
    @usableFromInline struct ScratchArea: @unchecked Sendable {
        @usableFromInline let base: UnsafeMutableRawPointer
    }

    /// Bytes written by the kernel and not yet consumed.
    public var pendingBytes: Int {
        let prod = producerPosition.pointee.load(ordering: .acquiring)
        let cons = consumerPosition.pointee.load(ordering: .acquiring)
        return Int(truncatingIfNeeded: prod &- cons)
    }

    /// Calls `body` with each available record, in order, without copying: the buffer points into
    /// the ring and is valid only during the call. Returns the number of records delivered.
    /// Stops at a record the kernel is still writing. `body` must not call back into this reader
    /// (`consume`/`poll`): consumption holds a lock.
    /// Inlinable, so that `body` is inlined into the loop over the records.
    @inlinable @discardableResult
    public func consume(_ body: (UnsafeRawBufferPointer) -> Void) -> Int {
        consumeLock.locked { scratch in drain(body, wrapScratch: scratch.base) }
    }

    /// Like `consume(_:)`, decoding each record as `T` (a C struct's Swift twin). Records shorter
    /// than `MemoryLayout<T>.size` are skipped and counted in the return value's `skipped`.
    @discardableResult
    public func consume<T: BitwiseCopyable>(as: T.Type, _ body: (T) -> Void) -> (delivered: Int, skipped: Int) {
        var skipped = 0
        let total = consume { record in
            if record.count >= MemoryLayout<T>.size {
                body(record.loadUnaligned(as: T.self))
            } else {
                skipped += 1
            }
        }
        return (total - skipped, skipped)
    }

    @inlinable
    func drain(_ body: (UnsafeRawBufferPointer) -> Void, wrapScratch: UnsafeMutableRawPointer) -> Int {
        let data = data, size = dataSize
        // Literals rather than the static constants: no global accessor calls in the caller's loop.
        let busyBit: UInt32 = 1 << 31, discardBit: UInt32 = 1 << 30, headerSize = 8
        let mask = size - 1
        let consumerPosition = consumerPosition, producerPosition = producerPosition
        var count = 0
        var consumer = consumerPosition.pointee.load(ordering: .relaxed)  // only we write it
        outer: while true {
            let producer = producerPosition.pointee.load(ordering: .acquiring)
            if consumer >= producer { break }
            repeat {
                let offset = Int(truncatingIfNeeded: consumer) & mask
                let header = UnsafeMutableRawPointer(mutating: data + offset).assumingMemoryBound(to: Atomic<UInt32>.self)
                let word = header.pointee.load(ordering: .acquiring)
                if word & busyBit != 0 { break outer }
                let length = Int(word & ~(busyBit | discardBit))
                // A length beyond the ring means corrupt memory; never read outside the mapping.
                guard length <= size - headerSize else { break outer }
                if word & discardBit == 0 {
                    let start = (offset + headerSize) & mask
                    if start + length <= size {
                        body(UnsafeRawBufferPointer(start: data + start, count: length))
                    } else {
                        // The record runs past the end of the data area: its tail is at the start.
                        let first = size - start
                        wrapScratch.copyMemory(from: data + start, byteCount: first)
                        (wrapScratch + first).copyMemory(from: data, byteCount: length - first)
                        body(UnsafeRawBufferPointer(start: wrapScratch, count: length))
                    }
                    count += 1
                }
                consumer &+= UInt64((length + headerSize + 7) & ~7)
                consumerPosition.pointee.store(consumer, ordering: .releasing)
            } while consumer < producer
        }
        if count > 0 { delivered.add(count, ordering: .relaxed) }
        return count
    }

    /// Waits until the kernel signals new data, `timeoutMilliseconds` pass (-1: forever) or the
    /// reader is closed. Returns true if the map's descriptor became readable.
    public func wait(timeoutMilliseconds: Int32) throws(BPFError) -> Bool {
        if isClosed { return false }
        if pendingBytes > 0 { return true }
        let tokens = try epoll.wait(timeoutMilliseconds: timeoutMilliseconds)
        return tokens.contains(Self.mapToken) && !isClosed
    }

    /// Waits up to `timeoutMilliseconds` for data, then consumes what is there (libbpf's
    /// `ring_buffer__poll`). Returns the number of records delivered (0 on timeout or close).
    @discardableResult
    public func poll(timeoutMilliseconds: Int32, _ body: (UnsafeRawBufferPointer) -> Void) throws(BPFError) -> Int {
        _ = try wait(timeoutMilliseconds: timeoutMilliseconds)
        if isClosed { return 0 }
        return consume(body)
    }

    /// Wakes every waiter and ends the `records()` sequences. The reader cannot be reopened.
    public func close() {
        closed.store(true, ordering: .releasing)
        wakeup.signal()
    }

    /// The records as an asynchronous sequence of copies. A detached thread waits in epoll (not
    /// the cooperative pool) and feeds the stream. The sequence ends when the consuming task is
    /// cancelled, when `close()` is called, or with an error if waiting fails.
    /// `pollInterval` bounds how long a cancellation may take to be noticed.
    public func records(pollIntervalMilliseconds: Int32 = 100) -> AsyncThrowingStream<[UInt8], any Error> {
        ReaderStream.make(
            wake: { [weak self] in self?.wakeup.signal() }, isClosed: { [weak self] in self?.isClosed ?? true },
            step: { [weak self] (yield: ([UInt8]) -> Void) throws(BPFError) in
                guard let self else { return }
                _ = try wait(timeoutMilliseconds: pollIntervalMilliseconds)
                wakeup.drain()
                for record in takeBatch() { yield(record) }
            },
            // Deliver what arrived before the close, then end.
            finish: { [weak self] (yield: ([UInt8]) -> Void) in
                for record in self?.takeBatch() ?? [] { yield(record) }
            })
    }

    /// Copies of the available records, counted in `recordCount` before the stream hands any of
    /// them out: its consumer runs on another thread and may read the count as soon as it has a
    /// record (the count is raised once per `consume`, after its loop).
    private func takeBatch() -> [[UInt8]] {
        var batch: [[UInt8]] = []
        consume { batch.append(Array($0)) }
        return batch
    }
}
