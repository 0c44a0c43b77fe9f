import BPF

/// Reading the firewall's input files; each error names the file (and the line).
public enum FirewallFiles {
    /// The text of `path`.
    static func text(_ path: String) throws(FirewallError) -> String {
        do {
            return String(decoding: try Syscalls.readFile(path), as: UTF8.self)
        } catch {
            throw FirewallError("cannot read \(path): \(error)")
        }
    }

    /// The rules file at `path`, parsed whole: YAML (`FirewallYAMLParser`) if its name ends in
    /// `.yaml` or `.yml`, else the line format (`FirewallRuleParser`).
    public static func ruleSet(_ path: String) throws(FirewallError) -> FirewallRuleParser.RuleSet {
        let t = try text(path)
        let yaml = path.hasSuffix(".yaml") || path.hasSuffix(".yml")
        do {
            return yaml ? try FirewallYAMLParser.ruleSet(t) : try FirewallRuleParser.ruleSet(t)
        } catch {
            throw FirewallError("\(path): \(error)")
        }
    }

    /// The blocklist file at `path`, parsed whole.
    public static func blocklist(_ path: String) throws(FirewallError) -> [IPPrefix] {
        let t = try text(path)
        do { return try BlocklistParser.prefixes(t) } catch { throw FirewallError("\(path): \(error)") }
    }
}
