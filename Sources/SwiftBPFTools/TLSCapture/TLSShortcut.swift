import BPF

/// Probing OpenSSL's internal read and write functions instead of its public ones, where that
/// avoids a single step.
///
/// A uprobe is a breakpoint on the probed instruction; the kernel then either emulates that
/// instruction (x86: `push` of a register, `call`, `jmp`, `nop`) or executes a copy of it out of
/// line, which costs a second, debug, trap. OpenSSL's `SSL_read_ex` and `SSL_write_ex` (and
/// `SSL_read`, `SSL_write`) start with `sub $N,%rsp` and so take the slow path on every call; in
/// this VM a probe on such an instruction cost 15.8 µs a call against 0.84 µs on a `push`
/// (`Benchmarks/uprobe-insn.sh`). As distributions build them, the `_ex` functions are only
/// `sub $8,%rsp; call ssl_read_internal` (the internal function has their arguments and return),
/// and `SSL_read`/`SSL_write` call the same internal function, which starts with `push`.
///
/// This finds the internal function by decoding that call, checks that it starts with an
/// emulated `push`, and lists the call sites that return into the public functions, so the
/// BPF side can name the public function from the return address (`payload_callers`). Anything
/// else (another compiler's prologue, another architecture, a call not found) keeps the probes on
/// the public functions. Pure: works on code bytes.
public enum TLSShortcut {
    /// The internal function to probe, and who calls it.
    public struct Plan: Equatable, Sendable {
        /// The internal function's file offset.
        public var fileOffset: UInt64
        /// The public functions it stands for (`SSL_read_ex`, and `SSL_read` when that calls it too).
        public var symbols: [String]
        /// One per call site.
        public var callers: [Caller]
    }

    /// A call site of the internal function in a public one.
    public struct Caller: Equatable, Sendable {
        /// Its return address - the internal function's address: the same in every process.
        public var delta: Int64
        /// The public function's `PAYLOAD_FN_*` code.
        public var function: UInt32
    }

    /// A public function: its name, `PAYLOAD_FN_*` code, file offset and code bytes (its first
    /// bytes are enough; up to its symbol size).
    public struct Function: Sendable {
        public var symbol: String
        public var code: UInt32
        public var fileOffset: UInt64
        public var bytes: [UInt8]

        public init(symbol: String, code: UInt32, fileOffset: UInt64, bytes: [UInt8]) {
            self.symbol = symbol
            self.code = code
            self.fileOffset = fileOffset
            self.bytes = bytes
        }
    }

    /// `[endbr64] sub $imm8,%rsp; call rel32` at the start of `code`: the call's offset in `code`
    /// and its target relative to the start of `code`.
    public static func forwardingCall(_ code: [UInt8]) -> (callOffset: Int, target: Int64)? {
        var i = 0
        if code.starts(with: [0xF3, 0x0F, 0x1E, 0xFA]) { i = 4 }          // endbr64
        guard code.count >= i + 9, code[i] == 0x48, code[i + 1] == 0x83, code[i + 2] == 0xEC else { return nil }
        i += 4                                                                // sub $imm8,%rsp
        guard code[i] == 0xE8 else { return nil }                             // call rel32
        return (i, Int64(i + 5) + Int64(rel32(code, at: i + 1)))
    }

    /// The offsets in `code` of `call rel32` instructions whose target is `target` (relative to
    /// the start of `code`). A byte scan: an `e8` inside another instruction matches only if the
    /// four bytes after it also happen to give exactly that target.
    public static func calls(in code: [UInt8], to target: Int64) -> [Int] {
        guard code.count >= 5 else { return [] }
        return (0...(code.count - 5)).filter { i in
            code[i] == 0xE8 && Int64(i + 5) + Int64(rel32(code, at: i + 1)) == target
        }
    }

    /// Whether `code` starts with an instruction the kernel's x86 uprobes emulate without a
    /// single step: `push` of a 64-bit register (`50+r`, or `41 50+r` for r8-r15), optionally
    /// after `endbr64`.
    public static func startsWithEmulatedPush(_ code: [UInt8]) -> Bool {
        var i = 0
        if code.starts(with: [0xF3, 0x0F, 0x1E, 0xFA]) { i = 4 }
        guard code.count > i else { return false }
        if (0x50...0x57).contains(code[i]) { return true }
        return code.count > i + 1 && code[i] == 0x41 && (0x50...0x57).contains(code[i + 1])
    }

    /// The plan for one direction: `ex` (`SSL_read_ex`) forwards to an internal function that
    /// starts with a `push`; `plain` (`SSL_read`) is covered too when it calls the same function.
    /// `internalBytes(offset)` gives the first bytes at a file offset (nil: unreadable).
    public static func plan(ex: Function, plain: Function?, internalBytes: (UInt64) -> [UInt8]?) -> Plan? {
        guard let (callOffset, target) = forwardingCall(ex.bytes) else { return nil }
        let (inner, overflow) = Int64(ex.fileOffset).addingReportingOverflow(target)
        guard !overflow, inner > 0, let head = internalBytes(UInt64(inner)), startsWithEmulatedPush(head) else { return nil }
        var symbols = [ex.symbol]
        var callers = [Caller(delta: Int64(ex.fileOffset) + Int64(callOffset + 5) - inner, function: ex.code)]
        if let plain {
            let sites = calls(in: plain.bytes, to: inner - Int64(plain.fileOffset))
            if !sites.isEmpty {
                symbols.append(plain.symbol)
                callers += sites.map { Caller(delta: Int64(plain.fileOffset) + Int64($0 + 5) - inner, function: plain.code) }
            }
        }
        return Plan(fileOffset: UInt64(inner), symbols: symbols, callers: callers)
    }

    static func rel32(_ code: [UInt8], at i: Int) -> Int32 {
        Int32(bitPattern: UInt32(code[i]) | UInt32(code[i + 1]) << 8 | UInt32(code[i + 2]) << 16 | UInt32(code[i + 3]) << 24)
    }
}
