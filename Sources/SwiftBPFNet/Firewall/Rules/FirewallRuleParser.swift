/// Reads firewall rules in the line format:
///
///     ACTION from PREFIX            allow from 10.0.0.0/8, deny from 2001:db8::/32
///     ACTION to PREFIX              deny to 192.0.2.0/24
///     ACTION PROTO port PORT[-PORT] deny udp port 53, allow tcp port 1000-2000
///     ACTION from|to ADDRESS PROTO port PORT[-PORT]
///                                   allow from 192.0.2.7 tcp port 22 (an address+port tuple)
///     ACTION icmp|icmpv6 type T[-T] deny icmp type 8
///     ACTION PROTO                  deny icmp, count 47
///     limit from PREFIX pps N [burst N] [bytes N [burst N]] [per-prefix]
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
            if let i = set.rules.firstIndex(where: { $0.conflicts(with: r) }) {
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
            throw fail("unknown action '\(first)' (allow, deny, count or limit)")
        }
        var rest = ArraySlice(words.dropFirst())
        guard let head = rest.first else { throw fail("'\(first)' of what? (from PREFIX, to PREFIX, PROTO, or PROTO port PORT)") }
        if action == .limit {
            guard head == "from", rest.count >= 2 else { throw fail("a limit is 'limit from PREFIX pps N [burst N] [bytes N [burst N]] [per-prefix]'") }
            let prefix = try address(rest[rest.startIndex + 1], fail: fail)
            return FirewallRule(.limit, .source(prefix), limit: try rateLimit(rest.dropFirst(2), fail: fail))
        }
        var side: (AddressSide, IPPrefix)?
        if let s = AddressSide(rawValue: head) {
            guard rest.count >= 2 else { throw fail("'\(head)' takes one address or prefix") }
            side = (s, try address(rest[rest.startIndex + 1], fail: fail))
            rest = rest.dropFirst(2)
            if rest.isEmpty { return FirewallRule(action, s == .source ? .source(side!.1) : .destination(side!.1)) }
        }
        let protoWord = rest.first!
        guard let proto = IPProtocolNumber(name: protoWord) else {
            throw fail(side == nil ? "unknown protocol '\(protoWord)' (tcp, udp, icmp, icmpv6 or 0-255)"
                       : "'\(head) ADDRESS' takes one address or prefix, then optionally 'tcp|udp port PORT'; found '\(protoWord)'")
        }
        rest = rest.dropFirst()
        if rest.isEmpty {
            guard side == nil else { throw fail("'\(head) ADDRESS \(proto)' needs 'port PORT' (an address+port tuple)") }
            return FirewallRule(action, .proto(proto))
        }
        let field = rest.first!
        guard rest.count == 2, field == "port" || field == "type" else {
            throw fail("expected '\(protoWord) port PORT[-PORT]'\(proto.hasTypes ? " or '\(protoWord) type TYPE[-TYPE]'" : "") after '\(protoWord)'")
        }
        let value = rest[rest.startIndex + 1]
        if field == "type" {
            guard proto.hasTypes else { throw fail("protocol \(proto) has no types (only icmp and icmpv6 do)") }
            guard side == nil else { throw fail("an ICMP type rule matches every address; drop '\(head) ADDRESS'") }
            let types = try portRange(value, fail: fail)
            guard types.last <= 255 else { throw fail("bad ICMP type '\(value)' (a number 0-255 or a range FIRST-LAST)") }
            return FirewallRule(action, .icmpTypes(proto, types))
        }
        guard proto.hasPorts else { throw fail("protocol \(proto) has no ports (only tcp and udp do)") }
        let range = try portRange(value, fail: fail)
        guard let (s, a) = side else { return FirewallRule(action, .ports(proto, range)) }
        guard a.length == a.family.maxLength else {
            throw fail("an address+port tuple names one address, not the prefix '\(a)' (use '\(head) PREFIX' and a port rule)")
        }
        guard range.count <= Self.maxTuplePorts else {
            throw fail("an address+port tuple covers at most \(Self.maxTuplePorts) ports, not \(range.count)")
        }
        return FirewallRule(action, .tuple(s, a, proto, range))
    }

    /// The most ports one address+port tuple rule may cover (each is a hash entry).
    public static let maxTuplePorts = 1024

    static func address(_ text: String, fail: (String) -> FirewallRuleError) throws(FirewallRuleError) -> IPPrefix {
        do { return try IPPrefix(parsing: text) } catch { throw fail(error.description) }
    }

    /// `pps N [burst N] [bytes N [burst N]] [per-prefix]`, in any order; a `burst` belongs to
    /// the rate before it.
    static func rateLimit(_ words: ArraySlice<String>, fail: (String) -> FirewallRuleError) throws(FirewallRuleError) -> RateLimit {
        var limit = RateLimit()
        var last: String?
        var i = words.startIndex
        func number(_ name: String) throws(FirewallRuleError) -> UInt64 {
            guard i + 1 < words.endIndex, let n = UInt64(words[i + 1]), n > 0, n <= RateLimit.maximum else {
                throw fail("'\(name)' takes a number from 1 to \(RateLimit.maximum)\(i + 1 < words.endIndex ? ", not '\(words[i + 1])'" : "")")
            }
            return n
        }
        while i < words.endIndex {
            switch words[i] {
            case "pps":
                guard limit.packetsPerSecond == nil else { throw fail("'pps' given twice") }
                limit.packetsPerSecond = try number("pps"); last = "pps"; i += 2
            case "bytes":
                guard limit.bytesPerSecond == nil else { throw fail("'bytes' given twice") }
                limit.bytesPerSecond = try number("bytes"); last = "bytes"; i += 2
            case "burst":
                let n = try number("burst")
                switch last {
                case "pps" where limit.packetBurst == nil: limit.packetBurst = n
                case "bytes" where limit.byteBurst == nil: limit.byteBurst = n
                default: throw fail("'burst' follows 'pps N' or 'bytes N', once each")
                }
                i += 2
            case "per-prefix":
                limit.perPrefix = true; i += 1
            default:
                throw fail("unknown limit word '\(words[i])' (pps, bytes, burst, per-prefix)")
            }
        }
        guard limit.packetsPerSecond != nil || limit.bytesPerSecond != nil else { throw fail("a limit needs 'pps N', 'bytes N' or both") }
        return limit
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
