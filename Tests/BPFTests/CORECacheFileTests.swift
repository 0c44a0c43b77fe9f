@testable import BPF
import Testing

/// The CO-RE cache file codec (`CORECacheFile`) and key digest: pure, and every malformed
/// input is refused rather than trusted.
@Suite struct CORECacheFileTests {
    static let result = CORERelocationResult(
        instructionIndex: 1, kind: .fieldByteOffset, localTypeID: 5, accessString: "0:52",
        localSpec: "struct task_struct.pid (0:52 @ offset 2616)", targetSpec: "[170] struct task_struct.pid (0:77 @ offset 2544)",
        originalValue: 2616, newValue: 2544, poisoned: false, memorySizeFrom: 8, memorySizeTo: 4)
    static let poisoned = CORERelocationResult(
        instructionIndex: 0, kind: .fieldByteOffset, localTypeID: 7, accessString: "0:3",
        localSpec: "struct task_struct___fake.does_not_exist", targetSpec: nil,
        originalValue: -1, newValue: 0, poisoned: true, memorySizeFrom: nil, memorySizeTo: nil)

    static var sample: CORECacheFile {
        var digest = COREInputHash()
        digest.add("diff_core")
        let key = CORECacheKey(bootID: Array("0b7e6d5c-1111-2222-3333-444455556666".utf8), kernelBTFSize: 6_123_456, objectDigest: digest)
        return CORECacheFile(key: key, functions: [
            .init(section: "tp/syscalls/sys_enter_getpid", offset: 0,
                  instructions: [Instruction(opcode: 0x85, imm: 0x0bad2310), Instruction(opcode: 0x61, dst: 1, src: 2, offset: 2544),
                                 Instruction(opcode: 0x95)],
                  results: [poisoned, result]),
            .init(section: ".text", offset: 12, instructions: [Instruction(opcode: 0x95)], results: []),
        ])
    }

    @Test func roundTrips() throws {
        let bytes = try #require(Self.sample.encoded())
        #expect(CORECacheFile.decode(bytes) == Self.sample)
        #expect(try #require(CORECacheFile.decode(bytes)).encoded() == bytes)
        let empty = CORECacheFile(key: Self.sample.key, functions: [])
        #expect(CORECacheFile.decode(try #require(empty.encoded())) == empty)
    }

    @Test func everyTruncationAndExtensionIsRefused() throws {
        let bytes = try #require(Self.sample.encoded())
        for n in 0..<bytes.count { #expect(CORECacheFile.decode(Array(bytes.prefix(n))) == nil, "prefix \(n)") }
        #expect(CORECacheFile.decode(bytes + [0]) == nil)
    }

    @Test func malformedFieldsAreRefused() throws {
        let bytes = try #require(Self.sample.encoded())
        var wrongMagic = bytes; wrongMagic[0] ^= 1
        var wrongVersion = bytes; wrongVersion[8] &+= 1
        #expect(CORECacheFile.decode(wrongMagic) == nil)
        #expect(CORECacheFile.decode(wrongVersion) == nil)
        // Each byte set to 0xff in turn: whatever decodes must still be a consistent file.
        for i in bytes.indices {
            var b = bytes
            b[i] = 0xff
            if let f = CORECacheFile.decode(b) {
                #expect(f.encoded() == b)
                for fn in f.functions { #expect(fn.results.allSatisfy { $0.instructionIndex < fn.instructions.count }) }
            }
        }
        // A huge count with nothing behind it allocates nothing and fails.
        let header = Array(bytes.prefix(8 + 8 + 2 + 36 + 8 + 16))
        #expect(CORECacheFile.decode(header + [0xff, 0xff, 0xff, 0xff]) == nil)
        #expect(CORECacheFile.decode(Array(repeating: 0xff, count: 1 << 16)) == nil)
    }

    @Test func resultsPastTheFunctionOrUnknownKindsAreRefused() throws {
        var file = Self.sample
        file.functions[1].results = [Self.result]  // index 1 in a 1-instruction function
        #expect(CORECacheFile.decode(try #require(file.encoded())) == nil)
    }

    @Test func digestSeparatesInputs() {
        func digest(_ parts: [String]) -> COREInputHash {
            var d = COREInputHash()
            for p in parts { d.add(p) }
            return d
        }
        #expect(digest(["ab", "c"]) == digest(["ab", "c"]))
        #expect(digest(["ab", "c"]) != digest(["a", "bc"]))
        #expect(digest(["x"]) != digest(["y"]))
        #expect(digest([]).hex.count == 32)
    }
}
