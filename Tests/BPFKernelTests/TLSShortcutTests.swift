import BPF
import Foundation
import SwiftBPFTools
import Testing

/// The decoding behind probing OpenSSL's internal read and write functions (`TLSShortcut`):
/// synthetic code first, then Debian's own libssl.so.3.
struct TLSShortcutTests {
    // sub $0x8,%rsp; call +0x100 (from the end of the call); add $0x8,%rsp; ret
    static let forwarding: [UInt8] = [0x48, 0x83, 0xEC, 0x08, 0xE8, 0x00, 0x01, 0x00, 0x00, 0x48, 0x83, 0xC4, 0x08, 0xC3]

    @Test func decodesTheForwardingCall() throws {
        let call = try #require(TLSShortcut.forwardingCall(Self.forwarding))
        #expect(call.callOffset == 4 && call.target == 9 + 0x100)
        // With endbr64 first.
        let cet = try #require(TLSShortcut.forwardingCall([0xF3, 0x0F, 0x1E, 0xFA] + Self.forwarding))
        #expect(cet.callOffset == 8 && cet.target == 13 + 0x100)
        // A backwards call.
        let back = try #require(TLSShortcut.forwardingCall([0x48, 0x83, 0xEC, 0x18, 0xE8, 0xF0, 0xFF, 0xFF, 0xFF]))
        #expect(back.target == 9 - 16)
        // Anything else is not a forwarding function.
        #expect(TLSShortcut.forwardingCall([0x55, 0x48, 0x89, 0xE5, 0xE8, 0, 0, 0, 0]) == nil)          // push %rbp; mov
        #expect(TLSShortcut.forwardingCall([0x48, 0x83, 0xEC, 0x08, 0x31, 0xC0, 0xE8, 0, 0, 0, 0]) == nil)
        #expect(TLSShortcut.forwardingCall([0x48, 0x83, 0xEC]) == nil)                                   // truncated
        #expect(TLSShortcut.forwardingCall([]) == nil)
    }

    @Test func recognisesEmulatedPushes() {
        #expect(TLSShortcut.startsWithEmulatedPush([0x55]))                     // push %rbp
        #expect(TLSShortcut.startsWithEmulatedPush([0x41, 0x55]))               // push %r13
        #expect(TLSShortcut.startsWithEmulatedPush([0xF3, 0x0F, 0x1E, 0xFA, 0x53]))
        #expect(!TLSShortcut.startsWithEmulatedPush([0x48, 0x83, 0xEC, 0x18]))  // sub $0x18,%rsp
        #expect(!TLSShortcut.startsWithEmulatedPush([0x41]))
        #expect(!TLSShortcut.startsWithEmulatedPush([]))
    }

    @Test func plansBothDirectionsAndCallers() throws {
        // SSL_read_ex at 0x1000 forwards to 0x1000 + 9 + 0x100; SSL_read at 0x1200 calls it at +0x10.
        let inner: Int64 = 0x1000 + 9 + 0x100
        var plain = [UInt8](repeating: 0x90, count: 0x30)
        let rel = Int32(inner - (0x1200 + 0x10 + 5))
        plain.replaceSubrange(0x10..<0x15, with: [0xE8] + withUnsafeBytes(of: rel.littleEndian, Array.init))
        let ex = TLSShortcut.Function(symbol: "SSL_read_ex", code: 4, fileOffset: 0x1000, bytes: Self.forwarding)
        let sslRead = TLSShortcut.Function(symbol: "SSL_read", code: 2, fileOffset: 0x1200, bytes: plain)
        let plan = try #require(TLSShortcut.plan(ex: ex, plain: sslRead) { $0 == UInt64(inner) ? [0x41, 0x55, 0x41, 0x54] : nil })
        #expect(plan.fileOffset == UInt64(inner))
        #expect(plan.symbols == ["SSL_read_ex", "SSL_read"])
        #expect(plan.callers.map(\.delta) == [0x1000 + 9 - inner, 0x1200 + 0x15 - inner])
        #expect(plan.callers.map(\.function) == [4, 2])
        // The internal function starts with an instruction that is single-stepped: no plan.
        #expect(TLSShortcut.plan(ex: ex, plain: sslRead) { _ in [0x48, 0x83, 0xEC, 0x38] } == nil)
        // Unreadable: no plan.
        #expect(TLSShortcut.plan(ex: ex, plain: sslRead) { _ in nil } == nil)
        // SSL_read calling something else: only SSL_read_ex is covered.
        let other = TLSShortcut.Function(symbol: "SSL_read", code: 2, fileOffset: 0x1200, bytes: [UInt8](repeating: 0x90, count: 0x30))
        let alone = try #require(TLSShortcut.plan(ex: ex, plain: other) { _ in [0x55] })
        #expect(alone.symbols == ["SSL_read_ex"] && alone.callers.count == 1)
    }

