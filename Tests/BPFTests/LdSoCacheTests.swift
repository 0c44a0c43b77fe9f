import Glibc
import Testing
@testable import BPF

/// Builds a `glibc-ld.so.cache1.1` cache: the 48-byte header, 24-byte entries, then the strings;
/// string offsets count from the header's start.
func syntheticLdSoCache(_ entries: [(name: String, path: String, flags: Int32)], oldPrefixEntries: Int? = nil, version: String = "1.1") -> [UInt8] {
    var strings: [UInt8] = []
    let stringsStart = 48 + entries.count * 24
    var offsets: [(UInt32, UInt32)] = []
    for e in entries {
        let k = UInt32(stringsStart + strings.count); strings += Array(e.name.utf8) + [0]
        let v = UInt32(stringsStart + strings.count); strings += Array(e.path.utf8) + [0]
        offsets.append((k, v))
    }
    var b = ELFTestBytes()
    b.bytes += Array("glibc-ld.so.cache".utf8) + Array(version.utf8)
    b.u32(UInt32(entries.count)); b.u32(UInt32(strings.count)); b.u8(2); b.u8(0); b.u8(0); b.u8(0)
    b.u32(0); b.u32(0); b.u32(0); b.u32(0)
    for (i, e) in entries.enumerated() {
        b.u32(UInt32(bitPattern: e.flags)); b.u32(offsets[i].0); b.u32(offsets[i].1); b.u32(0); b.u64(0)
    }
    b.bytes += strings
    guard let old = oldPrefixEntries else { return b.bytes }
    var prefix = ELFTestBytes()
    prefix.bytes += Array("ld.so-1.7.0".utf8) + [0]
    prefix.u32(UInt32(old))
    for _ in 0..<old { prefix.u32(3); prefix.u32(0); prefix.u32(0) }
    prefix.pad(to: 8)
    return prefix.bytes + b.bytes
}

@Suite struct LdSoCacheTests {
    static let entries: [(name: String, path: String, flags: Int32)] = [
        ("libz.so.1", "/arm/libz.so.1", 0x0a03),
        ("libz.so.1", "/lib/x86_64-linux-gnu/libz.so.1", 0x0303),
        ("libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6", 0x0303),
        ("libcrypt.so.1", "/lib/x86_64-linux-gnu/libcrypt.so.1", 0x0303),
        ("libany.so", "/lib/libany.so", 0x0003),
    ]

    @Test func parsesEntriesAndFindsLibraries() throws {
        let cache = try LdSoCache(bytes: syntheticLdSoCache(Self.entries))
        #expect(cache.entries.count == 5)
        #expect(cache.entries[0].architecture == LdSoCache.architectureAArch64)
        #expect(cache.path(of: "libz.so.1", architecture: LdSoCache.architectureX86_64) == "/lib/x86_64-linux-gnu/libz.so.1")
        #expect(cache.path(of: "libz.so.1", architecture: LdSoCache.architectureAArch64) == "/arm/libz.so.1")
        #expect(cache.path(of: "c", architecture: LdSoCache.architectureX86_64) == "/lib/x86_64-linux-gnu/libc.so.6")
        #expect(cache.path(of: "libc", architecture: LdSoCache.architectureX86_64) == "/lib/x86_64-linux-gnu/libc.so.6")
        #expect(cache.path(of: "crypt", architecture: LdSoCache.architectureX86_64) == "/lib/x86_64-linux-gnu/libcrypt.so.1")
        #expect(cache.path(of: "libany.so", architecture: LdSoCache.architectureX86_64) == "/lib/libany.so")
        #expect(cache.path(of: "libnone.so.1", architecture: LdSoCache.architectureX86_64) == nil)
        #expect(cache.path(of: "libc.so", architecture: LdSoCache.architectureX86_64) == nil)
    }

    @Test func readsTheNewTableAfterAnOldOne() throws {
        let cache = try LdSoCache(bytes: syntheticLdSoCache(Self.entries, oldPrefixEntries: 3))
        #expect(cache.entries.map(\.name) == Self.entries.map(\.name))
    }

