import Glibc
import ToolText

/// Output of the TCP tools: BCC's columns, or one JSON object per event.
///
/// JSON fields (stable): the attribution `pid`, `tgid`, `ppid`, `uid`, `comm`, `cgroup_id`, and
/// `attributed` (false when the task is only whoever ran at the time, e.g. softirq); the
/// `cgroup` (the cgroup v2 path, from the CLI); the endpoints `family` (4 or 6), `saddr`, `sport` (local), `daddr`, `dport` (remote); tcplife adds
/// `tx_bytes`, `rx_bytes`, `duration_ms`; tcpretrans adds `state` (name) and `err`; `time`
/// (seconds since start) with --timestamp.
public enum TCPFormat {
    /// The header line of `tool`'s columns.
    public static func header(_ tool: TCPTool, timestamp: Bool) -> String {
        let time = timestamp ? Columns.pad("TIME(s)", 9) : ""
        switch tool {
        case .connect:
            return time + Columns.pad("PID", 7) + " " + Columns.pad("COMM", 16) + " " + Columns.pad("IP", 2) + " " + Columns.pad("SADDR", 16) + " " + Columns.pad("LPORT", 6) + " "
                + Columns.pad("DADDR", 16) + " " + "DPORT"
        case .accept:
            return time + Columns.pad("PID", 7) + " " + Columns.pad("COMM", 16) + " " + Columns.pad("IP", 2) + " " + Columns.pad("RADDR", 16) + " " + Columns.pad("RPORT", 6) + " "
                + Columns.pad("LADDR", 16) + " " + "LPORT"
        case .life:
            return time + Columns.pad("PID", 7) + " " + Columns.pad("COMM", 16) + " " + Columns.pad("LADDR", 16) + " " + Columns.pad("LPORT", 6) + " " + Columns.pad("RADDR", 16) + " "
                + Columns.pad("RPORT", 6) + " " + Columns.leftPad("TX_KB", 7) + " " + Columns.leftPad("RX_KB", 7) + " " + "MS"
        case .retrans:
            return (timestamp ? Columns.pad("TIME(s)", 9) : Columns.pad("TIME", 9)) + Columns.pad("PID", 7) + " " + Columns.pad("IP", 2) + " " + Columns.pad("LADDR:LPORT", 24) + " T> "
                + Columns.pad("RADDR:RPORT", 24) + " " + "STATE"
        }
    }

    /// One event in `tool`'s columns. `seconds` is the time since start (with --timestamp);
    /// tcpretrans prints the wall-clock time (HH:MM:SS) otherwise, as BCC does.
    public static func line(_ tool: TCPTool, _ e: TCPEvent, seconds: Double? = nil) -> String {
        let time = seconds.map { Columns.pad(TimeText.seconds($0), 9) } ?? ""
        let pid = Columns.pad(String(e.task.tgid), 7) + " "
        let comm = Columns.pad(e.task.comm, 16) + " "
        switch tool {
        case .connect:
            return time + pid + comm + Columns.pad(String(e.family), 2) + " " + Columns.pad(e.localAddress, 16) + " " + Columns.pad(String(e.localPort), 6) + " "
                + Columns.pad(e.remoteAddress, 16) + " " + String(e.remotePort)
        case .accept:
            return time + pid + comm + Columns.pad(String(e.family), 2) + " " + Columns.pad(e.remoteAddress, 16) + " " + Columns.pad(String(e.remotePort), 6) + " "
                + Columns.pad(e.localAddress, 16) + " " + String(e.localPort)
        case .life:
            return time + pid + comm + Columns.pad(e.localAddress, 16) + " " + Columns.pad(String(e.localPort), 6) + " " + Columns.pad(e.remoteAddress, 16) + " "
                + Columns.pad(String(e.remotePort), 6) + " " + Columns.leftPad(String(e.txBytes / 1024), 7) + " " + Columns.leftPad(String(e.rxBytes / 1024), 7) + " "
                + TimeText.milliseconds(nanoseconds: e.durationNanoseconds)
        case .retrans:
            return (seconds == nil ? Columns.pad(TimeText.wallClock(), 9) : time) + pid + Columns.pad(String(e.family), 2) + " "
                + Columns.pad(endpoint(e.localAddress, e.localPort, e.family), 24) + " R> " + Columns.pad(endpoint(e.remoteAddress, e.remotePort, e.family), 24)
                + " " + TCPState.name(e.state)
        }
    }

    /// One event as a JSON object (fields in the type's documentation); with `cgroups`, also
    /// `cgroup`: the path of the task's cgroup v2 (a container's cgroup names the container), or
    /// null when it is gone.
    public static func json(_ tool: TCPTool, _ e: TCPEvent, seconds: Double? = nil, cgroups: CgroupPaths? = nil) -> String {
        var fields: [(String, String)] = []
        if let seconds { fields.append(("time", TimeText.seconds(seconds))) }
        fields += e.task.jsonFields
        if let cgroups { fields.append(("cgroup", cgroups.path(of: e.task.cgroupID).map(JSON.string) ?? "null")) }
        fields += [
            ("attributed", "\(e.attributed)"), ("family", "\(e.family)"),
            ("saddr", JSON.string(e.localAddress)), ("sport", "\(e.localPort)"),
            ("daddr", JSON.string(e.remoteAddress)), ("dport", "\(e.remotePort)"),
        ]
        switch tool {
        case .life:
            fields += [("tx_bytes", "\(e.txBytes)"), ("rx_bytes", "\(e.rxBytes)"), ("duration_ms", TimeText.milliseconds(nanoseconds: e.durationNanoseconds))]
        case .retrans:
            fields += [("state", JSON.string(TCPState.name(e.state))), ("err", "\(e.err)")]
        case .connect, .accept:
            break
        }
        return JSON.object(fields)
    }

    /// `addr:port`, with IPv6 addresses in brackets.
    static func endpoint(_ address: String, _ port: UInt16, _ family: Int) -> String {
        family == 6 ? "[\(address)]:\(port)" : "\(address):\(port)"
    }
}
