/// The metric families events are counted in. Each family has fixed label names:
/// `comm`, `unit` (systemd unit) and `container`, plus a kind-specific one where listed.
enum EventMetrics {
    static func count(_ e: AgentEvent, into m: AgentMetrics, cgroups: CgroupLabels?) {
        let names = cgroups?.names(of: e.cgroupID)
        let base = [("comm", e.comm), ("unit", names?.unit ?? ""), ("container", names?.container ?? "")]
        switch e.kind {
        case "exec":
            m.increment("swiftbpf_agent_execs_total", base)
        case "exit":
            let outcome = e.fields["signal"].map { $0 != "0" } == true ? "signal" : (e.fields["code"] == "0" ? "ok" : "error")
            m.increment("swiftbpf_agent_exits_total", base + [("outcome", outcome)])
        case "open":
            let ok = e.fields["ret"].flatMap(Int.init).map { $0 >= 0 } ?? true
            m.increment("swiftbpf_agent_opens_total", base + [("result", ok ? "ok" : "error")])
        case "tcp_connect":
            m.increment("swiftbpf_agent_tcp_connects_total", base)
        case "tcp_accept":
            m.increment("swiftbpf_agent_tcp_accepts_total", base)
        case "tcp_close":
            m.increment("swiftbpf_agent_tcp_sessions_total", base)
            if let tx = e.fields["tx_bytes"].flatMap(Int64.init) { m.increment("swiftbpf_agent_tcp_sent_bytes_total", base, by: tx) }
            if let rx = e.fields["rx_bytes"].flatMap(Int64.init) { m.increment("swiftbpf_agent_tcp_received_bytes_total", base, by: rx) }
        case "tcp_retrans":
            m.increment("swiftbpf_agent_tcp_retransmits_total", [("state", e.fields["state"] ?? "")])
        default:
            break
        }
    }
}
