/// Reads firewall rules in the line format:
///
///     ACTION from PREFIX            allow from 10.0.0.0/8, deny from 2001:db8::/32
///     ACTION PROTO port PORT[-PORT] deny udp port 53, allow tcp port 1000-2000
///     ACTION PROTO                  deny icmp, count 47
///     default allow|deny            (rules files only: the default policy)
///
/// ACTION is `allow`, `deny` or `count`; PROTO is `tcp`, `udp`, `icmp`, `icmpv6` or a number.
/// `#` starts a comment. Parsing is pure: nothing here touches the kernel.
public enum FirewallRuleParser {
    /// Parses one rule from its words (as given on a command line).
    /// - Throws: `FirewallRuleError` with line 0 ("on the command line").
    public static func rule(_ text: String) throws(FirewallRuleError) -> FirewallRule {
        try rule(words: text.split(whereSeparator: \.isWhitespace).map(String.init), line: 0)
    }

    /// A parsed rules file: its rules in order and the default policy it sets, if any.
    public struct RuleSet: Sendable, Equatable {
        public var rules: [FirewallRule] = []
        public var defaultAction: FirewallAction?
        public init(rules: [FirewallRule] = [], defaultAction: FirewallAction? = nil) {
            self.rules = rules
            self.defaultAction = defaultAction
        }
    }

    /// Parses a rules file. The whole text is checked before anything is returned, and two
    /// rules that claim the same packets (same prefix, overlapping ports) are an error.
    /// - Throws: `FirewallRuleError` naming the first bad line.
    public static func ruleSet(_ text: String) throws(FirewallRuleError) -> RuleSet {
        var set = RuleSet()
        var lines: [Int] = []
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = index + 1
            let content = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let words = content.split(whereSeparator: \.isWhitespace).map(String.init)
            if words.isEmpty { continue }
            if words[0] == "default" {
                guard words.count == 2, let action = FirewallAction(rawValue: words[1]), action != .count else {
                    throw FirewallRuleError(line: line, reason: "the default policy is 'default allow' or 'default deny'")
                }
                guard set.defaultAction == nil else { throw FirewallRuleError(line: line, reason: "a second default policy") }
                set.defaultAction = action
                continue
            }
            let r = try rule(words: words, line: line)
            if let i = set.rules.firstIndex(where: { $0.match.conflicts(with: r.match) }) {
                throw FirewallRuleError(line: line, reason: "'\(r.match)' overlaps '\(set.rules[i])' of line \(lines[i])")
            }
            set.rules.append(r)
            lines.append(line)
        }
        return set
    }

    static func rule(words: [String], line: Int) throws(FirewallRuleError) -> FirewallRule {
        func fail(_ reason: String) -> FirewallRuleError { FirewallRuleError(line: line, reason: reason) }
        guard let first = words.first else { throw fail("empty rule") }
        guard let action = FirewallAction(rawValue: first.lowercased()) else {
            throw fail("unknown action '\(first)' (allow, deny or count)")
        }
        let rest = Array(words.dropFirst())
        guard let head = rest.first else { throw fail("'\(first)' of what? (from PREFIX, PROTO, or PROTO port PORT)") }
        if head == "from" {
            guard rest.count == 2 else { throw fail("'from' takes one address or prefix") }
            do {
                return FirewallRule(action, .source(try IPPrefix(parsing: rest[1])))
            } catch {
                throw fail(error.description)
            }
        }
        guard let proto = IPProtocolNumber(name: head) else {
            throw fail("unknown protocol '\(head)' (tcp, udp, icmp, icmpv6 or 0-255)")
        }
        if rest.count == 1 { return FirewallRule(action, .proto(proto)) }
        guard rest.count == 3, rest[1] == "port" else { throw fail("expected '\(head) port PORT[-PORT]' after the action") }
        guard proto.hasPorts else { throw fail("protocol \(proto) has no ports (only tcp and udp do)") }
        return FirewallRule(action, .ports(proto, try portRange(rest[2], fail: fail)))
    }

    static func portRange(_ text: String, fail: (String) -> FirewallRuleError) throws(FirewallRuleError) -> PortRange {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count <= 2, let a = UInt16(parts[0]), let b = parts.count == 2 ? UInt16(parts[1]) : a else {
            throw fail("bad port '\(text)' (a number 0-65535 or a range FIRST-LAST)")
        }
        guard let range = PortRange(first: a, last: b) else { throw fail("port range '\(text)' ends before it starts") }
        return range
    }
}

/// A rule text that does not parse, with the line it is on (0: the command line).
public struct FirewallRuleError: Error, Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let reason: String
    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }
    public var description: String { line == 0 ? "bad rule: \(reason)" : "line \(line): \(reason)" }
}
