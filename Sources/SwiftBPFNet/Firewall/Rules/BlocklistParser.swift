/// Reads blocklist files: one address or prefix per line, IPv4 or IPv6, with `#` or `;`
/// starting a comment (the format of public DROP lists: `1.10.16.0/20 ; SBL256894`).
/// Parsing is pure.
public enum BlocklistParser {
    /// The prefixes of `text`, in file order (duplicates kept: the map keeps one).
    /// - Throws: `FirewallRuleError` naming the first bad line.
    public static func prefixes(_ text: String) throws(FirewallRuleError) -> [IPPrefix] {
        var out: [IPPrefix] = []
        var line = 0
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            line += 1
            let content = raw.prefix { $0 != "#" && $0 != ";" }
            let words = content.split(whereSeparator: \.isWhitespace)
            if words.isEmpty { continue }
            guard words.count == 1 else {
                throw FirewallRuleError(line: line, reason: "one address or prefix per line, found '\(content.trimmingSpaces)'")
            }
            do {
                out.append(try IPPrefix(parsing: words[0]))
            } catch {
                throw FirewallRuleError(line: line, reason: error.description)
            }
        }
        return out
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed().reduce(into: Substring()) { $0.append($1) }
    }
}
