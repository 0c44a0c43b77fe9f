/// A `BPF_MAP_TYPE_RINGBUF` map whose records are `Record` values (checked once: the map must be
/// a ring buffer). Open a reader with `reader()`; several readers of one map share its records.
public struct RingBufferMap<Record: BitwiseCopyable>: TypedMap {
    /// The untyped map underneath.
    public let map: Map

    /// Checks that `map` is a ring buffer.
    public init(_ map: Map) throws(BPFError) {
        _ = try map.requireTyped("RingBufferMap<\(Record.self)>", types: [.ringBuf], key: Void.self, value: Void.self)
        self.map = map
    }

    /// Maps the ring buffer and returns a reader that yields `Record` values.
    public func reader() throws(BPFError) -> RingBufferReader<Record> {
        RingBufferReader(try RingBuffer(map: map))
    }
}

/// Reads a ring buffer's records as `Record` values. A record shorter than `Record` (a
/// variable-length event cut after its last used byte) is zero-extended; bytes past
/// `MemoryLayout<Record>.size` are ignored. For the bytes themselves use `ring`.
public struct RingBufferReader<Record: BitwiseCopyable>: Sendable {
    /// The untyped reader underneath (its `consume` hands out each record's bytes).
    public let ring: RingBuffer

    /// Reads `ring`'s records as `Record` values.
    public init(_ ring: RingBuffer) { self.ring = ring }

    /// The record in `bytes`, zero-extended when shorter than `Record`.
    @inlinable
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> Record {
        if bytes.count >= MemoryLayout<Record>.size { return bytes.loadUnaligned(as: Record.self) }
        return withUnsafeTemporaryAllocation(byteCount: MemoryLayout<Record>.size, alignment: MemoryLayout<Record>.alignment) { slot in
            slot.initializeMemory(as: UInt8.self, repeating: 0)
            if let base = bytes.baseAddress { slot.baseAddress!.copyMemory(from: base, byteCount: bytes.count) }
            return slot.load(as: Record.self)
        }
    }

    /// Hands every record already queued to `body`, without waiting; returns how many.
    @inlinable
    @discardableResult
    public func consume(_ body: (Record) -> Void) -> Int {
        ring.consume { body(Self.decode($0)) }
    }

    /// Waits up to `timeoutMilliseconds` for records and hands each to `body`; returns how many.
    @discardableResult
    public func poll(timeoutMilliseconds: Int32, _ body: (Record) -> Void) throws(BPFError) -> Int {
        try ring.poll(timeoutMilliseconds: timeoutMilliseconds) { body(Self.decode($0)) }
    }

    /// Ends every wait and stops the reader.
    public func close() { ring.close() }
}

/// A ring-buffer record read in place through its generated type's layout: each field is loaded
/// from the borrowed bytes when asked for, so a large variable-length event (an argv buffer of
/// kilobytes of which a few hundred bytes arrived) costs only the fields read, where
/// `RingBufferReader.decode` copies the whole `Record` into a zero-filled value first. Valid only
/// inside the reader's closure, like the bytes.
public struct BorrowedRecord<Record: BitwiseCopyable> {
    /// The record's bytes as the ring buffer holds them (may be shorter than `Record`).
    public let bytes: UnsafeRawBufferPointer

    /// A view of `bytes` as a `Record`.
    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// The field at `field`; zero-extended when the record ends inside it, zero past its end.
    @inlinable
    public subscript<Field: BitwiseCopyable>(field: KeyPath<Record, Field>) -> Field {
        let offset = MemoryLayout<Record>.offset(of: field)!
        if offset + MemoryLayout<Field>.size <= bytes.count { return bytes.loadUnaligned(fromByteOffset: offset, as: Field.self) }
        return RingBufferReader<Field>.decode(UnsafeRawBufferPointer(rebasing: bytes[min(offset, bytes.count)...]))
    }

    /// The bytes of `field` that the record holds: all of them, or fewer when the record ends
    /// inside the field (the used part of a trailing buffer).
    @inlinable
    public func bytes<Field>(of field: KeyPath<Record, Field>) -> UnsafeRawBufferPointer {
        let offset = min(MemoryLayout<Record>.offset(of: field)!, bytes.count)
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<min(bytes.count, offset + MemoryLayout<Field>.size)])
    }
}
