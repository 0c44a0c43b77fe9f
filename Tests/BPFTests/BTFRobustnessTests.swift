import Foundation
import Testing
@testable import BPF

/// Corrupted BTF must give `BPFError`s or parse into something every API can walk: never a crash,
/// a hang or unbounded recursion.
@Suite struct BTFRobustnessTests {
    /// A small deterministic generator (the tests must be reproducible).
    struct LCG {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    private func exercise(_ btf: BTF) {
        for id in btf.typeIDs {
            _ = try? btf.type(id)
            _ = try? btf.resolved(id)
            _ = try? btf.size(of: id)
            _ = try? btf.alignment(of: id)
        }
        _ = try? BTFRawDumper(btf: btf).dumpAll()
        _ = try? BTFCDumper(btf: btf).dumpAll()
        _ = btf.typeIDs(named: "btftest_bits")
    }

    @Test func mutatedObjectBTFNeverCrashes() {
        let original = BTFTestELF.btftestBTF
        let ext = BTFTestELF.btftestBTFExt
        var rng = LCG(state: 0x5eed)
        var parsed = 0, rejected = 0
        for _ in 0..<600 {
            var bytes = original
            for _ in 0..<(1 + rng.below(4)) {
                let at = rng.below(bytes.count)
                // Mostly small changes to one byte, sometimes a type id or count blown up.
                bytes[at] = rng.below(4) == 0 ? 0xff : UInt8(truncatingIfNeeded: Int(bytes[at]) + 1 + rng.below(3))
            }
            do {
                let btf = try BTF(bytes: bytes)
                parsed += 1
                exercise(btf)
                _ = try? BTFExt(bytes: ext, btf: btf)
            } catch {
                rejected += 1
            }
        }
        #expect(parsed + rejected == 600)
        #expect(rejected > 0)
        #expect(parsed > 0)
    }

    @Test func truncatedObjectBTFIsRejected() {
        let original = BTFTestELF.btftestBTF
        for length in stride(from: 0, to: original.count, by: 7) {
            #expect(throws: BPFError.self) { try BTF(bytes: Array(original.prefix(length))) }
        }
    }

    @Test func mutatedExtNeverCrashes() throws {
        let btf = try BTF(bytes: BTFTestELF.btftestBTF)
        let original = BTFTestELF.btftestBTFExt
        var rng = LCG(state: 0xbeef)
        var outcomes = 0
        for _ in 0..<600 {
            var bytes = original
            let at = rng.below(bytes.count)
            bytes[at] = UInt8(truncatingIfNeeded: rng.next())
            if (try? BTFExt(bytes: bytes, btf: btf)) != nil { outcomes += 1 } else { outcomes += 1 }
        }
        #expect(outcomes == 600)
        for length in stride(from: 0, to: original.count, by: 5) {
            #expect(throws: BPFError.self) { try BTFExt(bytes: Array(original.prefix(length)), btf: btf) }
        }
    }

    @Test func typedefCycleFailsTheDumpCleanly() throws {
        var b = BTFBlobBuilder()
        let a = b.name("a_t"), c = b.name("b_t")
        b.record(name: a, kind: .typedef, sizeOrType: 2)
        b.record(name: c, kind: .typedef, sizeOrType: 1)
        let btf = try BTF(bytes: b.build())
        #expect(throws: BPFError.self) { try BTFCDumper(btf: btf).dumpAll() }
    }

    @Test func structContainingItselfFailsCleanly() throws {
        var b = BTFBlobBuilder()
        let s = b.name("self_s"), m = b.name("m")
        b.record(name: s, kind: .struct, vlen: 1, sizeOrType: 8, extra: [m, 1, 0])
        let btf = try BTF(bytes: b.build())
        #expect(throws: BPFError.self) { try btf.alignment(of: 1) }
        #expect(throws: BPFError.self) { try BTFCDumper(btf: btf).dumpAll() }
    }

    /// `struct top { struct { struct { ... int a; int b; } a, b; } a, b; }` where each anonymous
    /// struct is ONE type shared by both members of the next (as BTF dedup makes it): C prints
    /// anonymous types inline, so the text doubles with each level.
    private func sharedAnonymousNesting(depth: Int) throws -> BTF {
        var b = BTFBlobBuilder()
        let int = b.name("int"), a = b.name("a"), bName = b.name("b"), top = b.name("top")
        b.record(name: int, kind: .int, sizeOrType: 4, extra: [1 << 24 | 32])  // [1] int, signed, 32 bits
        var size: UInt32 = 4
        for level in 0..<depth {  // [2 + level]: anonymous, both members of the type below
            let inner = UInt32(1 + level)
            b.record(name: 0, kind: .struct, vlen: 2, sizeOrType: 2 * size, extra: [a, inner, 0, bName, inner, size * 8])
            size *= 2
        }
        b.record(name: top, kind: .struct, vlen: 1, sizeOrType: size, extra: [a, UInt32(1 + depth), 0])
        return try BTF(bytes: b.build())
    }

    @Test func sharedNestedAnonymousTypesDumpInline() throws {
        let text = try BTFCDumper(btf: sharedAnonymousNesting(depth: 3)).dumpAll()
        #expect(text.contains("struct top {"))
        #expect(text.components(separatedBy: "int a;").count - 1 == 4)
        #expect(text.components(separatedBy: "int b;").count - 1 == 4)
    }

