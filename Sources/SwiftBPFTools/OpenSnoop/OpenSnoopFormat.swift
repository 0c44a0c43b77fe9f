/// Output of `swiftbpf opensnoop`: BCC opensnoop's columns, or one JSON object per event.
public enum OpenSnoopFormat {
    /// BCC's header: `[TIME(s)] [UID] PID COMM FD ERR [FLAGS] PATH`.
    public static func header(timestamp: Bool, uid: Bool = false, flags: Bool = false) -> String {
        var s = timestamp ? SnoopText.pad("TIME(s)", 9) : ""
        if uid { s += SnoopText.pad("UID", 6) + " " }
        s += SnoopText.pad("PID", 6) + " " + SnoopText.pad("COMM", 16) + " " + SnoopText.leftPad("FD", 4) + " " + SnoopText.leftPad("ERR", 3) + " "
        if flags { s += SnoopText.pad("FLAGS", 9) }
        return s + "PATH"
    }

    /// One event in BCC's columns (FD -1 and ERR = errno for a failed open; FLAGS in octal).
    public static func line(_ e: OpenEvent, seconds: Double? = nil, uid: Bool = false, flags: Bool = false) -> String {
        var s = seconds.map { SnoopText.pad(SnoopText.seconds($0), 9) } ?? ""
        if uid { s += SnoopText.pad(String(e.task.uid), 6) + " " }
        s += SnoopText.pad(String(e.task.tgid), 6) + " " + SnoopText.pad(e.task.comm, 16) + " "
        s += SnoopText.leftPad(String(e.fd), 4) + " " + SnoopText.leftPad(String(e.errno), 3) + " "
        if flags { s += SnoopText.octal(e.flags, width: 8) + " " }
        return s + e.fullPath
    }

    /// One event as JSON. Fields: `time` (with a timestamp), `pid`, `tgid`, `ppid`, `uid`, `comm`,
    /// `cgroup_id`, `cgroup` (with a resolver), `fd` (-1 on failure), `errno` (0 on success),
    /// `ret`, `flags`, `dfd`, `path` (with the working directory in front when it was captured).
    public static func json(_ e: OpenEvent, seconds: Double? = nil, cgroups: CgroupPaths? = nil) -> String {
        var fields: [(String, String)] = []
        if let seconds { fields.append(("time", SnoopText.seconds(seconds))) }
        fields += e.task.jsonFields
        if let cgroups { fields.append(("cgroup", cgroups.path(of: e.task.cgroupID).map(JSON.string) ?? "null")) }
        fields += [("fd", "\(e.fd)"), ("errno", "\(e.errno)"), ("ret", "\(e.ret)"), ("flags", "\(e.flags)"),
                   ("dfd", "\(e.dfd)"), ("path", JSON.string(e.fullPath))]
        return JSON.object(fields)
    }
}
