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
}
