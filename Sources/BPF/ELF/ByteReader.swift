/// Bounds-checked little-endian reads from an untrusted byte buffer.
/// Every read names what it was reading so a truncated object gives a useful error.
struct ByteReader: Sendable {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Checks that `[offset, offset + count)` lies inside the buffer, without overflow.
    func check(_ offset: UInt64, _ count: UInt64, _ what: @autoclosure () -> String) throws(BPFError) -> Int {
        let (end, overflow) = offset.addingReportingOverflow(count)
        guard !overflow, end <= UInt64(bytes.count) else {
            throw BPFError.malformedObject(
                "\(what()) at offset \(offset) (\(count) bytes) is outside the \(bytes.count)-byte file")
        }
        return Int(offset)
    }

    func u8(_ offset: UInt64, _ what: @autoclosure () -> String) throws(BPFError) -> UInt8 {
        let o = try check(offset, 1, what())
        return bytes[o]
    }

    func u16(_ offset: UInt64, _ what: @autoclosure () -> String) throws(BPFError) -> UInt16 {
        let o = try check(offset, 2, what())
        return UInt16(bytes[o]) | UInt16(bytes[o + 1]) << 8
    }

    func u32(_ offset: UInt64, _ what: @autoclosure () -> String) throws(BPFError) -> UInt32 {
        let o = try check(offset, 4, what())
        return UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
    }

    func u64(_ offset: UInt64, _ what: @autoclosure () -> String) throws(BPFError) -> UInt64 {
        let o = try check(offset, 8, what())
        var v: UInt64 = 0
        for i in (0..<8).reversed() { v = v << 8 | UInt64(bytes[o + i]) }
        return v
    }

    func slice(_ offset: UInt64, _ count: UInt64, _ what: @autoclosure () -> String) throws(BPFError) -> ArraySlice<UInt8> {
        let o = try check(offset, count, what())
        return bytes[o..<o + Int(count)]
    }
}

/// Reads a NUL-terminated string at `offset` of a string table; the terminator must lie inside the table.
func stringFromTable(_ table: ArraySlice<UInt8>, at offset: UInt32, _ what: @autoclosure () -> String) throws(BPFError) -> String {
    guard Int(offset) < table.count else {
        throw BPFError.malformedObject("\(what()): name offset \(offset) is outside the \(table.count)-byte string table")
    }
    let start = table.startIndex + Int(offset)
    guard let end = table[start...].firstIndex(of: 0) else {
        throw BPFError.malformedObject("\(what()): name at offset \(offset) is not NUL-terminated")
    }
    return String(decoding: table[start..<end], as: UTF8.self)
}
