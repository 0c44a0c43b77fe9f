import Testing
@testable import BPF

/// BPFGen's generated record types (`// swiftbpf:record gen_event` in bpf/gen_records.bpf.c):
/// each accessor reads the value written by hand at the C layout's offset.
@Suite struct GenRecordTests {
    /// `struct gen_event`'s members and byte offsets, read from the object's own BTF.
    static func offsets() throws -> [String: Int] {
        let elf = try ELFFile(bytes: EmbeddedObjects.genRecords.bytes)
        let section = try #require(elf.section(named: ".BTF"))
        let btf = try BTF(bytes: elf.contents(of: section))
        let id = try #require(btf.typeIDs.first { btf.kind(of: $0) == .struct && btf.name(of: $0) == "gen_event" })
        var out: [String: Int] = [:]
        for m in try btf.type(id).members { out[m.name] = Int(m.bitOffset) / 8 }
        out["sizeof"] = try btf.size(of: id)
        return out
    }

    /// A gen_event with known values, laid out as the C compiler does (pahole-style offsets).
    static func sample(tail: String = "tail-text") -> [UInt8] {
        var b = [UInt8](repeating: 0, count: 88)
        func put<T: FixedWidthInteger>(_ v: T, _ o: Int) {
            withUnsafeBytes(of: v.littleEndian) { for (i, x) in $0.enumerated() { b[o + i] = x } }
        }
        put(UInt8(0xAB), 0)
        put(UInt16(0xBEEF), 2)
        put(UInt32(0xDEAD_BEEF), 4)
        put(UInt64(0x0123_4567_89AB_CDEF), 8)
        put(Int32(-42), 16)
        put(UInt32(7), 20)            // inner.a
        put(Int16(-3), 24)            // inner.b
        for (i, c) in "comm".utf8.enumerated() { b[28 + i] = c }
        put(UInt32(10), 36); put(UInt32(20), 40); put(UInt32(30), 44)
        b[48] = 0b1110_1_101           // flag = 5 (bits 0..2), level = 0b11101 = -3 (bits 3..7)
        put(UInt64(0x1111_2222_3333_4444), 56)
        put(UInt32(0x10000), 64)      // GEN_BIG
        for (i, c) in tail.utf8.enumerated() { b[68 + i] = c }
        return b
    }

    @Test func layoutMatchesBTF() throws {
        let o = try Self.offsets()
        #expect(o == ["u8v": 0, "u16v": 2, "u32v": 4, "u64v": 8, "s32v": 16, "inner": 20, "name": 28,
                      "nums": 36, "flag": 48, "level": 48, "u": 56, "color": 64, "tail": 68, "sizeof": 88])
        #expect(GenEventRecord.size == 88)
        #expect(GenEventRecord.fixedSize == 68)
        #expect(GenEventRecord.GenInnerRecord.size == 8)
    }

    @Test func accessorsReadTheCLayout() throws {
        let bytes = Self.sample()
        try bytes.withUnsafeBytes { raw in
            let r = try #require(GenEventRecord(raw))
            #expect(r.u8v == 0xAB)
            #expect(r.u16v == 0xBEEF)
            #expect(r.u32v == 0xDEAD_BEEF)
            #expect(r.u64v == 0x0123_4567_89AB_CDEF)
            #expect(r.s32v == -42)
            #expect(r.inner.a == 7)
            #expect(r.inner.b == -3)
            #expect(r.name == "comm")
            #expect(r.nums == [10, 20, 30])
            #expect(r.flag == 5)
            #expect(r.level == -3)
            #expect(r.u.whole == 0x1111_2222_3333_4444)
            #expect(r.u.half == 0x3333_4444)
            #expect(r.color == 0x10000)
            #expect(r.tail.count == 16)
            #expect(String(decoding: r.tail.prefix(9), as: UTF8.self) == "tail-text")
        }
    }

    @Test func shortRecords() throws {
        let bytes = Self.sample()
        // Partial trailing array: only the bytes present.
        try bytes.withUnsafeBytes { raw in
            let r = try #require(GenEventRecord(UnsafeRawBufferPointer(rebasing: raw[0..<72])))
            #expect(Array(r.tail) == Array("tail".utf8))
            #expect(r.color == 0x10000)
        }
        // Exactly the fixed part: no tail bytes.
        bytes.withUnsafeBytes { raw in
            #expect(GenEventRecord(UnsafeRawBufferPointer(rebasing: raw[0..<68]))?.tail.count == 0)
            // Shorter than the fixed part: not a record.
            #expect(GenEventRecord(UnsafeRawBufferPointer(rebasing: raw[0..<67])) == nil)
        }
    }

    @Test func unterminatedStringStopsAtTheArray() throws {
        var bytes = Self.sample()
        for i in 28..<36 { bytes[i] = UInt8(ascii: "x") }
        try bytes.withUnsafeBytes { raw in
            let r = try #require(GenEventRecord(raw))
            #expect(r.name == "xxxxxxxx")
            #expect(r.nums == [10, 20, 30])
        }
    }
}
