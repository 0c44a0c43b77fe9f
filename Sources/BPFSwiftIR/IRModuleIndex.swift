import Foundation

/// What the rewrite needs to know about a module printed by `swiftc -emit-ir`: its functions
/// (where each body starts and ends, its section), declarations, globals and debug metadata.
/// The text has one top-level entity per line and function bodies between a `define ... {`
/// line and a line holding only `}`.
struct IRModuleIndex {
    struct Function {
        var name: String
        var headerLine: Int
        var endLine: Int
        var section: String?
    }

    var lines: [Substring]
    var functions: [String: Function] = [:]
    var functionOrder: [String] = []
    var declarations: Set<String> = []
    var globals: Set<String> = []
    /// `!N = ...` lines by N, without `distinct`.
    var metadata: [Int: Substring] = [:]

    init(_ text: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var i = 0
        while i < lines.count {
            let line = lines[i]
            if line.hasPrefix("define "), let name = Self.definedFunction(line) {
                var end = i
                while end < lines.count, lines[end] != "}" { end += 1 }
                functions[name] = Function(name: name, headerLine: i, endLine: end, section: Self.quoted(after: " section ", in: line))
                functionOrder.append(name)
                i = end + 1
                continue
            }
            if line.hasPrefix("declare "), let name = Self.definedFunction(line) {
                declarations.insert(name)
            } else if line.hasPrefix("@"), let s = Self.symbol(in: line, at: line.startIndex) {
                globals.insert(s.name)
            } else if line.hasPrefix("!"), let eq = line.range(of: " = "), let n = Int(line.dropFirst().prefix { $0.isNumber }),
                      line.index(line.startIndex, offsetBy: 1 + String(n).count) == eq.lowerBound {
                var node = line[eq.upperBound...]
                if node.hasPrefix("distinct ") { node = node.dropFirst("distinct ".count) }
                metadata[n] = node
            }
            i += 1
        }
    }

    /// A C-named function with an explicit section: a BPF program (`@c`/`@_cdecl` + `@section`).
    /// Swift-mangled names start with `$`; the runtime's with `swift_` or `_swift`.
    func isEntryPoint(_ f: Function) -> Bool {
        f.section != nil && !f.name.hasPrefix("$") && !IRRuntimeNames.isRuntime(f.name)
    }

    /// Function symbols referenced from a function's body.
    func callees(of f: Function) -> Set<String> {
        var out: Set<String> = []
        for line in lines[(f.headerLine + 1)..<f.endLine] {
            for s in Self.symbols(in: line) where functions[s] != nil || declarations.contains(s) { out.insert(s) }
        }
        return out
    }

    /// Every function reachable from the entry points, entry points included.
    func reachableFunctions() -> Set<String> {
        var seen: Set<String> = []
        var work = functionOrder.filter { isEntryPoint(functions[$0]!) }
        while let name = work.popLast() {
            guard seen.insert(name).inserted, let f = functions[name] else { continue }
            work += callees(of: f).filter { !seen.contains($0) }
        }
        return seen
    }

    // MARK: - Line readers

    /// The symbol right after `@` at `index`, unquoted (`@"$e4p1xSivp"` gives `$e4p1xSivp`).
    static func symbol(in line: Substring, at index: Substring.Index) -> (name: String, end: Substring.Index)? {
        guard index < line.endIndex, line[index] == "@" else { return nil }
        var i = line.index(after: index)
        guard i < line.endIndex else { return nil }
        if line[i] == "\"" {
            i = line.index(after: i)
            guard let close = line[i...].firstIndex(of: "\"") else { return nil }
            return (String(line[i..<close]), line.index(after: close))
        }
        let start = i
        while i < line.endIndex, isSymbolCharacter(line[i]) { i = line.index(after: i) }
        guard i > start else { return nil }
        return (String(line[start..<i]), i)
    }

    static func isSymbolCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == "." || c == "$" || c == "-")
    }

    /// Every symbol referenced with `@` on a line, in order (string constants `c"..."` do not
    /// occur in the lines this is used on).
    static func symbols(in line: Substring) -> [String] {
        var out: [String] = []
        var i = line.startIndex
        while i < line.endIndex, let at = line[i...].firstIndex(of: "@") {
            if let s = symbol(in: line, at: at) {
                out.append(s.name)
                i = s.end
            } else {
                i = line.index(after: at)
            }
        }
        return out
    }

    /// The function a `define`/`declare` line introduces: the first `@` symbol on the line
    /// (return attributes and types come before it and contain no `@`).
    static func definedFunction(_ line: Substring) -> String? {
        guard let at = line.firstIndex(of: "@") else { return nil }
        return symbol(in: line, at: at)?.name
    }

    /// The quoted string following `marker` (` section "xdp"` gives `xdp`).
    static func quoted(after marker: String, in line: Substring) -> String? {
        guard let r = line.range(of: marker + "\"") else { return nil }
        let rest = line[r.upperBound...]
        guard let close = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<close])
    }

    /// `!dbg !N` on an instruction line.
    static func debugLocation(of line: Substring) -> Int? {
        guard let r = line.range(of: "!dbg !", options: .backwards) else { return nil }
        return Int(line[r.upperBound...].prefix { $0.isNumber })
    }

    /// The value of `key:` inside a metadata node (`line: 12`, `scope: !7`, `filename: "a"`),
    /// whole keys only (`line:` does not match `scopeLine:`).
    static func field(_ key: String, in node: Substring) -> Substring? {
        var search = node.startIndex
        while let r = node.range(of: key + ": ", range: search..<node.endIndex) {
            if r.lowerBound > node.startIndex, node[node.index(before: r.lowerBound)].isLetter {
                search = r.upperBound
                continue
            }
            let rest = node[r.upperBound...]
            if rest.hasPrefix("\"") { return rest.dropFirst().prefix { $0 != "\"" } }
            return rest.prefix { $0 != "," && $0 != ")" }
        }
        return nil
    }

    static func reference(_ value: Substring?) -> Int? {
        guard let value, value.hasPrefix("!") else { return nil }
        return Int(value.dropFirst())
    }
}