    @Test func badCachesAreRejected() throws {
        let good = syntheticLdSoCache(Self.entries)
        #expect(throws: BPFError.self) { try LdSoCache(bytes: Array("not a cache at all, just text, long enough to hold a header".utf8)) }
        #expect(throws: BPFError.self) { try LdSoCache(bytes: syntheticLdSoCache(Self.entries, version: "1.0")) }
        #expect(throws: BPFError.self) { try LdSoCache(bytes: Array(good.prefix(60))) }
        var badString = good
        badString[48 + 4] = 0xff; badString[48 + 5] = 0xff  // first key offset far outside
        #expect(throws: BPFError.self) { try LdSoCache(bytes: badString) }
        for n in 0..<good.count { _ = try? LdSoCache(bytes: Array(good.prefix(n))) }
    }

    @Test(.enabled(if: access("/etc/ld.so.cache", R_OK) == 0, "needs /etc/ld.so.cache"))
    func systemCacheHasLibc() throws {
        let cache = try LdSoCache.load()
        let libc = try #require(cache.path(of: "libc.so.6"))
        #expect(libc.hasSuffix("/libc.so.6") && access(libc, R_OK) == 0)
    }
}

@Suite struct BinaryPathResolverTests {
    static func resolver(files: Set<String>, mapped: [String] = [], cache: [(name: String, path: String, flags: Int32)] = [],
                         libraryPath: String? = nil, path: String? = "/opt/bin:/usr/local/bin") -> BinaryPathResolver {
        let bytes = syntheticLdSoCache(cache)
        return BinaryPathResolver(
            fileExists: { files.contains($0) }, isExecutable: { files.contains($0) },
            mappedFiles: { (pid) throws(BPFError) in
                guard pid == 42 else { throw .syscall(operation: "open(/proc/\(pid)/maps)", errno: .ENOENT) }
                return mapped
            },
            ldCache: { try? LdSoCache(bytes: bytes) }, libraryPath: libraryPath, executablePath: path)
    }

    @Test func pathsNamesAndProcesses() throws {
        let cache: [(name: String, path: String, flags: Int32)] = [("libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6", 0x0303)]
        let r = Self.resolver(files: ["/lib/x86_64-linux-gnu/libc.so.6", "/ld/libc.so.6", "/usr/local/bin/tool", "/usr/lib/libq.so",
                                      "/proc/42/root/app/libapp.so", "/x/rel"],
                              mapped: ["/app/libapp.so", "/lib/x86_64-linux-gnu/libc.so.6", "/app/bin"], cache: cache)
        #expect(try r.resolve("/x/rel") == "/x/rel")
        #expect(try r.resolve("libc.so.6") == "/lib/x86_64-linux-gnu/libc.so.6")
        #expect(try r.resolve("c") == "/lib/x86_64-linux-gnu/libc.so.6")  // short name through the cache
        #expect(try r.resolve("tool") == "/usr/local/bin/tool")
        #expect(try r.resolve("libq.so") == "/usr/lib/libq.so")
        #expect(try r.resolve("libc", pid: 42) == "/lib/x86_64-linux-gnu/libc.so.6")
        #expect(try r.resolve("libapp.so", pid: 42) == "/proc/42/root/app/libapp.so")  // only in the process's mount namespace
        #expect(try r.resolve("/app/libapp.so", pid: 42) == "/proc/42/root/app/libapp.so")
        var withLD = r
        withLD.libraryPath = "/nowhere:/ld"
        #expect(try withLD.resolve("libc.so.6") == "/ld/libc.so.6")  // LD_LIBRARY_PATH first
        #expect(throws: BPFError.self) { try r.resolve("") }
        #expect(throws: BPFError.self) { try r.resolve("/x/missing") }
        #expect(throws: BPFError.self) { try r.resolve("libmissing.so.1") }
        #expect(throws: BPFError.self) { try r.resolve("libc", pid: 7) }  // no such process
    }

    @Test func mapsLinesGiveFilePaths() {
        let text = """
            55d0c0a00000-55d0c0a28000 r--p 00000000 08:01 1311 /usr/bin/my prog
            55d0c0a28000-55d0c0b00000 r-xp 00028000 08:01 1311 /usr/bin/my prog
            7f0000000000-7f0000021000 rw-p 00000000 00:00 0 
            7ffd1c5d4000-7ffd1c5f5000 rw-p 00000000 00:00 0                          [stack]
            7f1111111000-7f1111112000 r-xp 00000000 08:01 99 /lib/libgone.so (deleted)
            """
        #expect(BinaryPathResolver.mappedFilePaths(maps: Array(text.utf8)) == ["/usr/bin/my prog", "/lib/libgone.so (deleted)"])
    }
}
