/// The bytes of a native ELF file: a read-only `mmap` of the file (see `MappedFile`) or a private
/// copy of an array. Reads are bounds-checked and little-endian, and never copy more than asked,
/// so a 100 MB binary costs only the pages that are touched.
///
/// Immutable after creation, so it is safe to share across threads.
final class ExecutableELFBytes: @unchecked Sendable {
    /// The bytes; valid while this object lives.
    let buffer: UnsafeRawBufferPointer
    /// Keeps a mapping alive (nil for an owned copy).
    private let mapping: MappedFile?
    /// The allocation of an owned copy (nil for a mapping).
    private let allocation: UnsafeMutableRawPointer?

    init(mapping: MappedFile) {
        self.mapping = mapping
        buffer = mapping.bytes
        allocation = nil
    }

    init(copying bytes: [UInt8]) {
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { copy.copyMemory(from: $0) }
        buffer = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(copy)[0..<bytes.count])
        mapping = nil
        allocation = copy.baseAddress
    }

    deinit {
        allocation?.deallocate()
    }

    var count: Int { buffer.count }

    /// Checks that `[offset, offset + length)` lies inside the file, without overflow.
    @inline(__always)
    func check(_ offset: UInt64, _ length: UInt64, _ what: @autoclosure () -> String) throws(BPFError) -> Int {
        let (end, overflow) = offset.addingReportingOverflow(length)
        guard !overflow, end <= UInt64(buffer.count) else {
            throw BPFError.malformedObject(
                "\(what()) at offset \(offset) (\(length) bytes) is outside the \(buffer.count)-byte file")
        }
        return Int(offset)
    }

    /// Whether `[offset, offset + length)` lies inside the file.
    @inline(__always)
    func contains(_ offset: UInt64, _ length: UInt64) -> Bool {
        let (end, overflow) = offset.addingReportingOverflow(length)
        return !overflow && end <= UInt64(buffer.count)
    }

    @inline(__always)
    func u8(_ offset: UInt64, _ what: @autoclosure () -> String) throws(BPFError) -> UInt8 {
        buffer[try check(offset, 1, what())]
    }

    @inline(__always)
    func u16(_ offset: UInt64, _ what: @autoclosure () -> String) throws(BPFError) -> UInt16 {
        UInt16(littleEndian: buffer.loadUnaligned(fromByteOffset: try check(offset, 2, what()), as: UInt16.self))
    }

    @inline(__always)
    func u32(_ offset: UInt64, _ what: @autoclosure () -> String) throws(BPFError) -> UInt32 {
        UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: try check(offset, 4, what()), as: UInt32.self))
    }

    @inline(__always)
    func u64(_ offset: UInt64, _ what: @autoclosure () -> String) throws(BPFError) -> UInt64 {
        UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: try check(offset, 8, what()), as: UInt64.self))
    }

    /// Unchecked reads for loops whose whole table was checked once.
    @inline(__always) func u16(at o: Int) -> UInt16 { UInt16(littleEndian: buffer.loadUnaligned(fromByteOffset: o, as: UInt16.self)) }
    @inline(__always) func u32(at o: Int) -> UInt32 { UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
    @inline(__always) func u64(at o: Int) -> UInt64 { UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: o, as: UInt64.self)) }

    /// A view of `[offset, offset + length)`; valid while this object lives.
    func view(_ offset: UInt64, _ length: UInt64, _ what: @autoclosure () -> String) throws(BPFError) -> UnsafeRawBufferPointer {
        let start = try check(offset, length, what())
        return UnsafeRawBufferPointer(rebasing: buffer[start..<start + Int(length)])
    }

    /// A copy of `[offset, offset + length)`.
    func copy(_ offset: UInt64, _ length: UInt64, _ what: @autoclosure () -> String) throws(BPFError) -> [UInt8] {
        Array(try view(offset, length, what()))
    }
}

/// A string table of a native ELF file: a view into its bytes with NUL-terminated reads.
struct ExecutableELFStrings {
    let table: UnsafeRawBufferPointer

    /// The NUL-terminated name at `offset`, or nil if it lies outside the table or has no terminator.
    func string(at offset: UInt32) -> String? {
        guard let bytes = bytes(at: offset) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The bytes of the name at `offset` without its NUL, or nil if malformed.
    func bytes(at offset: UInt32) -> UnsafeRawBufferPointer? {
        let start = Int(offset)
        guard start < table.count else { return nil }
        let rest = UnsafeRawBufferPointer(rebasing: table[start...])
        guard let end = rest.firstIndex(of: 0) else { return nil }
        return UnsafeRawBufferPointer(rebasing: rest[..<end])
    }
}