    /// Found by FuzzBTF as a timeout: 24 levels would be 16 million inline definitions, and
    /// the alignment of the outer struct took as many steps before it remembered its answers.
    @Test func exponentialInlineTextFailsTheDumpCleanly() throws {
        let btf = try sharedAnonymousNesting(depth: 24)
        #expect(try btf.alignment(of: 26) == 4)
        #expect {
            try BTFCDumper(btf: btf).dumpAll()
        } throws: { error in
            "\(error)".contains("inline definitions repeat exponentially")
        }
        #expect(throws: BPFError.self) { try BTFCDumper(btf: btf).dump(roots: ["top"]) }
    }

    /// A struct claiming 4 GB and no members would be padded with half a billion `long: 64;`.
    @Test func gigabyteStructFailsTheDumpCleanly() throws {
        var b = BTFBlobBuilder()
        b.record(name: b.name("huge"), kind: .struct, sizeOrType: 0xffff_fff8)
        #expect(throws: BPFError.self) { try BTFCDumper(btf: BTF(bytes: b.build())).dumpAll() }
    }

    /// FuzzBTF's first finding (Scripts/fuzz.sh FuzzBTF; it did not minimize below 1131 bytes):
    /// the C dump of this BTF ran for more than 10 s before the dumper had a budget.
    static let fuzzTimeoutBTF = Array(Data(base64Encoded:
        "n+sBABgAAAAAAAAATAMAAEwDAAAHAQAAAQAAAAAAAAEBAAAACAAAAQAAAAAAAAADAAAAAAEAAAADAAAABAAAAAYAAAAAAAAB" +
        "BAAAACAAAAAaAAAAAAAADgIAAAABAAAAIgAAAAUAAIQ8AAAAJgAAAAYAAAAAAAAAKgAAAAgAAAAgAAAALwAAAAYAAACgAQAF" +
        "NQAAAAYAAADAAQAAOwAAAAkAAADgAQAAQAAAAAAAAAEEAAAAIAAAAQAAAAAAAAADAAAAAAYAAAADAAAABAAAAAAAAAAAAAAD" +
        "AAAAAAcAAAADAAAAAwAAAAAAAAAAAAADAAAAAAEAAAADAAAAAAAAAEQAAAAAAAAOBQAAAAEAAABHAAAAAgAAhAkAAABUAAAA" +
        "DAAAAAAAADxYAAAADAAAADwAAAheAAAAAAAAAQgAAABAAAAAcQAAAAAAAA4LAAAAAQAAAHUAAAACAAAECAAAACYAAAAGAAAA" +
        "AAAAAIAAAAAGAAAAIAAAAIIAAAAAAAAODgAAAAEAAACFAAAAAQAABAQAAACAAAAABgAAAAAAAACVAAAAAAAADhAAAAABAAAA" +
        "mAAAAAEAAAQEAAAAgAAAAAYAAAAAAAAAoQAAAAAAAA4SAAAAAQAAAKQAAAABAAAECAAAAIAAAAAVAAAAAAAA//8AAAAAAAAB" +
        "/f///0AAAAG3AAAAAAAADhQAAAABAAAAugAAAAEAAAQEAAAAgAAAAAYAAAAAAAAAxAAAAAAAAA4XAAAAAQAAAMcAAAACAAAE" +
        "CAAAAIAAAAAGAAAAAAAAANYAAAAGAAAAIAAAANgAAAAAAAAOGQAAAAEAAADbAAAAAQAABAQAAACAAAAABgAAAAAAAADlAAAA" +
        "AAAADhsAAAABAAAA6AAAAAIAAAQIAAAAgAAAAAYAAAAAAAAA1gAAAAYAAAAgAAAA9wAAAAAAAA4dAAAAAQAAAPoAAAAKAAAP" +
        "AAAAAAoAAAAAAAAAPAAAAA0AAAAAAAAACQAAAA8AAAAAAAAACAAAABEAAAAAAAAABAAAABMAAAAAAAAABAAAABYAAAAAAAAA" +
        "CAAAABgAAAAAAAAABAAAABoAAAAAAAAACAAAABwAAAAAAAAABAAAAB4AAAAAAAAACAAAAP8AAAABAAAPAAAAAAQAAAAAAAAA" +
        "BAAAAABjaGFyAF9fQVJSQVlfU0laRV9UWVArX18ATElDRU5TRQBsYXkAcGFkAGdyaWQAc2JpdHMAY291bnQAJmxleABpbnQA" +
        "dDkAbGF5X3N0cmFkZGxlAGxvdwBjcm9zcwB1bnNpZ25lZCBsb25nIGxvbmcAdDEwAGFtYl9vZmZzZXQAeAB0MQBhbWJfb2Zm" +
        "c2V0X19fdjIAdDIAYW1iX3NpemUAdDMAYW1iX3NpemVfX192MgBsb25nAHQ0AGFtYl9hZ3JlZQB0NQBhbWJfYWdyZWVfX192" +
        "MgB5AHQ2AGFtYl9wcnVuZQB0NwBhbWJfcHJ1bmVfX192MgB0OAAuYnNzAGxpY2Vuc2UA")!)

    @Test func fuzzFoundSlowBTFDumpEndsWithAnError() throws {
        let btf = try BTF(bytes: Self.fuzzTimeoutBTF)
        #expect(throws: BPFError.self) { try BTFCDumper(btf: btf).dumpAll(options: .init(vmlinuxHeader: true)) }
    }
}
