/// A 128-bit digest of what CO-RE relocations read from an object, naming its cache file
/// (`CORECacheKey`). Two independent 64-bit lanes (FNV-1a, and a multiply-rotate lane); not a
/// cryptographic hash: the cache directory is writable by its owner only, so the digest has to
/// tell apart objects, not resist someone forging them.
struct COREInputHash: Hashable, Sendable {
    private(set) var first: UInt64 = 0xcbf2_9ce4_8422_2325
    private(set) var second: UInt64 = 0x9e37_79b9_7f4a_7c15

    init() {}

    /// A digest given by its two lanes (a decoded cache file's).
    init(first: UInt64, second: UInt64) {
        self.first = first
        self.second = second
    }

    /// Adds `bytes`, preceded by their count, so that consecutive inputs cannot run together.
    mutating func add(_ bytes: some Sequence<UInt8>, count: Int) {
        add(UInt64(count))
        var a = first, b = second
        for byte in bytes {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            b = ((b ^ UInt64(byte)) &* 0xff51_afd7_ed55_8ccd)
            b = (b << 29) | (b >> 35)
        }
        first = a
        second = b
    }

    /// Adds a string's UTF-8 bytes.
    mutating func add(_ string: String) { add(string.utf8, count: string.utf8.count) }

    /// Adds a number, as its 8 little-endian bytes.
    mutating func add(_ value: UInt64) {
        var a = first, b = second
        for i in 0..<8 {
            let byte = (value >> (8 * UInt64(i))) & 0xff
            a = (a ^ byte) &* 0x0000_0100_0000_01b3
            b = ((b ^ byte) &* 0xff51_afd7_ed55_8ccd)
            b = (b << 29) | (b >> 35)
        }
        first = a
        second = b
    }

    /// 32 lowercase hex digits.
    var hex: String {
        func digits(_ v: UInt64) -> String {
            let s = String(v, radix: 16)
            return String(repeating: "0", count: 16 - s.count) + s
        }
        return digits(first) + digits(second)
    }
}
