import ToolText
/// Output of `swiftbpf opensnoop`: BCC opensnoop's columns, or one JSON object per event.
public enum OpenSnoopFormat {
    /// BCC's header: `[TIME(s)] [UID] PID COMM FD ERR [FLAGS] PATH`.
    public static func header(timestamp: Bool, uid: Bool = false, flags: Bool = false) -> String {
        var s = timestamp ? Columns.pad("TIME(s)", 9) : ""
        if uid { s += Columns.pad("UID", 6) + " " }
        s += Columns.pad("PID", 6) + " " + Columns.pad("COMM", 16) + " " + Columns.leftPad("FD", 4) + " " + Columns.leftPad("ERR", 3) + " "
        if flags { s += Columns.pad("FLAGS", 9) }
        return s + "PATH"
    }

    /// One event in BCC's columns (FD -1 and ERR = errno for a failed open; FLAGS in octal).
    public static func line(_ e: OpenEvent, seconds: Double? = nil, uid: Bool = false, flags: Bool = false) -> String {
        var s = seconds.map { Columns.pad(TimeText.seconds($0), 9) } ?? ""
        if uid { s += Columns.pad(String(e.task.uid), 6) + " " }
        s += Columns.pad(String(e.task.tgid), 6) + " " + Columns.pad(e.task.comm, 16) + " "
        s += Columns.leftPad(String(e.fd), 4) + " " + Columns.leftPad(String(e.errno), 3) + " "
        if flags { s += Columns.octal(e.flags, width: 8) + " " }
        return s + e.fullPath
    }

    /// One event as JSON. Fields: `time` (with a timestamp), `pid`, `tgid`, `ppid`, `uid`, `comm`,
    /// `cgroup_id`, `cgroup` (with a resolver), `fd` (-1 on failure), `errno` (0 on success),
    /// `ret`, `flags`, `dfd`, `path` (with the working directory in front when it was captured).
    public static func json(_ e: OpenEvent, seconds: Double? = nil, cgroups: CgroupPaths? = nil) -> String {
        var fields: [(String, String)] = []
        if let seconds { fields.append(("time", TimeText.seconds(seconds))) }
        fields += e.task.jsonFields
        if let cgroups { fields.append(("cgroup", cgroups.path(of: e.task.cgroupID).map(JSON.string) ?? "null")) }
        fields += [("fd", "\(e.fd)"), ("errno", "\(e.errno)"), ("ret", "\(e.ret)"), ("flags", "\(e.flags)"),
                   ("dfd", "\(e.dfd)"), ("path", JSON.string(e.fullPath))]
        return JSON.object(fields)
    }
}
