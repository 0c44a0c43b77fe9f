/// The dynamic linker's cache of library names (`/etc/ld.so.cache`, written by `ldconfig`), in
/// glibc's "new" format `glibc-ld.so.cache1.1`, which glibc 2.32 and later write alone and older
/// versions append after the old `ld.so-1.7.0` table.
///
/// The new format: a 48-byte header (magic `glibc-ld.so.cache`, version `1.1`, `nlibs` u32 at 20,
/// `len_strings` u32 at 24, ...), then `nlibs` 24-byte entries (`flags` i32, `key` u32, `value`
/// u32, `osversion` u32, `hwcap` u64), whose `key` (soname) and `value` (path) are offsets of
/// NUL-terminated strings from the start of the new header.
///
/// Parsing is pure; `load(path:)` reads the file through `Syscalls`.
public struct LdSoCache: Sendable {
    /// One library of the cache.
    public struct Entry: Hashable, Sendable {
        /// The name programs ask for, usually the soname: `libc.so.6`.
        public var name: String
        /// The library's path: `/lib/x86_64-linux-gnu/libc.so.6`.
        public var path: String
        /// `flags`: the low byte is the kind (3 = `FLAG_ELF_LIBC6`), the next the required
        /// architecture (`0x0300` = `FLAG_X8664_LIB64`, `0x0a00` = `FLAG_AARCH64_LIB64`, 0 = any).
        public var flags: Int32
        /// `hwcap`: the hardware capabilities the entry needs (0 for most).
        public var hardwareCapabilities: UInt64

        /// The architecture part of `flags` (`FLAG_REQUIRED_MASK`, 0xff00).
        public var architecture: Int32 { flags & 0xff00 }
    }

    /// `FLAG_X8664_LIB64`.
    public static let architectureX86_64: Int32 = 0x0300
    /// `FLAG_AARCH64_LIB64`.
    public static let architectureAArch64: Int32 = 0x0a00

    /// The entries, in file order (ldconfig sorts them so that the best match for a name comes first).
    public let entries: [Entry]

    static let oldMagic = Array("ld.so-1.7.0".utf8)
    static let newMagic = Array("glibc-ld.so.cache".utf8)
    static let newVersion = Array("1.1".utf8)

    /// Parses the cache's bytes.
    /// - Throws: `.malformedObject` naming the cause if the bytes are not an ld.so.cache with a
    ///   `glibc-ld.so.cache1.1` table, or an entry or name lies outside the file.
    public init(bytes: [UInt8]) throws(BPFError) {
        let r = ByteReader(bytes)
        var start: UInt64 = 0
        if bytes.starts(with: Self.oldMagic) {
            // struct cache_file: magic[11], nlibs u32 at 12, 12-byte entries from 16; the new
            // table follows, aligned to 8.
            let oldCount = UInt64(try r.u32(12, "ld.so.cache old-format entry count"))
            start = (16 + oldCount * 12 + 7) & ~7
        }
        guard UInt64(bytes.count) >= start + 48,
              bytes[Int(start)..<Int(start) + 17].elementsEqual(Self.newMagic) else {
            throw .malformedObject("ld.so.cache: no '\(String(decoding: Self.newMagic, as: UTF8.self))' header (not an ld.so.cache, or only the old format)")
        }
        guard bytes[Int(start) + 17..<Int(start) + 20].elementsEqual(Self.newVersion) else {
            let v = String(decoding: bytes[Int(start) + 17..<Int(start) + 20], as: UTF8.self)
            throw .malformedObject("ld.so.cache: version '\(v)', expected '1.1'")
        }
        let count = UInt64(try r.u32(start + 20, "ld.so.cache entry count"))
        _ = try r.check(start + 48, count * 24, "ld.so.cache's \(count) entries")
        let strings = ArraySlice(bytes[Int(start)...])
        var entries: [Entry] = []
        entries.reserveCapacity(Int(count))
        for i in 0..<count {
            let e = start + 48 + i * 24
            let flags = Int32(bitPattern: try r.u32(e, "ld.so.cache entry \(i)"))
            let key = try r.u32(e + 4, "ld.so.cache entry \(i)")
            let value = try r.u32(e + 8, "ld.so.cache entry \(i)")
            entries.append(Entry(
                name: try stringFromTable(strings, at: key, "ld.so.cache entry \(i) name"),
                path: try stringFromTable(strings, at: value, "ld.so.cache entry \(i) path"),
                flags: flags, hardwareCapabilities: try r.u64(e + 16, "ld.so.cache entry \(i)")))
        }
        self.entries = entries
    }

    /// Reads and parses `/etc/ld.so.cache` (or `path`).
    public static func load(path: String = "/etc/ld.so.cache") throws(BPFError) -> LdSoCache {
        try LdSoCache(bytes: try Syscalls.readFile(path))
    }

    /// The path of library `name` for architecture `architecture` (entries of architecture 0,
    /// "any", also match): the first entry whose name is `name`. If none is, a short name also
    /// matches: `c` or `libc` find `libc.so.6` (the first entry named `libNAME.so` or `libNAME.so.*`).
    public func path(of name: String, architecture: Int32 = LdSoCache.hostArchitecture) -> String? {
        let candidates = entries.filter { $0.architecture == architecture || $0.architecture == 0 }
        if let exact = candidates.first(where: { $0.name == name }) { return exact.path }
        let stem = name.hasPrefix("lib") ? name : "lib" + name
        guard !name.contains(".so") else { return nil }
        return candidates.first { $0.name == stem + ".so" || $0.name.hasPrefix(stem + ".so.") }?.path
    }

    /// The running architecture's `FLAG_*_LIB64` value.
    public static var hostArchitecture: Int32 {
        #if arch(x86_64)
        architectureX86_64
        #elseif arch(arm64)
        architectureAArch64
        #else
        0
        #endif
    }
}
