@testable import BPF
import Testing

/// USDT argument strings (x86-64 GNU assembler operands) and their `struct __bpf_usdt_spec`
/// encoding, against the forms libbpf's `parse_usdt_arg()` accepts.
@Suite struct USDTArgumentTests {
    @Test func registerOperandsOfEveryWidth() throws {
        let cases: [(String, Int, Bool, String, Int16)] = [
            ("-4@%eax", 4, true, "eax", 80), ("8@%rdx", 8, false, "rdx", 96), ("4@%r12d", 4, false, "r12d", 24),
            ("-2@%cx", 2, true, "cx", 88), ("-1@%sil", 1, true, "sil", 104), ("8@%r8", 8, false, "r8", 72),
            ("1@%r15b", 1, false, "r15b", 0), ("8@%rsp", 8, false, "rsp", 152), ("8@%rip", 8, false, "rip", 128),
            ("-8@%rdi", 8, true, "rdi", 112), ("2@%r10w", 2, false, "r10w", 56), ("8@%rbp", 8, false, "rbp", 32),
        ]
        for (text, size, signed, reg, off) in cases {
            let a = try USDTArgument.parse(text)
            #expect(a.size == size && a.isSigned == signed, "\(text)")
            #expect(a.location == .register(name: reg, offset: off), "\(text)")
            #expect(a.description == text)
        }
    }

