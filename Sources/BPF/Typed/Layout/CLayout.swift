/// The operations generated C-layout types use (bindings from `swiftbpf gen` or the
/// `BPFCompiler` plugin): byte-wise equality and hashing, bitfields, union members and `char[N]`
/// strings, all on the value's own bytes. Generated types carry C's padding as explicit fields,
/// so a value's bytes are exactly the C object's.
public enum CLayout {
    /// Whether `a` and `b` have the same bytes (padding fields included, which generated
    /// initialisers zero). Floating-point fields compare by bit pattern.
    @inlinable
    public static func bytesEqual<T: BitwiseCopyable>(_ a: T, _ b: T) -> Bool {
        withUnsafeBytes(of: a) { x in withUnsafeBytes(of: b) { y in x.elementsEqual(y) } }
    }

    /// Feeds `value`'s bytes to `hasher`.
    @inlinable
    public static func hashBytes<T: BitwiseCopyable>(_ value: T, into hasher: inout Hasher) {
        withUnsafeBytes(of: value) { hasher.combine(bytes: $0) }
    }

    /// A value of `T` whose bytes are `bytes`, zero-extended or cut to `MemoryLayout<T>.size`.
    @inlinable
    public static func value<T: BitwiseCopyable>(_: T.Type, bytes: [UInt8]) -> T {
        withUnsafeTemporaryAllocation(byteCount: MemoryLayout<T>.size, alignment: MemoryLayout<T>.alignment) { slot in
            slot.initializeMemory(as: UInt8.self, repeating: 0)
            for (i, b) in bytes.prefix(slot.count).enumerated() { slot[i] = b }
            return slot.load(as: T.self)
        }
    }

    /// A value of `T` with every byte zero.
    @inlinable
    public static func zero<T: BitwiseCopyable>(_: T.Type = T.self) -> T {
        value(T.self, bytes: [])
    }

    /// The `width`-bit field at bit `bitOffset` of `value` (little-endian bit numbering, as BTF
    /// gives bitfield offsets on x86-64 and arm64), sign-extended if `signed`.
    @inlinable
    public static func bits<T: BitwiseCopyable>(of value: T, bitOffset: Int, width: Int, signed: Bool) -> Int64 {
        withUnsafeBytes(of: value) { b in
            var raw: UInt64 = 0
            let first = bitOffset / 8, last = (bitOffset + width - 1) / 8
            for k in stride(from: last, through: first, by: -1) { raw = raw << 8 | UInt64(b[k]) }
            raw >>= UInt64(bitOffset % 8)
            let shift = UInt64(64 - width)
            return signed ? Int64(bitPattern: raw << shift) >> Int64(shift) : Int64(bitPattern: (raw << shift) >> shift)
        }
    }

    /// Stores the low `width` bits of `newValue` into the bitfield at bit `bitOffset` of `value`,
    /// leaving every other bit as it was.
    @inlinable
    public static func setBits<T: BitwiseCopyable>(of value: inout T, bitOffset: Int, width: Int, to newValue: Int64) {
        withUnsafeMutableBytes(of: &value) { b in
            let mask: UInt64 = width >= 64 ? ~0 : (1 << UInt64(width)) - 1
            var bits = UInt64(bitPattern: newValue) & mask
            var keep = ~mask
            let shift = bitOffset % 8
            let first = bitOffset / 8, last = (bitOffset + width - 1) / 8
            bits <<= UInt64(shift)
            keep = (keep << UInt64(shift)) | ((1 << UInt64(shift)) - 1)
            for k in first...last {
                let i = k - first
                let m = UInt8(truncatingIfNeeded: keep >> UInt64(i * 8))
                b[k] = (b[k] & m) | UInt8(truncatingIfNeeded: bits >> UInt64(i * 8))
            }
        }
    }

    /// The member of type `Member` at byte `offset` of `value` (a union's member, a field of a
    /// packed struct).
    @inlinable
    public static func member<T: BitwiseCopyable, Member: BitwiseCopyable>(_: Member.Type, of value: T, at offset: Int) -> Member {
        withUnsafeBytes(of: value) { $0.loadUnaligned(fromByteOffset: offset, as: Member.self) }
    }

    /// Stores `member` at byte `offset` of `value`; the other bytes stay.
    @inlinable
    public static func setMember<T: BitwiseCopyable, Member: BitwiseCopyable>(_ member: Member, of value: inout T, at offset: Int) {
        withUnsafeMutableBytes(of: &value) { $0.storeBytes(of: member, toByteOffset: offset, as: Member.self) }
    }

    /// The text of a `char[N]` field: its bytes up to the first NUL (or all N), as UTF-8.
    @inlinable
    public static func string<T: BitwiseCopyable>(_ chars: T) -> String {
        withUnsafeBytes(of: chars) { b in
            let end = b.firstIndex(of: 0) ?? b.count
            return String(decoding: UnsafeRawBufferPointer(rebasing: b[0..<end]), as: UTF8.self)
        }
    }

    /// Writes `text`'s UTF-8 bytes into a `char[N]` field, cut to N bytes, the rest zeroed.
    @inlinable
    public static func setString<T: BitwiseCopyable>(_ chars: inout T, _ text: String) {
        withUnsafeMutableBytes(of: &chars) { b in
            b.initializeMemory(as: UInt8.self, repeating: 0)
            for (i, byte) in text.utf8.prefix(b.count).enumerated() { b[i] = byte }
        }
    }
}
