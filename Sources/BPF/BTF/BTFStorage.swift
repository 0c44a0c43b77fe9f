import Glibc

/// The immutable bytes a `BTF` reads from: a private heap copy, or a read-only mapped file.
/// Never written after creation, so sharing across threads is safe.
final class BTFStorage: @unchecked Sendable {
    let raw: UnsafeRawBufferPointer
    private let mapping: MappedFile?

    init(copying bytes: [UInt8]) {
        let p = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 8)
        bytes.withUnsafeBytes { src in
            if let s = src.baseAddress { p.copyMemory(from: s, byteCount: src.count) }
        }
        raw = UnsafeRawBufferPointer(start: p, count: bytes.count)
        mapping = nil
    }

    init(mapping: MappedFile) {
        raw = mapping.bytes
        self.mapping = mapping
    }

    deinit {
        if mapping == nil, let p = raw.baseAddress { p.deallocate() }
    }

    var count: Int { raw.count }

    /// A little-endian u32 at `offset`. The caller has checked bounds.
    @inline(__always)
    func u32(_ offset: Int) -> UInt32 {
        raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
    }

    @inline(__always)
    func u16(_ offset: Int) -> UInt16 {
        raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self)
    }

    @inline(__always)
    func u8(_ offset: Int) -> UInt8 {
        raw[offset]
    }

    /// The NUL-terminated bytes at `offset`, without the NUL. The caller has checked that a NUL
    /// exists before `limit`.
    func cString(at offset: Int, limit: Int) -> UnsafeRawBufferPointer {
        guard let base = raw.baseAddress, offset < limit else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        let start = base + offset
        let n = limit - offset
        if let nul = memchr(start, 0, n) {
            return UnsafeRawBufferPointer(start: start, count: UnsafeRawPointer(nul) - start)
        }
        return UnsafeRawBufferPointer(start: start, count: n)
    }

    /// A copy of `range` as an array.
    func bytes(_ range: Range<Int>) -> [UInt8] {
        Array(raw[range])
    }
}