    @Test func memoryConstantAndIndexedOperands() throws {
        #expect(try USDTArgument.parse("8@-8(%rbp)").location == .memory(base: "rbp", baseOffset: 32, displacement: -8))
        #expect(try USDTArgument.parse("-4@-1204(%rbp)").location == .memory(base: "rbp", baseOffset: 32, displacement: -1204))
        #expect(try USDTArgument.parse("8@(%rsp)").location == .memory(base: "rsp", baseOffset: 152, displacement: 0))
        #expect(try USDTArgument.parse("-4@112(%rsp)").location == .memory(base: "rsp", baseOffset: 152, displacement: 112))
        #expect(try USDTArgument.parse("-4@$5").location == .constant(5))
        #expect(try USDTArgument.parse("-4@$-9").location == .constant(-9))
        #expect(try USDTArgument.parse("1@-96(%rbp,%rax,8)").location
            == .indexed(base: "rbp", baseOffset: 32, index: "rax", indexOffset: 80, scale: 8, displacement: -96))
        #expect(try USDTArgument.parse("1@(%rbp,%rax)").location
            == .indexed(base: "rbp", baseOffset: 32, index: "rax", indexOffset: 80, scale: 1, displacement: 0))
    }

    /// libbpf's own example note (usdt.c): twelve arguments of every kind.
    @Test func libbpfTwelveArgumentExample() throws {
        let args = try USDTArgument.parseList(
            "-4@-1204(%rbp) -4@%edi -8@-1216(%rbp) -8@%r8 -4@$5 -8@%r9 8@%rdx 8@%r10 -4@$-9 -2@%cx -2@%ax -1@%sil")
        #expect(args.count == 12)
        #expect(args.map(\.size) == [4, 4, 8, 8, 4, 8, 8, 8, 4, 2, 2, 1])
        #expect(args.map(\.isSigned) == [true, true, true, true, true, true, false, false, true, true, true, true])
        #expect(args[4].location == .constant(5) && args[8].location == .constant(-9))
        #expect(try USDTArgument.parseList("").isEmpty)
        #expect(try USDTArgument.parseList("  8@%rax   -4@%edx ").count == 2)
    }

    @Test func badArgumentsNameTheCause() {
        func message(_ text: String) -> String {
            do {
                _ = try USDTArgument.parseList(text)
                return "no error"
            } catch {
                guard case let .invalidArgument(why) = error else { return "wrong error \(error)" }
                return why
            }
        }
        #expect(message("3@%eax").contains("size 3 is not 1, 2, 4 or 8"))
        #expect(message("8@%foo").contains("unknown x86-64 register '%foo'"))
        #expect(message("8@").contains("expected a constant"))
        #expect(message("garbage").contains("expected SIZE@OPERAND"))
        #expect(message("8%rax").contains("expected '@'"))
        #expect(message("8@-8(%rbp").contains("expected ')'"))
        #expect(message("4@$x").contains("decimal constant"))
        #expect(message("1@(%rbp,%rax,3)").contains("scale 3"))
        #expect(message("8@%rax) 4@%edx").contains("unexpected ')'"))
        #expect(message(Array(repeating: "8@%rax", count: 13).joined(separator: " ")).contains("more than 12 arguments"))
        #expect(message("8@%rax 4@%bogus").contains("argument #1"))
    }

    @Test func specEncodingMatchesUsdtBpfH() throws {
        let spec = try USDTSpec(argumentString: "-4@%eax 8@-8(%rbp) -4@$-9 2@%r12w", cookie: 0xfeed_beef)
        let b = try spec.encoded()
        #expect(b.count == 208)
        func u64(_ o: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(b[o + $1]) << (8 * $1) } }
        func u32(_ o: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(b[o + $1]) << (8 * $1) } }
        func i16(_ o: Int) -> Int16 { Int16(bitPattern: UInt16(b[o]) | UInt16(b[o + 1]) << 8) }
        // arg 0: register eax → BPF_USDT_ARG_REG, reg_off 80, signed, bitshift 32
        #expect(u64(0) == 0 && u32(8) == 1 && i16(12) == 80 && b[14] == 1 && b[15] == 32)
        // arg 1: -8(%rbp) → BPF_USDT_ARG_REG_DEREF, val_off -8, reg_off 32, unsigned, bitshift 0
        #expect(u64(16) == UInt64(bitPattern: -8) && u32(24) == 2 && i16(28) == 32 && b[30] == 0 && b[31] == 0)
        // arg 2: constant -9 → BPF_USDT_ARG_CONST, val_off -9
        #expect(u64(32) == UInt64(bitPattern: -9) && u32(40) == 0 && i16(44) == 0 && b[46] == 1 && b[47] == 32)
        // arg 3: r12w → reg_off 24, bitshift 48
        #expect(u32(56) == 1 && i16(60) == 24 && b[63] == 48)
        // unused argument slots stay zero; usdt_cookie at 192, arg_cnt at 200
        #expect(b[64..<192].allSatisfy { $0 == 0 })
        #expect(u64(192) == 0xfeed_beef && i16(200) == 4)
    }

    @Test func scaleIndexBaseIsRefusedForTheInstalledHeader() throws {
        let spec = try USDTSpec(argumentString: "1@-96(%rbp,%rax,8)", cookie: 0)
        #expect {
            _ = try spec.encoded()
        } throws: { error in
            guard case let BPFError.notSupported(feature, reason) = error else { return false }
            return feature.contains("scale-index-base") && reason.contains("BPF_USDT_ARG_SIB")
        }
    }

    @Test func sectionTargets() throws {
        #expect(try USDTSectionTarget.parse(sectionName: "usdt//usr/bin/python3.11:python:gc__start")
            == USDTSectionTarget(path: "/usr/bin/python3.11", provider: "python", name: "gc__start"))
        #expect(try USDTSectionTarget.parse(sectionName: "usdt.s/lib.so:p:n") == USDTSectionTarget(path: "lib.so", provider: "p", name: "n"))
        #expect(try USDTSectionTarget.parse(sectionName: "usdt") == nil)
        #expect(try USDTSectionTarget.parse(sectionName: "usdt.s") == nil)
        for bad in ["usdt/path:provider", "usdt/a:b:c:d", "usdt/:p:n", "usdt/p::n", "usdt/"] {
            #expect(throws: BPFError.self, "\(bad)") { try USDTSectionTarget.parse(sectionName: bad) }
        }
    }
}
