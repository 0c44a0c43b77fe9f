@testable import BPF

/// A minimal ELF64 little-endian section finder, so the BTF tests do not depend on the ELF
/// parser. Returns nil on anything unexpected.
enum BTFTestELF {
    static func section(named wanted: String, in bytes: [UInt8]) -> [UInt8]? {
        func u16(_ o: Int) -> Int? { o + 2 <= bytes.count ? Int(bytes[o]) | Int(bytes[o + 1]) << 8 : nil }
        func u32(_ o: Int) -> Int? {
            guard o + 4 <= bytes.count else { return nil }
            return (0..<4).reduce(0) { $0 | Int(bytes[o + $1]) << (8 * $1) }
        }
        func u64(_ o: Int) -> Int? {
            guard o + 8 <= bytes.count else { return nil }
            return (0..<8).reduce(0) { $0 | Int(bytes[o + $1]) << (8 * $1) }
        }
        guard bytes.count >= 64, bytes.starts(with: [0x7f, 0x45, 0x4c, 0x46, 2, 1]) else { return nil }
        guard let shoff = u64(0x28), let shentsize = u16(0x3a), let shnum = u16(0x3c), let shstrndx = u16(0x3e)
        else { return nil }
        func header(_ i: Int) -> (name: Int, offset: Int, size: Int)? {
            let h = shoff + i * shentsize
            guard let n = u32(h), let off = u64(h + 0x18), let size = u64(h + 0x20) else { return nil }
            return (n, off, size)
        }
        guard let strtab = header(shstrndx) else { return nil }
        for i in 0..<shnum {
            guard let h = header(i) else { return nil }
            var name: [UInt8] = []
            var p = strtab.offset + h.name
            while p < bytes.count, bytes[p] != 0 { name.append(bytes[p]); p += 1 }
            if String(decoding: name, as: UTF8.self) == wanted {
                guard h.offset + h.size <= bytes.count else { return nil }
                return Array(bytes[h.offset..<(h.offset + h.size)])
            }
        }
        return nil
    }

    static var btftestBTF: [UInt8] {
        section(named: ".BTF", in: EmbeddedObjects.btftest.bytes) ?? []
    }

    static var btftestBTFExt: [UInt8] {
        section(named: ".BTF.ext", in: EmbeddedObjects.btftest.bytes) ?? []
    }
}

/// Builds small BTF blobs by hand for malformed-input tests.
struct BTFBlobBuilder {
    var types: [UInt32] = []
    var strings: [UInt8] = [0]

    mutating func name(_ s: String) -> UInt32 {
        let off = UInt32(strings.count)
        strings += Array(s.utf8) + [0]
        return off
    }

    mutating func record(name: UInt32, kind: BTFKind, vlen: Int = 0, kflag: Bool = false, sizeOrType: UInt32, extra: [UInt32] = []) {
        types.append(name)
        types.append(UInt32(kind.rawValue) << 24 | UInt32(vlen) | (kflag ? 0x8000_0000 : 0))
        types.append(sizeOrType)
        types += extra
    }

    func build() -> [UInt8] {
        var out: [UInt8] = []
        func put16(_ v: UInt16) { out += [UInt8(v & 0xff), UInt8(v >> 8)] }
        func put32(_ v: UInt32) { for i in 0..<4 { out.append(UInt8((v >> (8 * UInt32(i))) & 0xff)) } }
        put16(0xEB9F); out += [1, 0]
        put32(24)
        put32(0); put32(UInt32(types.count * 4))
        put32(UInt32(types.count * 4)); put32(UInt32(strings.count))
        for t in types { put32(t) }
        out += strings
        return out
    }
}
