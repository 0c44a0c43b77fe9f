import Glibc
import ToolText

/// Lines written as bytes straight from ring-buffer records, for tools whose reader must keep
/// up with high event rates: no `String` per field or per event. A conforming writer holds the
/// buffer; these append to it. The text matches what the tool's `String` formatter writes for
/// ASCII fields (a writer falls back to that formatter's functions for anything else).
protocol ByteLines {
    /// The bytes written so far; the caller empties it after writing it out.
    var bytes: [UInt8] { get set }
}

extension ByteLines {
    mutating func key(_ s: StaticString) {
        bytes.append(contentsOf: UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    mutating func padded(_ s: String) { bytes.append(contentsOf: s.utf8) }

    mutating func spaces(_ n: Int) {
        for _ in 0..<Swift.max(0, n) { bytes.append(0x20) }
    }

    /// The digits of `value` in a scratch tuple, the number of them, and the call of `body`.
    private func withDigits<R>(_ value: Int64, radix: UInt64 = 10, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return withUnsafeMutableBytes(of: &digits) { d in
            let hex: StaticString = "0123456789abcdef"
            var count = 0
            var v = value.magnitude
            repeat {
                d[23 - count] = hex.utf8Start[Int(v % radix)]
                v /= radix
                count += 1
            } while v > 0
            if value < 0 { count += 1; d[24 - count] = 0x2d }
            return body(UnsafeRawBufferPointer(rebasing: d[(24 - count)...]))
        }
    }

    /// A decimal number, padded with spaces to `width` on the right (`left`) or on the left.
    mutating func number(_ value: Int64, width: Int, left: Bool) {
        withDigits(value) { d in
            if !left { spaces(width - d.count) }
            bytes.append(contentsOf: d)
            if left { spaces(width - d.count) }
        }
    }

    /// An unsigned number in lower-case hex, no prefix.
    mutating func hex(_ value: UInt64) {
        if value <= UInt64(Int64.max) {
            withDigits(Int64(value), radix: 16) { bytes.append(contentsOf: $0) }
        } else {
            padded(String(value, radix: 16))
        }
    }

    /// `value` with exactly `digits` digits, zeros in front (the fraction of a fixed-point time).
    mutating func zeroPadded(_ value: Int64, digits: Int) {
        withDigits(value) { d in
            for _ in d.count..<Swift.max(d.count, digits) { bytes.append(0x30) }
            bytes.append(contentsOf: d)
        }
    }

    /// The bytes of a field up to its first NUL, padded to `width`.
    mutating func text(_ field: UnsafeRawBufferPointer, width: Int) {
        var stop = 0
        while stop < field.count, field[stop] != 0 { stop += 1 }
        bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: field[0..<stop]))
        spaces(width - stop)
    }

    /// A NUL-terminated field as a JSON string: ASCII is escaped byte by byte; anything else
    /// goes through `JSON.string`, which also replaces invalid UTF-8.
    mutating func jsonString(_ source: UnsafeRawBufferPointer) {
        var stop = 0
        var ascii = true
        while stop < source.count, source[stop] != 0 {
            if source[stop] >= 0x80 { ascii = false }
            stop += 1
        }
        let field = UnsafeRawBufferPointer(rebasing: source[0..<stop])
        guard ascii else {
            padded(JSON.string(String(decoding: field, as: UTF8.self)))
            return
        }
        bytes.append(0x22)
        for b in field {
            switch b {
            case 0x22: bytes.append(0x5c); bytes.append(0x22)
            case 0x5c: bytes.append(0x5c); bytes.append(0x5c)
            case 0x0a: bytes.append(0x5c); bytes.append(0x6e)
            case 0x0d: bytes.append(0x5c); bytes.append(0x72)
            case 0x09: bytes.append(0x5c); bytes.append(0x74)
            case 0..<0x20:
                let hex: StaticString = "0123456789abcdef"
                bytes.append(contentsOf: [0x5c, 0x75, 0x30, 0x30, hex.utf8Start[Int(b >> 4)], hex.utf8Start[Int(b & 15)]])
            default: bytes.append(b)
            }
        }
        bytes.append(0x22)
    }

    /// An IPv4 or IPv6 address (4 or 16 bytes, network order) as `inet_ntop` writes it.
    mutating func address(family: UInt16, _ address: UnsafeRawBufferPointer) {
        var text: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &text) { out in
            let buffer = out.baseAddress!.assumingMemoryBound(to: CChar.self)
            guard inet_ntop(Int32(family), address.baseAddress, buffer, socklen_t(out.count)) != nil else {
                bytes.append(0x3f)
                return
            }
            bytes.append(contentsOf: UnsafeRawBufferPointer(start: out.baseAddress, count: strlen(buffer)))
        }
    }
}
