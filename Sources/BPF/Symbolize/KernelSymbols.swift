/// The kernel's function symbols from /proc/kallsyms, sorted by address, for turning kernel
/// stack addresses into `function+offset [module]`.
///
/// The text is kept as read and each symbol is an index into it (address, name range, module),
/// so the ~120,000 symbols of a kernel cost a few MB and no `String` until one is resolved.
/// Only text symbols (types `t`, `T`, `w`, `W`) are kept: stacks hold code addresses.
public final class KernelSymbols: Sendable {
    struct Entry: Sendable {
        var address: UInt64
        var nameStart: UInt32
        var nameLength: UInt16
        /// 0 for vmlinux, else index + 1 into `modules`.
        var module: UInt16
        /// Among symbols at one address the one with the highest rank wins (global over local).
        var rank: UInt8
    }

    private let text: [UInt8]
    private let entries: [Entry]
    private let modules: [String]

    /// The number of text symbols.
    public var count: Int { entries.count }

    /// Reads and parses /proc/kallsyms.
    /// - Throws: `.notSupported` when the file shows only zero addresses (`kptr_restrict`, or a
    ///   reader without `CAP_SYSLOG`), `.syscall` if it cannot be read.
    public static func load(path: String = "/proc/kallsyms") throws(BPFError) -> KernelSymbols {
        try KernelSymbols(parsing: Syscalls.readFile(path), source: path)
    }

    /// Parses text in /proc/kallsyms' format: `ADDRESS TYPE NAME[\t[MODULE]]` per line, the
    /// address in hex. Pure: no system calls.
    /// - Throws: `.invalidArgument` naming the line of a malformed entry; `.notSupported` if
    ///   every address is zero (the kernel hides them from this reader).
    public init(parsing text: [UInt8], source: String = "kallsyms text") throws(BPFError) {
        guard text.count < Int(UInt32.max) else { throw .invalidArgument("\(source) is larger than 4 GiB") }
        var entries: [Entry] = []
        entries.reserveCapacity(text.count / 40)
        var modules: [String] = []
        var moduleIndex: [String: UInt16] = [:]
        var sawNonZero = false
        var sawAny = false
        var lineNumber = 0
        var i = 0
        let n = text.count
        while i < n {
            lineNumber += 1
            var end = i
            while end < n, text[end] != 0x0A { end += 1 }
            defer { i = end + 1 }
            if end == i { continue }  // empty line
            // Address.
            var p = i
            var address: UInt64 = 0
            var digits = 0
            while p < end, let d = Self.hexValue(text[p]) {
                guard digits < 16 else { throw .invalidArgument("\(source) line \(lineNumber): address longer than 16 hex digits") }
                address = address << 4 | UInt64(d)
                digits += 1
                p += 1
            }
            guard digits > 0, p < end, text[p] == 0x20 else {
                throw .invalidArgument("\(source) line \(lineNumber): expected `ADDRESS TYPE NAME`")
            }
            p += 1
            guard p + 1 < end, text[p + 1] == 0x20 else {
                throw .invalidArgument("\(source) line \(lineNumber): expected a one-letter symbol type after the address")
            }
            let type = text[p]
            p += 2
            // Name, up to a tab (before the module) or the end of the line.
            let nameStart = p
            while p < end, text[p] != 0x09, text[p] != 0x20 { p += 1 }
            guard p > nameStart else { throw .invalidArgument("\(source) line \(lineNumber): symbol without a name") }
            let nameLength = p - nameStart
            // Optional `[module]`.
            var module: UInt16 = 0
            while p < end, text[p] == 0x09 || text[p] == 0x20 { p += 1 }
            if p < end {
                guard text[p] == 0x5B, text[end - 1] == 0x5D, end - 1 > p + 1 else {
                    throw .invalidArgument("\(source) line \(lineNumber): expected `[module]` after the name")
                }
                let name = String(decoding: text[(p + 1)..<(end - 1)], as: UTF8.self)
                if let known = moduleIndex[name] {
                    module = known
                } else {
                    guard modules.count < Int(UInt16.max) - 1 else { throw .invalidArgument("\(source): more than 65534 modules") }
                    modules.append(name)
                    module = UInt16(modules.count)
                    moduleIndex[name] = module
                }
            }
            sawAny = true
            if address != 0 { sawNonZero = true }
            let rank: UInt8
            switch type {
            case UInt8(ascii: "T"): rank = 3
            case UInt8(ascii: "W"): rank = 2
            case UInt8(ascii: "t"): rank = 1
            case UInt8(ascii: "w"): rank = 0
            default: continue  // data, absolute, bss: not code
            }
            guard nameLength <= Int(UInt16.max) else { throw .invalidArgument("\(source) line \(lineNumber): name longer than 65535 bytes") }
            entries.append(Entry(address: address, nameStart: UInt32(nameStart), nameLength: UInt16(nameLength), module: module, rank: rank))
        }
        if sawAny && !sawNonZero {
            throw .notSupported(feature: "kernel symbol addresses",
                                reason: "\(source) shows every address as 0 (kernel.kptr_restrict, or a reader without CAP_SYSLOG)")
        }
        // /proc/kallsyms is sorted for vmlinux but not across modules.
        var sorted = true
        for k in entries.indices.dropFirst() where Self.before(entries[k], entries[k - 1]) { sorted = false; break }
        if !sorted { entries.sort(by: Self.before) }
        self.text = text
        self.entries = entries
        self.modules = modules
    }

    /// Address order; at one address the preferred symbol last (so a search for the last
    /// entry at or below an address finds it).
    private static func before(_ a: Entry, _ b: Entry) -> Bool {
        a.address != b.address ? a.address < b.address : a.rank < b.rank
    }

    /// The symbol that contains `address`: the nearest text symbol at or below it. Nil below
    /// the first symbol, and for addresses more than `maximumDistance` past the last one.
    public func symbolize(_ address: UInt64) -> Symbol? {
        guard let index = entryIndex(containing: address) else { return nil }
        let e = entries[index]
        if index == entries.count - 1, address - e.address > Self.maximumDistance { return nil }
        return symbol(e, offset: address - e.address)
    }

    /// How far past the last symbol an address still resolves to it (1 MiB).
    public static let maximumDistance: UInt64 = 1 << 20

    /// The address of the text symbol `name` (a vmlinux symbol before a module's), or nil.
    public func address(of name: String) -> UInt64? {
        let wanted = Array(name.utf8)
        var best: Entry?
        for e in entries where Int(e.nameLength) == wanted.count {
            let s = Int(e.nameStart)
            if text[s..<(s + wanted.count)].elementsEqual(wanted) {
                if e.module == 0 { return e.address }
                if best == nil { best = e }
            }
        }
        return best?.address
    }

    /// The module names that appear in the table (`bpf`, `__builtin__ftrace`, …).
    public var moduleNames: [String] { modules }

    private func entryIndex(containing address: UInt64) -> Int? {
        var low = 0
        var high = entries.count
        while low < high {
            let mid = (low + high) / 2
            if entries[mid].address <= address { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? nil : low - 1
    }

    private func symbol(_ e: Entry, offset: UInt64) -> Symbol {
        let start = Int(e.nameStart)
        let name = String(decoding: text[start..<(start + Int(e.nameLength))], as: UTF8.self)
        return Symbol(name: name, address: e.address, offset: offset, module: e.module == 0 ? nil : modules[Int(e.module) - 1])
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }
}
