import Glibc

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
        let time = timestamp ? pad("TIME(s)", 9) : ""
        switch tool {
        case .connect:
            return time + pad("PID", 7) + " " + pad("COMM", 16) + " " + pad("IP", 2) + " " + pad("SADDR", 16) + " " + pad("LPORT", 6) + " "
                + pad("DADDR", 16) + " " + "DPORT"
        case .accept:
            return time + pad("PID", 7) + " " + pad("COMM", 16) + " " + pad("IP", 2) + " " + pad("RADDR", 16) + " " + pad("RPORT", 6) + " "
                + pad("LADDR", 16) + " " + "LPORT"
        case .life:
            return time + pad("PID", 7) + " " + pad("COMM", 16) + " " + pad("LADDR", 16) + " " + pad("LPORT", 6) + " " + pad("RADDR", 16) + " "
                + pad("RPORT", 6) + " " + leftPad("TX_KB", 7) + " " + leftPad("RX_KB", 7) + " " + "MS"
        case .retrans:
            return (timestamp ? pad("TIME(s)", 9) : pad("TIME", 9)) + pad("PID", 7) + " " + pad("IP", 2) + " " + pad("LADDR:LPORT", 24) + " T> "
                + pad("RADDR:RPORT", 24) + " " + "STATE"
        }
    }

    /// One event in `tool`'s columns. `seconds` is the time since start (with --timestamp);
    /// tcpretrans prints the wall-clock time (HH:MM:SS) otherwise, as BCC does.
    public static func line(_ tool: TCPTool, _ e: TCPEvent, seconds: Double? = nil) -> String {
        let time = seconds.map { pad(formatSeconds($0), 9) } ?? ""
        let pid = pad(String(e.task.tgid), 7) + " "
        let comm = pad(e.task.comm, 16) + " "
        switch tool {
        case .connect:
            return time + pid + comm + pad(String(e.family), 2) + " " + pad(e.localAddress, 16) + " " + pad(String(e.localPort), 6) + " "
                + pad(e.remoteAddress, 16) + " " + String(e.remotePort)
        case .accept:
            return time + pid + comm + pad(String(e.family), 2) + " " + pad(e.remoteAddress, 16) + " " + pad(String(e.remotePort), 6) + " "
                + pad(e.localAddress, 16) + " " + String(e.localPort)
        case .life:
            return time + pid + comm + pad(e.localAddress, 16) + " " + pad(String(e.localPort), 6) + " " + pad(e.remoteAddress, 16) + " "
                + pad(String(e.remotePort), 6) + " " + leftPad(String(e.txBytes / 1024), 7) + " " + leftPad(String(e.rxBytes / 1024), 7) + " "
                + milliseconds(e.durationNanoseconds)
        case .retrans:
            return (seconds == nil ? pad(wallClock(), 9) : time) + pid + pad(String(e.family), 2) + " "
                + pad(endpoint(e.localAddress, e.localPort, e.family), 24) + " R> " + pad(endpoint(e.remoteAddress, e.remotePort, e.family), 24)
                + " " + TCPState.name(e.state)
        }
    }

    /// One event as a JSON object (fields in the type's documentation); with `cgroups`, also
    /// `cgroup`: the path of the task's cgroup v2 (a container's cgroup names the container), or
    /// null when it is gone.
    public static func json(_ tool: TCPTool, _ e: TCPEvent, seconds: Double? = nil, cgroups: CgroupPaths? = nil) -> String {
        var fields: [(String, String)] = []
        if let seconds { fields.append(("time", formatSeconds(seconds))) }
        fields += e.task.jsonFields
        if let cgroups { fields.append(("cgroup", cgroups.path(of: e.task.cgroupID).map(JSON.string) ?? "null")) }
        fields += [
            ("attributed", "\(e.attributed)"), ("family", "\(e.family)"),
            ("saddr", JSON.string(e.localAddress)), ("sport", "\(e.localPort)"),
            ("daddr", JSON.string(e.remoteAddress)), ("dport", "\(e.remotePort)"),
        ]
        switch tool {
        case .life:
            fields += [("tx_bytes", "\(e.txBytes)"), ("rx_bytes", "\(e.rxBytes)"), ("duration_ms", milliseconds(e.durationNanoseconds))]
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

    /// Nanoseconds as milliseconds with two decimals (BCC's MS column).
    static func milliseconds(_ ns: UInt64) -> String {
        let hundredths = (ns + 5_000) / 10_000
        let frac = String(hundredths % 100)
        return "\(hundredths / 100)." + (frac.count < 2 ? "0" : "") + frac
    }

    static func wallClock() -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }

    static func leftPad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }

    static func formatSeconds(_ t: Double) -> String {
        let ms = Int((t * 1000).rounded())
        let frac = String(ms % 1000)
        return "\(ms / 1000)." + String(repeating: "0", count: 3 - frac.count) + frac
    }
}
