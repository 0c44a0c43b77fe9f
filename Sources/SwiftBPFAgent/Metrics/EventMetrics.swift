/// The metric families events are counted in. Each family has fixed label names:
/// `comm`, `unit` (systemd unit) and `container`, plus a kind-specific one where listed.
/// Execs, exits and opens are counted in the kernel (`ExecAdapter`, `ExitAdapter`, `OpenAdapter`),
/// not from their events, which are limited or sampled there.
enum EventMetrics {
    /// The labels every family starts with: the command, and the systemd unit and container of
    /// its cgroup (empty without `cgroups`: cgroup labels are off).
    static func processLabels(comm: String, cgroupID: UInt64, cgroups: CgroupLabels?) -> [(String, String)] {
        let names = cgroups?.names(of: cgroupID)
        return [("comm", comm), ("unit", names?.unit ?? ""), ("container", names?.container ?? "")]
    }

    static func count(_ e: AgentEvent, into m: AgentMetrics, cgroups: CgroupLabels?) {
        let base = processLabels(comm: e.comm, cgroupID: e.cgroupID, cgroups: cgroups)
        switch e.kind {
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
