/// The attach target in a uprobe section name, as libbpf's `attach_uprobe` reads it:
/// `SEC("uprobe/BINARY:FUNCTION[+OFFSET]")`, `uretprobe/...`, `uprobe.s/...`, `uretprobe.s/...`.
/// The binary runs up to the first ':'; a trailing `+OFFSET` (decimal, 0x hex or 0 octal) is an
/// offset into the function. A function part that is only a number (`bash:0x4a2c0`) is a virtual
/// address in the binary. Bare `SEC("uprobe")` names no target (it is attached explicitly).
public struct UprobeSection: Hashable, Sendable {
    /// What the probe is placed on.
    public enum Location: Hashable, Sendable {
        /// A function by name (optionally with a version) and an offset into it.
        case function(String, offset: UInt64)
        /// A virtual address in the binary (converted to a file offset through its segments).
        case address(UInt64)
    }

    /// `uretprobe` or `uretprobe.s`.
    public var isReturnProbe: Bool
    /// `uprobe.s` or `uretprobe.s`: a sleepable program (set at load).
    public var isSleepable: Bool
    /// The binary as written (a path or a library name, resolved by `BinaryPathResolver`).
    public var binary: String
    /// Where in the binary the probe goes.
    public var location: Location

    /// Parses `sectionName`; nil for a bare `uprobe`/`uretprobe` (no auto-attach).
    /// - Throws: `.invalidArgument` naming what is wrong (libbpf: "missing ':function[+offset]'",
    ///   "uretprobes do not support offset specification").
    public static func parse(_ sectionName: String) throws(BPFError) -> UprobeSection? {
        let prefix: Substring
        let rest: Substring?
        if let slash = sectionName.firstIndex(of: "/") {
            prefix = sectionName[..<slash]
            rest = sectionName[sectionName.index(after: slash)...]
        } else {
            prefix = Substring(sectionName)
            rest = nil
        }
        guard ["uprobe", "uretprobe", "uprobe.s", "uretprobe.s"].contains(prefix) else {
            throw .invalidArgument("section '\(sectionName)' is not a uprobe section (uprobe/, uretprobe/, uprobe.s/, uretprobe.s/)")
        }
        guard let rest, !rest.isEmpty else { return nil }
        let isReturn = prefix.hasPrefix("uretprobe")
        guard let colon = rest.firstIndex(of: ":"), colon != rest.startIndex else {
            throw .invalidArgument("section '\(sectionName)' is missing ':function[+offset]' (the form is \(prefix)/BINARY:FUNCTION[+OFFSET])")
        }
        let binary = String(rest[..<colon])
        var function = rest[rest.index(after: colon)...]
        guard !function.isEmpty else {
            throw .invalidArgument("section '\(sectionName)' names no function after ':' (the form is \(prefix)/BINARY:FUNCTION[+OFFSET])")
        }
        if let address = parseNumber(function) {
            return UprobeSection(isReturnProbe: isReturn, isSleepable: prefix.hasSuffix(".s"), binary: binary, location: .address(address))
        }
        var offset: UInt64 = 0
        if let plus = function.lastIndex(of: "+"), let value = parseNumber(function[function.index(after: plus)...]) {
            offset = value
            function = function[..<plus]
        }
        guard !function.isEmpty else { throw .invalidArgument("section '\(sectionName)' names no function before '+'") }
        if isReturn && offset != 0 {
            throw .invalidArgument("section '\(sectionName)': uretprobes do not support an offset into the function")
        }
        return UprobeSection(isReturnProbe: isReturn, isSleepable: prefix.hasSuffix(".s"), binary: binary,
                             location: .function(String(function), offset: offset))
    }

    /// A C-style unsigned number (`%li`): `0x` hex, leading-0 octal, or decimal; nil otherwise.
    static func parseNumber(_ text: Substring) -> UInt64? {
        if text.hasPrefix("0x") || text.hasPrefix("0X") { return UInt64(text.dropFirst(2), radix: 16) }
        if text.count > 1, text.hasPrefix("0") { return UInt64(text.dropFirst(), radix: 8) }
        return UInt64(text, radix: 10)
    }
}
