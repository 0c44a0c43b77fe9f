/// opensnoop's column output written straight from ring-buffer records into a byte buffer:
/// no `String` per event, so the reader keeps up with bursts of hundreds of thousands of opens.
/// The text is the same as `OpenSnoopFormat.line`.
public struct OpenSnoopLines {
    /// The bytes written so far; the caller empties it after writing it out.
    public var bytes: [UInt8] = []
    let uid: Bool
    let flags: Bool

    public init(uid: Bool = false, flags: Bool = false) {
        self.uid = uid
        self.flags = flags
        bytes.reserveCapacity(1 << 16)
    }

    /// Appends the line of one record (with the TIME(s) column when `seconds` is given).
    /// Returns false, writing nothing, for a record too short to be an event.
    @discardableResult
    public mutating func append(record: UnsafeRawBufferPointer, seconds: Double? = nil) -> Bool {
        guard record.count >= OpenEvent.headerSize else { return false }
        func u32(_ o: Int) -> UInt32 { record.loadUnaligned(fromByteOffset: o, as: UInt32.self) }
        let ret = Int32(bitPattern: u32(48))
        if let seconds { padded(SnoopText.pad(SnoopText.seconds(seconds), 9)) }
        if uid { number(Int64(u32(28)), width: 6, left: true); bytes.append(0x20) }
        number(Int64(u32(20)), width: 6, left: true)
        bytes.append(0x20)
        text(record, from: 32, max: 16, width: 16)
        bytes.append(0x20)
        number(Int64(ret >= 0 ? ret : -1), width: 4, left: false)
        bytes.append(0x20)
        number(Int64(ret < 0 ? -Int64(ret) : 0), width: 3, left: false)
        bytes.append(0x20)
        if flags {
            padded(SnoopText.octal(u32(52), width: 8))
            bytes.append(0x20)
        }
        text(record, from: OpenEvent.headerSize, max: Int(u32(60)), width: 0)
        bytes.append(0x0a)
        return true
    }

    mutating func padded(_ s: String) { bytes.append(contentsOf: s.utf8) }

    /// A decimal number, padded with spaces to `width` on the right (`left`) or on the left.
    mutating func number(_ value: Int64, width: Int, left: Bool) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var v = value.magnitude
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[19 - count] = UInt8(truncatingIfNeeded: v % 10) + 0x30
                v /= 10
                count += 1
            } while v > 0
            if value < 0 { count += 1; d[20 - count] = 0x2d }
            if !left { for _ in count..<max(count, width) { bytes.append(0x20) } }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: d[(20 - count)...]))
            if left { for _ in count..<max(count, width) { bytes.append(0x20) } }
        }
    }

    /// The NUL-terminated bytes at `offset` (at most `max`, clamped to the record), padded to `width`.
    mutating func text(_ record: UnsafeRawBufferPointer, from offset: Int, max: Int, width: Int) {
        guard offset <= record.count else { return }
        let end = Swift.min(record.count, offset + Swift.max(0, max))
        var stop = offset
        while stop < end, record[stop] != 0 { stop += 1 }
        bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: record[offset..<stop]))
        for _ in (stop - offset)..<Swift.max(stop - offset, width) { bytes.append(0x20) }
    }
}
