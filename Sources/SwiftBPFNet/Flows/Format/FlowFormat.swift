import BPF
import ToolText

/// Text and JSON forms of flows and DNS exchanges for `swiftbpf flows`.
public enum FlowFormat {
    /// The column header of `line`.
    public static let header = "PID     COMM            PROTO DIR LOCAL                  REMOTE                          TX_B/s     RX_B/s     TX_BYTES   RX_BYTES   RTT_ms  RETR STATE"

    /// One flow as a line: rates over the last interval, totals, RTT, retransmits.
    public static func line(_ f: Flow, txRate: Double, rxRate: Double) -> String {
        let pid = f.owner.map { String($0.pid) } ?? "-"
        let comm = f.owner?.comm ?? "-"
        let remote = f.remoteName.map { "\($0):\(f.remote.port)" } ?? f.remote.description
        let rtt = f.transport == .tcp ? fixed(Double(f.rttMicros) / 1000, 2) : "-"
        return [pad(pid, 7), pad(comm, 15), pad(f.transport.rawValue, 5), pad(f.direction == .incoming ? "in" : "out", 3),
                pad(f.local.description, 22), pad(remote, 31), pad(bytes(txRate), 10), pad(bytes(rxRate), 10),
                pad(String(f.bytesSent), 10), pad(String(f.bytesReceived), 10), pad(rtt, 7), pad(String(f.retransmits), 4),
                f.state ?? "-"].joined(separator: " ")
    }

    /// One flow as a JSON object; `kind` is "flow" (an interval's figures) or "closed".
    public static func json(_ f: Flow, kind: String, txRate: Double? = nil, rxRate: Double? = nil) -> String {
        var fields: [String] = [
            "\"type\":\(q(kind))", "\"id\":\(q(f.id.description))", "\"proto\":\(q(f.transport.rawValue))",
            "\"direction\":\(q(f.direction.rawValue))",
            "\"local\":{\"addr\":\(q(f.local.address)),\"port\":\(f.local.port)}",
            "\"remote\":{\"addr\":\(q(f.remote.address)),\"port\":\(f.remote.port)\(f.remoteName.map { ",\"name\":\(q($0))" } ?? "")}",
            "\"netns\":\(f.netns)",
            "\"bytes_sent\":\(f.bytesSent)", "\"bytes_received\":\(f.bytesReceived)",
            "\"packets_sent\":\(f.packetsSent)", "\"packets_received\":\(f.packetsReceived)",
            "\"duration_s\":\(fixed(f.durationSeconds, 6))", "\"preexisting\":\(f.preexisting)",
        ]
        if f.transport == .tcp {
            fields += ["\"state\":\(q(f.state ?? ""))", "\"srtt_us\":\(f.rttMicros)", "\"rttvar_us\":\(f.rttVarMicros)",
                       "\"retransmits\":\(f.retransmits)"]
        }
        if let o = f.owner {
            fields.append("\"process\":{\"pid\":\(o.pid),\"comm\":\(q(o.comm)),\"uid\":\(o.uid),\"cgroup_id\":\(o.cgroupID)}")
        }
        if let txRate, let rxRate {
            fields += ["\"tx_bps\":\(fixed(txRate, 1))", "\"rx_bps\":\(fixed(rxRate, 1))"]
        }
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// A DNS exchange as a line.
    public static func line(_ e: DNSEvent) -> String {
        let who = e.owner.map { "\($0.comm)[\($0.pid)]" } ?? "-"
        let latency = e.latencyMicros.map { fixed(Double($0) / 1000, 3) + " ms" } ?? "-"
        return "DNS \(who) \(e.type) \(e.name) \(e.responseCode ?? "-") \(latency) via \(e.server) -> \(e.answers.isEmpty ? "-" : e.answers.joined(separator: ","))"
    }

    /// A DNS exchange as a JSON object.
    public static func json(_ e: DNSEvent) -> String {
        var fields = ["\"type\":\"dns\"", "\"name\":\(q(e.name))", "\"qtype\":\(q(e.type))",
                      "\"rcode\":\(e.responseCode.map(q) ?? "null")",
                      "\"answers\":[\(e.answers.map(q).joined(separator: ","))]",
                      "\"latency_us\":\(e.latencyMicros.map { String($0) } ?? "null")",
                      "\"server\":{\"addr\":\(q(e.server.address)),\"port\":\(e.server.port)}"]
        if let o = e.owner { fields.append("\"process\":{\"pid\":\(o.pid),\"comm\":\(q(o.comm)),\"cgroup_id\":\(o.cgroupID)}") }
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// The counters as a JSON object.
    public static func json(_ s: FlowMonitor.Stats) -> String {
        "{\"type\":\"stats\",\"lost_events\":\(s.lostEvents),\"tcp_map_full\":\(s.tcpMapFull),\"udp_map_full\":\(s.udpMapFull),"
            + "\"owner_map_full\":\(s.ownerMapFull),\"dns_cut\":\(s.dnsCut),\"evicted\":\(s.evicted)}"
    }

    /// Human-readable bytes per second (or bytes): 1.2K, 3.4M.
    public static func bytes(_ v: Double) -> String {
        if v < 1024 { return String(Int(v.rounded())) }
        let units = ["K", "M", "G", "T"]
        var x = v / 1024
        var i = 0
        while x >= 1024, i < units.count - 1 { x /= 1024; i += 1 }
        return fixed(x, 1) + units[i]
    }

    static func fixed(_ v: Double, _ digits: Int) -> String {
        guard v.isFinite else { return "0" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let n = (v * scale).rounded()
        let whole = Int64(n / scale)
        var frac = String(Int64(abs(n)) % Int64(scale))
        if digits == 0 { return String(whole) }
        frac = String(repeating: "0", count: max(0, digits - frac.count)) + frac
        return (n < 0 && whole == 0 ? "-" : "") + "\(whole).\(frac)"
    }

    static func q(_ s: String) -> String { BTFValue.quote(s) }

    static func pad(_ s: String, _ width: Int) -> String { Columns.pad(s, width) }
}

/// Rates per flow between two refreshes.
public struct FlowRates: Sendable {
    private var previous: [FlowID: (sent: UInt64, received: UInt64)] = [:]
    public init() {}

    /// Rates (bytes/s) of each flow over `seconds`, and remembers the totals for next time.
    public mutating func update(_ flows: [Flow], seconds: Double) -> [FlowID: (tx: Double, rx: Double)] {
        var out: [FlowID: (tx: Double, rx: Double)] = [:]
        var next: [FlowID: (sent: UInt64, received: UInt64)] = [:]
        for f in flows {
            let p = previous[f.id] ?? (0, 0)
            let dt = max(seconds, 1e-3)
            out[f.id] = (Double(f.bytesSent &- min(p.sent, f.bytesSent)) / dt, Double(f.bytesReceived &- min(p.received, f.bytesReceived)) / dt)
            next[f.id] = (f.bytesSent, f.bytesReceived)
        }
        previous = next
        return out
    }
}
