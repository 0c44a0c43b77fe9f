import ToolText
/// Output formats of `swiftbpf execsnoop`: BCC's columns, or one JSON object per line.
public enum ExecSnoopFormat {
    /// BCC execsnoop's header line.
    public static func header(timestamp: Bool) -> String {
        (timestamp ? Columns.pad("TIME(s)", 9) : "") + Columns.pad("PCOMM", 16) + " " + Columns.pad("PID", 7) + " " + Columns.pad("PPID", 7) + " " + Columns.leftPad("RET", 3) + " ARGS"
    }

    /// One event in BCC's columns.
    public static func line(_ e: ExecEvent, seconds: Double? = nil) -> String {
        var s = ""
        if let seconds { s += Columns.pad(TimeText.seconds(seconds), 9) }
        s += Columns.pad(e.comm, 16) + " " + Columns.pad(String(e.pid), 7) + " " + Columns.pad(String(e.ppid), 7) + " " + Columns.leftPad(String(e.ret), 3) + " "
        s += e.args.joined(separator: " ")
        if e.truncated { s += " ..." }
        return s
    }

    /// One event as a JSON object: comm, pid (the process), ppid, uid, ret, args, truncated,
    /// then tgid, tid, cgroup_id, and time when asked.
    public static func json(_ e: ExecEvent, seconds: Double? = nil, cgroupPath: String? = nil) -> String {
        var fields: [(String, String)] = []
        if let seconds { fields.append(("time", TimeText.seconds(seconds))) }
        fields += [
            ("comm", JSON.string(e.comm)), ("pid", "\(e.pid)"), ("ppid", "\(e.ppid)"), ("uid", "\(e.uid)"),
            ("ret", "\(e.ret)"), ("args", "[\(e.args.map(JSON.string).joined(separator: ","))]"),
            ("truncated", "\(e.truncated)"), ("tgid", "\(e.task.tgid)"), ("tid", "\(e.task.pid)"),
            ("cgroup_id", "\(e.task.cgroupID)"),
        ]
        if let cgroupPath { fields.append(("cgroup", JSON.string(cgroupPath))) }
        return JSON.object(fields)
    }
}
