/// One argument of a USDT probe, as its note's argument string describes it (GNU assembler
/// operand syntax, x86-64): `SIZE@OPERAND`, where a negative size means signed.
///
/// | text | meaning |
/// |---|---|
/// | `-4@$5` | the constant 5, a signed 32-bit value |
/// | `8@%rdx` | the unsigned 64-bit value in `rdx` |
/// | `-4@%edi` | the low 32 bits of `rdi`, sign-extended |
/// | `-4@-20(%rbp)` | the signed 32-bit value in memory at `rbp - 20` |
/// | `8@(%rsp)` | the unsigned 64-bit value in memory at `rsp` |
/// | `1@-96(%rbp,%rax,8)` | memory at `rbp + rax * 8 - 96` (scale-index-base) |
///
/// The accepted forms and register names follow libbpf's `parse_usdt_arg()` for x86-64.
public struct USDTArgument: Hashable, Sendable, CustomStringConvertible {
    /// Where the value is.
    public enum Location: Hashable, Sendable {
        /// An immediate (`$N`).
        case constant(Int64)
        /// A register; `offset` is its offset in the kernel's `struct pt_regs`.
        case register(name: String, offset: Int16)
        /// Memory at a register plus a displacement (`D(%reg)`).
        case memory(base: String, baseOffset: Int16, displacement: Int64)
        /// Memory at `base + index * scale + displacement` (`D(%base,%index,S)`).
        case indexed(base: String, baseOffset: Int16, index: String, indexOffset: Int16, scale: Int, displacement: Int64)
    }

    /// The value's size in bytes: 1, 2, 4 or 8.
    public var size: Int
    /// Whether the value is sign-extended to 64 bits (a negative size in the note).
    public var isSigned: Bool
    /// Where the value is.
    public var location: Location

    /// An argument of `size` bytes at `location`.
    public init(size: Int, isSigned: Bool, location: Location) {
        self.size = size
        self.isSigned = isSigned
        self.location = location
    }

    public var description: String {
        let sz = "\(isSigned ? "-" : "")\(size)@"
        switch location {
        case let .constant(v): return sz + "$\(v)"
        case let .register(name, _): return sz + "%" + name
        case let .memory(base, _, d): return sz + "\(d)(%\(base))"
        case let .indexed(base, _, index, _, scale, d): return sz + "\(d)(%\(base),%\(index),\(scale))"
        }
    }

    /// Parses a whole argument string (e.g. `-4@%edi 8@-16(%rbp)`) into at most
    /// `USDTSpec.maxArguments` arguments. An empty string has no arguments.
    /// - Throws: `.invalidArgument` naming the argument that is not understood, its size, an
    ///   unknown register, or too many arguments.
    public static func parseList(_ text: String) throws(BPFError) -> [USDTArgument] {
        var scanner = USDTArgumentScanner(text)
        var out: [USDTArgument] = []
        scanner.skipSpaces()
        while !scanner.atEnd {
            guard out.count < USDTSpec.maxArguments else {
                throw .invalidArgument("USDT argument string '\(text)' has more than \(USDTSpec.maxArguments) arguments")
            }
            out.append(try scanner.argument(number: out.count, in: text))
            scanner.skipSpaces()
        }
        return out
    }

    /// Parses one argument such as `-4@-20(%rbp)` (surrounding spaces allowed).
    public static func parse(_ text: String) throws(BPFError) -> USDTArgument {
        let list = try parseList(text)
        guard list.count == 1 else {
            throw .invalidArgument("'\(text)' is \(list.count) USDT arguments, not one")
        }
        return list[0]
    }
}

/// x86-64 register names (all widths) to their offset in `struct pt_regs`, as libbpf's
/// `calc_pt_regs_off()`: `r15` 0, `r14` 8, `r13` 16, `r12` 24, `rbp` 32, `rbx` 40, `r11` 48,
/// `r10` 56, `r9` 64, `r8` 72, `rax` 80, `rcx` 88, `rdx` 96, `rsi` 104, `rdi` 112, `rip` 128,
/// `rsp` 152.
public enum USDTRegisters {
    static let table: [String: Int16] = {
        var t: [String: Int16] = [:]
        let families: [([String], Int16)] = [
            (["rip", "eip"], 128),
            (["rax", "eax", "ax", "al"], 80),
            (["rbx", "ebx", "bx", "bl"], 40),
            (["rcx", "ecx", "cx", "cl"], 88),
            (["rdx", "edx", "dx", "dl"], 96),
            (["rsi", "esi", "si", "sil"], 104),
            (["rdi", "edi", "di", "dil"], 112),
            (["rbp", "ebp", "bp", "bpl"], 32),
            (["rsp", "esp", "sp", "spl"], 152),
        ]
        for (names, off) in families { for n in names { t[n] = off } }
        let numbered: [(Int, Int16)] = [(8, 72), (9, 64), (10, 56), (11, 48), (12, 24), (13, 16), (14, 8), (15, 0)]
        for (n, off) in numbered {
            for suffix in ["", "d", "w", "b"] { t["r\(n)\(suffix)"] = off }
        }
        return t
    }()

