import BPF
import ToolText

/// Text and JSON of the firewall's read commands.
public enum FirewallFormat {
    /// `ID  ACTION MATCH` lines; a dry-run deny is marked.
    public static func ruleLines(_ rules: [InstalledRule]) -> [String] {
        rules.map { "\(Columns.pad(String($0.id), 5)) \($0.rule)\($0.isDryRun ? "  (dry run: counts only)" : "")" }
    }

    /// The status as a table.
    public static func text(_ s: FirewallStatus) -> String {
        var out = "interface \(s.interface)  mode \(s.mode?.rawValue ?? "?")  default \(s.defaultAction)"
        out += s.isDryRun ? "  DRY RUN (denies only count)\n" : "\n"
        out += "\(Columns.pad("ID", 5)) \(Columns.pad("PACKETS", 12)) \(Columns.pad("BYTES", 14)) RULE\n"
        for r in s.rules {
            out += "\(Columns.pad(String(r.rule.id), 5)) \(Columns.pad(String(r.counter.packets), 12)) \(Columns.pad(String(r.counter.bytes), 14)) \(r.rule.rule)"
            out += r.rule.isDryRun ? "  (dry run)\n" : "\n"
        }
        out += "\(Columns.pad("-", 5)) \(Columns.pad(String(s.blocklistCounter.packets), 12)) \(Columns.pad(String(s.blocklistCounter.bytes), 14)) "
        out += "blocklist (\(s.blocklistIPv4Entries) IPv4, \(s.blocklistIPv6Entries) IPv6 prefixes)\n"
        out += "\(Columns.pad("-", 5)) \(Columns.pad(String(s.defaultCounter.packets), 12)) \(Columns.pad(String(s.defaultCounter.bytes), 14)) default \(s.defaultAction)\n"
        return out
    }

    /// The status as one JSON object.
    public static func json(_ s: FirewallStatus) -> String {
        func counter(_ c: FirewallCounter) -> String { "\"packets\":\(c.packets),\"bytes\":\(c.bytes)" }
        let rules = s.rules.map { r in
            "{\"id\":\(r.rule.id),\"action\":\(JSON.string(r.rule.rule.action.rawValue)),\"match\":\(JSON.string(r.rule.rule.match.description)),"
                + "\"dry_run\":\(r.rule.isDryRun),\(counter(r.counter))}"
        }
        return "{\"interface\":\(JSON.string(s.interface)),\"mode\":\(s.mode.map { JSON.string($0.rawValue) } ?? "null"),"
            + "\"default\":\(JSON.string(s.defaultAction.rawValue)),\"dry_run\":\(s.isDryRun),\"rules\":[\(rules.joined(separator: ","))],"
            + "\"blocklist\":{\"ipv4_entries\":\(s.blocklistIPv4Entries),\"ipv6_entries\":\(s.blocklistIPv6Entries),\(counter(s.blocklistCounter))},"
            + "\"default_policy\":{\(counter(s.defaultCounter))}}"
    }

    /// The rules as a JSON array.
    public static func json(_ rules: [InstalledRule]) -> String {
        "[" + rules.map { "{\"id\":\($0.id),\"action\":\(JSON.string($0.rule.action.rawValue)),\"match\":\(JSON.string($0.rule.match.description)),\"dry_run\":\($0.isDryRun)}" }
            .joined(separator: ",") + "]"
    }
}
