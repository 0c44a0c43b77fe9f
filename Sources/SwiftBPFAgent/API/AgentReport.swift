import Foundation

/// The JSON documents of the status, collectors and governor endpoints.
enum AgentReport {
    static func status(_ agent: Agent) -> String {
        let stats = ProcessStats.read()
        let config = agent.config
        var fields: [String] = [
            "\"status\":\"ok\"",
            "\"pid\":\(getpid())",
            "\"uptime_seconds\":\(Int(Date().timeIntervalSince(agent.startedAt)))",
            "\"listen\":\(JSONText.quote(config.listen.description))",
            "\"auth\":\(agent.token == nil ? "\"none\"" : "\"bearer\"")",
            "\"tls\":\(agent.tls != nil)",
            "\"resident_memory_bytes\":\(stats?.residentBytes ?? 0)",
            "\"cpu_seconds\":\(stats?.cpuSeconds ?? 0)",
            "\"collectors_running\":\(agent.collectors.snapshot.values.filter { $0.state == .running }.count)",
            "\"collectors_configured\":\(config.enabledCollectors.count)",
            "\"live_subscribers\":\(agent.hub.subscriberCount)",
        ]
        if let store = agent.store {
            let s = store.status
            fields.append("\"store\":{\"state\":\(JSONText.quote(s.state.rawValue)),\"reason\":\(JSONText.quote(s.reason)),\"path\":\(JSONText.quote(s.path ?? "")),\"stored_events\":\(s.storedEvents),\"dropped_events\":\(s.droppedEvents),\"recoveries\":\(s.recoveries)}")
        } else {
            fields.append("\"store\":{\"state\":\"disabled\"}")
        }
        if let export = agent.export {
            let c = export.counters
            fields.append("\"otlp\":{\"endpoint\":\(JSONText.quote(export.endpoint)),\"queued\":\(export.queued),\"sent_events\":\(c.sent.load(ordering: .relaxed)),\"dropped_events\":\(c.dropped.load(ordering: .relaxed)),\"export_failures\":\(c.failures.load(ordering: .relaxed))}")
        } else {
            fields.append("\"otlp\":{\"endpoint\":null}")
        }
        let user = agent.userMetrics.status.map { "{\"name\":\(JSONText.quote($0.name)),\"loaded\":\($0.loaded),\"error\":\($0.error.map(JSONText.quote) ?? "null")}" }
        fields.append("\"user_metrics\":[\(user.joined(separator: ","))]")
        return "{" + fields.joined(separator: ",") + "}"
    }

    static func collectors(_ agent: Agent) -> String {
        let items = agent.collectors.snapshot.sorted { $0.key < $1.key }.map { name, e -> String in
            let programs = (e.collector?.programs ?? []).map { p -> String in
                let info = try? p.program.info()
                return "{\"name\":\(JSONText.quote(p.name)),\"id\":\(info?.id ?? 0),\"run_count\":\(info?.runCount ?? 0),\"run_time_ns\":\(info?.runTimeNanoseconds ?? 0)}"
            }
            return "{\"name\":\(JSONText.quote(name)),\"state\":\(JSONText.quote(e.state.rawValue)),\"error\":\(e.error.map(JSONText.quote) ?? "null"),\"priority\":\(e.config.priority),\"sample\":\(e.config.sample),\"lost_events\":\(e.collector?.lostEvents() ?? 0),\"programs\":[\(programs.joined(separator: ","))]}"
        }
        return "{\"collectors\":[\(items.joined(separator: ","))]}"
    }

    static func governor(_ agent: Agent) -> String {
        let g = agent.governor
        let config = g.config
        let shed = agent.collectors.snapshot.filter { $0.value.state == .shed }.keys.sorted().map(JSONText.quote)
        let decisions = g.decisions.map {
            "{\"time_ns\":\($0.timeNanoseconds),\"action\":\(JSONText.quote($0.action)),\"collector\":\(JSONText.quote($0.collector)),\"reason\":\(JSONText.quote($0.reason))}"
        }
        return "{\"cpu_percent_budget\":\(config.cpuPercent),\"rss_mb_budget\":\(config.rssMB),\"cpu_percent\":\(g.cpuPercent),\"shed\":[\(shed.joined(separator: ","))],\"decisions\":[\(decisions.joined(separator: ","))]}"
    }
}
