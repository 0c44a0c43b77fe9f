import YAMLSubset

/// Reads a YAML rules file:
///
///     default: deny                      # optional: allow or deny
///     rules:
///       - deny from 198.51.100.0/24      # a rule in the line format, or a mapping:
///       - action: allow
///         from: 192.0.2.7                # or to:; an address with a port makes a tuple
///         protocol: tcp
///         port: 22                       # a number or "FIRST-LAST"
///       - action: deny
///         protocol: icmp
///         type: 8
///       - action: limit
///         from: 0.0.0.0/0
///         pps: 1000                      # and/or bytes: N (bytes per second)
///         burst: 200                     # byte-burst: N for the byte bucket
///         per: source                    # or prefix: one bucket for the whole prefix
///
/// Every error names the line and, for a mapping, the field. Parsing is pure.
public enum FirewallYAMLParser {
    static let fields = ["action", "from", "to", "protocol", "port", "type", "pps", "burst", "bytes", "byte-burst", "per"]

    /// Parses the whole file; nothing is returned unless every rule is good.
    /// - Throws: `FirewallRuleError` naming the line (and the field).
    public static func ruleSet(_ text: String) throws(FirewallRuleError) -> FirewallRuleParser.RuleSet {
        let root: Node?
        do {
            root = try YAMLSubset.compose(yaml: text)
        } catch {
            throw syntaxError(error)
        }
        var set = FirewallRuleParser.RuleSet()
        guard let root else { return set }
        guard let top = root.mapping else {
            throw FirewallRuleError(line: line(root), reason: "a rules file is a mapping with 'rules:' (and optionally 'default:')")
        }
        var lines: [Int] = []
        for (key, value) in top {
            switch key.string {
            case "default":
                guard let s = value.string, let action = FirewallAction(rawValue: s), action == .allow || action == .deny else {
                    throw FirewallRuleError(line: line(value), reason: "field 'default': allow or deny, not '\(value.string ?? "a \(kind(value))")'")
                }
                set.defaultAction = action
            case "rules":
                if value.null != nil { continue }
                guard let items = value.sequence else {
                    throw FirewallRuleError(line: line(value), reason: "field 'rules': a list of rules, not a \(kind(value))")
                }
                for item in items {
                    let rule = try self.rule(item)
                    if let i = set.rules.firstIndex(where: { $0.conflicts(with: rule) }) {
                        throw FirewallRuleError(line: line(item), reason: "'\(rule)' overlaps '\(set.rules[i])' of line \(lines[i])")
                    }
                    set.rules.append(rule)
                    lines.append(line(item))
                }
            default:
                throw FirewallRuleError(line: line(key), reason: "unknown field '\(key.string ?? "?")' (default, rules)")
            }
        }
        return set
    }

    /// One list item: a string in the line format, or a mapping of fields.
    static func rule(_ item: Node) throws(FirewallRuleError) -> FirewallRule {
        let at = line(item)
        if let text = item.scalar?.string {
            return try FirewallRuleParser.rule(words: text.split(whereSeparator: \.isWhitespace).map(String.init), line: at)
        }
        guard let mapping = item.mapping else {
            throw FirewallRuleError(line: at, reason: "a rule is a line of rule text or a mapping with 'action:', not a \(kind(item))")
        }
        var values: [String: (text: String, line: Int)] = [:]
        for (key, value) in mapping {
            guard let name = key.string, fields.contains(name) else {
                throw FirewallRuleError(line: line(key), reason: "unknown field '\(key.string ?? "?")' (\(fields.joined(separator: ", ")))")
            }
            guard let text = value.scalar?.string, !text.isEmpty else {
                throw FirewallRuleError(line: line(value), reason: "field '\(name)': a single value, not a \(kind(value))")
            }
            values[name] = (text, line(value))
        }
        func fail(_ field: String, _ reason: String) -> FirewallRuleError {
            FirewallRuleError(line: values[field]?.line ?? at, reason: "field '\(field)': \(reason)")
        }
        // Each value is checked on its own first, so the error names its field.
        guard let action = values["action"] else { throw FirewallRuleError(line: at, reason: "the rule has no 'action' (allow, deny, count or limit)") }
        guard let act = FirewallAction(rawValue: action.text.lowercased()) else { throw fail("action", "allow, deny, count or limit, not '\(action.text)'") }
        for side in ["from", "to"] {
            if let v = values[side] {
                do { _ = try IPPrefix(parsing: v.text) } catch { throw fail(side, error.description) }
            }
        }
        if values["from"] != nil && values["to"] != nil { throw fail("to", "a rule has 'from' or 'to', not both") }
        if let v = values["protocol"], IPProtocolNumber(name: v.text) == nil {
            throw fail("protocol", "unknown protocol '\(v.text)' (tcp, udp, icmp, icmpv6 or 0-255)")
        }
        for name in ["port", "type"] {
            if let v = values[name] {
                let range = try FirewallRuleParser.portRange(v.text) { fail(name, $0) }
                if name == "type", range.last > 255 { throw fail(name, "an ICMP type is 0-255, not '\(v.text)'") }
                if values["protocol"] == nil { throw fail(name, "needs a 'protocol'") }
            }
        }
        if values["port"] != nil && values["type"] != nil { throw fail("type", "a rule has 'port' or 'type', not both") }
        for name in ["pps", "burst", "bytes", "byte-burst"] {
            if let v = values[name] {
                guard act == .limit else { throw fail(name, "only a 'limit' rule has rates") }
                guard let n = UInt64(v.text), n > 0, n <= RateLimit.maximum else { throw fail(name, "a number from 1 to \(RateLimit.maximum), not '\(v.text)'") }
            }
        }
        if let v = values["per"] {
            guard act == .limit else { throw fail("per", "only a 'limit' rule has it") }
            guard v.text == "source" || v.text == "prefix" else { throw fail("per", "source or prefix, not '\(v.text)'") }
        }
        if values["burst"] != nil && values["pps"] == nil { throw fail("burst", "is the packet bucket's size: it needs 'pps'") }
        if values["byte-burst"] != nil && values["bytes"] == nil { throw fail("byte-burst", "is the byte bucket's size: it needs 'bytes'") }

        // Then the rule is said in the line format, whose parser checks how the fields combine.
        var words = [act.rawValue]
        for side in ["from", "to"] { if let v = values[side] { words += [side, v.text] } }
        if let v = values["protocol"] { words.append(v.text) }
        if let v = values["port"] { words += ["port", v.text] }
        if let v = values["type"] { words += ["type", v.text] }
        if let v = values["pps"] { words += ["pps", v.text] }
        if let v = values["burst"] { words += ["burst", v.text] }
        if let v = values["bytes"] { words += ["bytes", v.text] }
        if let v = values["byte-burst"] { words += ["burst", v.text] }
        if values["per"]?.text == "prefix" { words.append("per-prefix") }
        return try FirewallRuleParser.rule(words: words, line: at)
    }

    static func line(_ node: Node) -> Int { node.mark?.line ?? 0 }

    static func kind(_ node: Node) -> String {
        switch node {
        case .scalar: "value"
        case .mapping: "mapping"
        case .sequence: "list"
        }
    }

    /// A YAML syntax error with its line.
    static func syntaxError(_ error: YAMLSubsetError) -> FirewallRuleError {
        FirewallRuleError(line: error.mark.line, reason: "YAML: \(error.problem)")
    }
}
