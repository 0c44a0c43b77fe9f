/// The Security page's data. `/api/v1/alerts`: the guard collector's policy rules with their
/// alerts since it started (count, newest, the last few) and the kernel's per-rule counters;
/// a monitor-mode rule with a deny or kill action says what it would have done (`would`).
/// `/api/v1/firewall`: each XDP firewall the firewall collector reads, its rules' packet and
/// byte counters as last read. `collector` is `running` or why there is nothing to show.
enum SecurityReport {
    static func alerts(_ agent: Agent) -> String {
        let (state, guardCollector) = collector(agent, "guard")
        let rules = (guardCollector as? GuardCollector)?.alertsByRule() ?? []
        let items = rules.map { r -> String in
            let would = r.mode == "monitor" && (r.action == "kill" || r.action == "deny") ? JSONText.quote(r.action) : "null"
            return "{\"rule\":\(JSONText.quote(r.name)),\"kinds\":[\(r.kinds.map(JSONText.quote).joined(separator: ","))],"
                + "\"action\":\(JSONText.quote(r.action)),\"mode\":\(JSONText.quote(r.mode)),\"would\":\(would),"
                + "\"alerts\":\(r.tally.alerts),\"last_ns\":\(r.tally.lastNanoseconds),\"matched\":\(r.matched),\"acted\":\(r.acted),"
                + "\"recent\":[\(r.tally.recent.reversed().map(\.json).joined(separator: ","))]}"
        }
        return "{\"collector\":\(JSONText.quote(state)),\"policies\":[\(items.joined(separator: ","))]}"
    }

    static func firewall(_ agent: Agent) -> String {
        let (state, c) = collector(agent, "firewall")
        let firewalls = ((c as? FirewallCollector)?.snapshots ?? []).map { f -> String in
            let rows = f.rows.map { r in
                "{\"rule\":\(JSONText.quote(r.rule)),\"action\":\(JSONText.quote(r.action)),\"text\":\(JSONText.quote(r.text)),"
                    + "\"packets\":\(r.packets),\"bytes\":\(r.bytes)}"
            }
            return "{\"interface\":\(JSONText.quote(f.interface)),\"dry_run\":\(f.dryRun),\"blocklist_entries\":\(f.blocklistEntries),"
                + "\"read_ns\":\(f.readNanoseconds),\"rules\":[\(rows.joined(separator: ","))]}"
        }
        return "{\"collector\":\(JSONText.quote(state)),\"firewalls\":[\(firewalls.joined(separator: ","))]}"
    }

    /// The collector's state ("running", "failed", "shed", "not configured") and the collector.
    private static func collector(_ agent: Agent, _ name: String) -> (String, (any Collector)?) {
        guard let entry = agent.collectors.snapshot[name] else { return ("not configured", nil) }
        return (entry.state.rawValue, entry.collector)
    }
}
