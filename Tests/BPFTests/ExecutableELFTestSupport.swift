@testable import BPF

/// Builds small native ELF64 little-endian files for the ExecutableELF tests: a header, program
/// headers, sections laid out one after another (8-aligned), `.shstrtab` and the section header
/// table at the end.
struct SyntheticELF {
    struct Section {
        var name: String
        var type: UInt32
        var flags: UInt64 = 0
        var address: UInt64 = 0
        var data: [UInt8] = []
        var link: UInt32 = 0
        var info: UInt32 = 0
        var alignment: UInt64 = 8
        var entrySize: UInt64 = 0
    }
    struct Segment {
        var type: UInt32
        var flags: UInt32 = 5
        var offset: UInt64
        var address: UInt64
        var fileSize: UInt64
        var memorySize: UInt64
    }

    var fileType: UInt16 = 2
    var machine: UInt16 = 62
    var segments: [Segment] = []
    var sections: [Section] = []

    /// The index a section will have (the null section is 0).
    func index(of name: String) -> UInt32 { UInt32(sections.firstIndex { $0.name == name }! + 1) }

    func build() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 64)
        func put16(_ v: UInt16, _ at: Int) { out[at] = UInt8(v & 0xff); out[at + 1] = UInt8(v >> 8) }
        func put32(_ v: UInt32, _ at: Int) { for i in 0..<4 { out[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(i))) } }
        func put64(_ v: UInt64, _ at: Int) { for i in 0..<8 { out[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) } }
        out[0] = 0x7f; out[1] = 0x45; out[2] = 0x4c; out[3] = 0x46; out[4] = 2; out[5] = 1; out[6] = 1
        put16(fileType, 16); put16(machine, 18); put32(1, 20)
        let phoff = segments.isEmpty ? 0 : 64
        out += [UInt8](repeating: 0, count: segments.count * 56)
        for (i, s) in segments.enumerated() {
            let h = phoff + i * 56
            put32(s.type, h); put32(s.flags, h + 4); put64(s.offset, h + 8); put64(s.address, h + 16)
            put64(s.address, h + 24); put64(s.fileSize, h + 32); put64(s.memorySize, h + 40); put64(0x1000, h + 48)
        }
        var names: [UInt8] = [0]
        var nameOffsets: [UInt32] = []
        for s in sections + [Section(name: ".shstrtab", type: 3)] {
            nameOffsets.append(UInt32(names.count))
            names += Array(s.name.utf8) + [0]
        }
        var all = sections
        all.append(Section(name: ".shstrtab", type: 3, data: names, alignment: 1))
        var offsets: [UInt64] = []
        for s in all {
            while out.count % 8 != 0 { out.append(0) }
            offsets.append(UInt64(out.count))
            out += s.data
        }
        while out.count % 8 != 0 { out.append(0) }
        let shoff = out.count
        out += [UInt8](repeating: 0, count: (all.count + 1) * 64)
        for (i, s) in all.enumerated() {
            let h = shoff + (i + 1) * 64
            put32(nameOffsets[i], h); put32(s.type, h + 4); put64(s.flags, h + 8); put64(s.address, h + 16)
            put64(offsets[i], h + 24); put64(UInt64(s.data.count), h + 32); put32(s.link, h + 40); put32(s.info, h + 44)
            put64(s.alignment, h + 48); put64(s.entrySize, h + 56)
        }
        put64(UInt64(phoff), 32); put64(UInt64(shoff), 40)
        put16(64, 52); put16(56, 54); put16(UInt16(segments.count), 56)
        put16(64, 58); put16(UInt16(all.count + 1), 60); put16(UInt16(all.count), 62)
        return out
    }
}

/// Little-endian byte building for tables (symbols, versions, notes, caches).
struct ELFTestBytes {
    var bytes: [UInt8] = []
    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { bytes += [UInt8(v & 0xff), UInt8(v >> 8)] }
    mutating func u32(_ v: UInt32) { for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) } }
    mutating func u64(_ v: UInt64) { for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
    mutating func string(_ s: String) { bytes += Array(s.utf8) + [0] }
    mutating func pad(to alignment: Int) { while bytes.count % alignment != 0 { bytes.append(0) } }

    /// One `Elf64_Sym`.
    mutating func symbol(name: UInt32, type: UInt8, binding: UInt8, section: UInt16, value: UInt64, size: UInt64 = 16) {
        u32(name); u8(binding << 4 | type); u8(0); u16(section); u64(value); u64(size)
    }

    /// One note, padded to `alignment`.
    mutating func note(name: String, type: UInt32, descriptor: [UInt8], alignment: Int = 4) {
        let n = Array(name.utf8) + [0]
        u32(UInt32(n.count)); u32(UInt32(descriptor.count)); u32(type)
        bytes += n; pad(to: alignment)
        bytes += descriptor; pad(to: alignment)
    }
}

/// A string table that hands out offsets.
struct ELFTestStrings {
    var bytes: [UInt8] = [0]
    mutating func add(_ s: String) -> UInt32 {
        let at = UInt32(bytes.count)
        bytes += Array(s.utf8) + [0]
        return at
    }
}