    /// The `struct pt_regs` offset of an x86-64 register name without its `%` (e.g. `eax` → 80).
    public static func ptRegsOffset(_ name: String) -> Int16? { table[name] }
}

/// A character scanner with sscanf-like tolerance for spaces between the tokens of an argument.
struct USDTArgumentScanner {
    let bytes: [UInt8]
    var position = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    var atEnd: Bool { position >= bytes.count }
    var peek: UInt8? { atEnd ? nil : bytes[position] }

    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || (c >= 0x09 && c <= 0x0d) }

    mutating func skipSpaces() {
        while let c = peek, Self.isSpace(c) { position += 1 }
    }

    /// Consumes `c` after optional spaces.
    mutating func take(_ c: Character) -> Bool {
        skipSpaces()
        guard let p = peek, p == c.asciiValue! else { return false }
        position += 1
        return true
    }

    /// A decimal integer with an optional sign (as `%ld`).
    mutating func integer() -> Int64? {
        skipSpaces()
        let start = position
        var negative = false
        if let c = peek, c == UInt8(ascii: "-") || c == UInt8(ascii: "+") {
            negative = c == UInt8(ascii: "-")
            position += 1
        }
        var value: Int64 = 0
        var digits = 0
        while let c = peek, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(c - UInt8(ascii: "0")))
            guard !o1, !o2 else { position = start; return nil }
            value = a
            digits += 1
            position += 1
        }
        guard digits > 0 else { position = start; return nil }
        return negative ? -value : value
    }

    /// A register after `%`: letters and digits.
    mutating func registerName() -> String? {
        guard take("%") else { return nil }
        let start = position
        while let c = peek, (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) {
            position += 1
        }
        guard position > start else { return nil }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// The text from `start` to the next space, for errors.
    func token(from start: Int) -> String {
        var end = start
        while end < bytes.count, !Self.isSpace(bytes[end]) { end += 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    mutating func argument(number: Int, in text: String) throws(BPFError) -> USDTArgument {
        let start = position
        func bad(_ why: String) -> BPFError {
            .invalidArgument("USDT argument #\(number) '\(token(from: start))' of '\(text)': \(why)")
        }
        func offset(_ reg: String) throws(BPFError) -> Int16 {
            guard let off = USDTRegisters.ptRegsOffset(reg) else { throw bad("unknown x86-64 register '%\(reg)'") }
            return off
        }
        guard let rawSize = integer() else { throw bad("expected SIZE@OPERAND") }
        guard take("@") else { throw bad("expected '@' after the size") }
        let size = Int(rawSize.magnitude)
        guard [1, 2, 4, 8].contains(size) else { throw bad("size \(rawSize) is not 1, 2, 4 or 8 bytes") }
        let signed = rawSize < 0

        let location: USDTArgument.Location
        skipSpaces()
        if take("$") {
            guard let value = integer() else { throw bad("expected a decimal constant after '$'") }
            location = .constant(value)
        } else if peek == UInt8(ascii: "%") {
            guard let reg = registerName() else { throw bad("expected a register name after '%'") }
            location = .register(name: reg, offset: try offset(reg))
        } else {
            let displacement = integer() ?? 0
            guard take("(") else { throw bad("expected a constant ($N), a register (%reg) or memory (D(%reg))") }
            guard let base = registerName() else { throw bad("expected a base register after '('") }
            if take(",") {
                guard let index = registerName() else { throw bad("expected an index register after ','") }
                var scale: Int64 = 1
                if take(",") {
                    guard let s = integer() else { throw bad("expected a scale after the index register") }
                    scale = s
                }
                guard [1, 2, 4, 8].contains(scale) else { throw bad("scale \(scale) is not 1, 2, 4 or 8") }
                guard take(")") else { throw bad("expected ')'") }
                location = .indexed(base: base, baseOffset: try offset(base), index: index, indexOffset: try offset(index),
                                    scale: Int(scale), displacement: displacement)
            } else {
                guard take(")") else { throw bad("expected ')' after the base register") }
                location = .memory(base: base, baseOffset: try offset(base), displacement: displacement)
            }
        }
        if let c = peek, !Self.isSpace(c) { throw bad("unexpected '\(Character(UnicodeScalar(c)))' after the operand") }
        return USDTArgument(size: size, isSigned: signed, location: location)
    }
}