    static let libssl = "/usr/lib/x86_64-linux-gnu/libssl.so.3"

    /// Debian 12's and 13's libssl3 (x86-64): both `_ex` functions forward to a function that
    /// starts with a push, and `SSL_read`/`SSL_write` call the same ones.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: libssl), "needs Debian's x86-64 libssl.so.3 (package libssl3)"))
    func findsTheInternalFunctionsOfDebiansLibssl() throws {
        try Self.checkDebiansLibssl()
    }

    /// The same while sslsniff's probes sit on those functions: ExecutableELF must read the
    /// file's code, not the breakpoints uprobes write into private mappings of it (a second
    /// tracer once found `int3` there and fell back to the slow probes).
    @Test(.enabled(if: FileManager.default.fileExists(atPath: libssl), "needs Debian's x86-64 libssl.so.3 (package libssl3)"),
          .enabled(if: getuid() == 0, "attaching uprobes needs root"))
    func readsTheFileNotTheBreakpointsOfAnotherTracer() throws {
        let sniff = try SSLSniff(options: .init(binaries: [Self.libssl]))
        defer { sniff.stop() }
        #if arch(x86_64)
        #expect(sniff.probes.attachments.contains { $0.shortcuts.count == 2 })
        #endif
        try Self.checkDebiansLibssl()
        let second = try SSLSniff(options: .init(binaries: [Self.libssl]))
        defer { second.stop() }
        #if arch(x86_64)
        #expect(second.probes.attachments.contains { $0.shortcuts.count == 2 }, "\(second.probes.attachments.map(\.shortcuts))")
        #endif
    }

    static func checkDebiansLibssl() throws {
        let path = libssl
        let elf = try ExecutableELF(path: path)
        func function(_ symbol: String, _ code: UInt32) throws -> TLSShortcut.Function {
            let t = try UprobeTarget.resolve(binary: path, symbol: symbol)
            let size = Int(min(max(t.symbol?.size ?? 64, 16), 512))
            return TLSShortcut.Function(symbol: symbol, code: code, fileOffset: t.fileOffset, bytes: try elf.bytes(atFileOffset: t.fileOffset, count: size))
        }
        for (ex, exCode, plain, plainCode) in [("SSL_write_ex", UInt32(3), "SSL_write", UInt32(1)), ("SSL_read_ex", 4, "SSL_read", 2)] {
            let plan = try #require(TLSShortcut.plan(ex: try function(ex, exCode), plain: try function(plain, plainCode)) {
                try? elf.bytes(atFileOffset: $0, count: 8)
            }, "\(ex) of \(path)")
            #expect(plan.symbols == [ex, plain])
            #expect(Set(plan.callers.map(\.function)) == [exCode, plainCode])
            // Every caller's return address lies after a call into the internal function.
            for caller in plan.callers {
                let site = UInt64(Int64(plan.fileOffset) + caller.delta) - 5
                let bytes = try elf.bytes(atFileOffset: site, count: 5)
                #expect(bytes[0] == 0xE8 && Int64(site) + 5 + Int64(Int32(bitPattern: UInt32(bytes[1]) | UInt32(bytes[2]) << 8 | UInt32(bytes[3]) << 16 | UInt32(bytes[4]) << 24)) == Int64(plan.fileOffset))
            }
        }
    }
}
