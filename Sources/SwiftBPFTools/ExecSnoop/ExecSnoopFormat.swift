/// Output formats of `swiftbpf execsnoop`: BCC's columns, or one JSON object per line.
public enum ExecSnoopFormat {
    /// BCC execsnoop's header line.
    public static func header(timestamp: Bool) -> String {
        (timestamp ? pad("TIME(s)", 9) : "") + pad("PCOMM", 16) + " " + pad("PID", 7) + " " + pad("PPID", 7) + " " + leftPad("RET", 3) + " ARGS"
    }

    /// One event in BCC's columns.
    public static func line(_ e: ExecEvent, seconds: Double? = nil) -> String {
        var s = ""
        if let seconds { s += pad(formatSeconds(seconds), 9) }
        s += pad(e.comm, 16) + " " + pad(String(e.pid), 7) + " " + pad(String(e.ppid), 7) + " " + leftPad(String(e.ret), 3) + " "
        s += e.args.joined(separator: " ")
        if e.truncated { s += " ..." }
        return s
    }

    /// One event as a JSON object: comm, pid (the process), ppid, uid, ret, args, truncated,
    /// then tgid, tid, cgroup_id, and time when asked.
    public static func json(_ e: ExecEvent, seconds: Double? = nil, cgroupPath: String? = nil) -> String {
        var fields: [(String, String)] = []
        if let seconds { fields.append(("time", formatSeconds(seconds))) }
        fields += [
            ("comm", JSON.string(e.comm)), ("pid", "\(e.pid)"), ("ppid", "\(e.ppid)"), ("uid", "\(e.uid)"),
            ("ret", "\(e.ret)"), ("args", "[\(e.args.map(JSON.string).joined(separator: ","))]"),
            ("truncated", "\(e.truncated)"), ("tgid", "\(e.task.tgid)"), ("tid", "\(e.task.pid)"),
            ("cgroup_id", "\(e.task.cgroupID)"),
        ]
        if let cgroupPath { fields.append(("cgroup", JSON.string(cgroupPath))) }
        return JSON.object(fields)
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
