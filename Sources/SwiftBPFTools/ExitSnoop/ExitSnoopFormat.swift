import ToolText
/// Output of `swiftbpf exitsnoop`: BCC exitsnoop's columns, or one JSON object per exit.
public enum ExitSnoopFormat {
    /// BCC's header: `[TIME(s)] PCOMM PID PPID TID AGE(s) EXIT_CODE`.
    public static func header(timestamp: Bool) -> String {
        (timestamp ? Columns.pad("TIME(s)", 9) : "") + Columns.pad("PCOMM", 16) + " " + Columns.pad("PID", 7) + " "
            + Columns.pad("PPID", 7) + " " + Columns.pad("TID", 7) + " " + Columns.pad("AGE(s)", 7) + " EXIT_CODE"
    }

    /// BCC's EXIT_CODE text: "0", "code N", or "signal N (NAME)" with ", core dumped".
    public static func exitText(_ e: ExitEvent) -> String {
        if e.signal == 0 { return e.code == 0 ? "0" : "code \(e.code)" }
        var s = "signal \(e.signal) (\(SignalNames.name(e.signal) ?? "?"))"
        if e.coreDumped { s += ", core dumped" }
        return s
    }

    public static func line(_ e: ExitEvent, seconds: Double? = nil) -> String {
        var s = seconds.map { Columns.pad(TimeText.seconds($0), 9) } ?? ""
        s += Columns.pad(e.task.comm, 16) + " " + Columns.pad(String(e.task.tgid), 7) + " "
        s += Columns.pad(String(e.task.ppid), 7) + " " + Columns.pad(String(e.task.pid), 7) + " "
        s += Columns.pad(TimeText.decimal(Double(e.ageNanoseconds) / 1e9, places: 2), 7) + " "
        return s + exitText(e)
    }

    /// One exit as JSON. Fields: `time` (with a timestamp), `pid` (thread id), `tgid`, `ppid`,
    /// `uid`, `comm`, `cgroup_id`, `cgroup` (with a resolver), `age_ns`, `status` (wait(2) status),
    /// `code`, `signal` (0 if none), `signal_name` (null if none), `core_dumped`.
    public static func json(_ e: ExitEvent, seconds: Double? = nil, cgroups: CgroupPaths? = nil) -> String {
        var fields: [(String, String)] = []
        if let seconds { fields.append(("time", TimeText.seconds(seconds))) }
        fields += e.task.jsonFields
        if let cgroups { fields.append(("cgroup", cgroups.path(of: e.task.cgroupID).map(JSON.string) ?? "null")) }
        fields += [("age_ns", "\(e.ageNanoseconds)"), ("status", "\(e.status)"), ("code", "\(e.code)"),
                   ("signal", "\(e.signal)"),
                   ("signal_name", e.signal == 0 ? "null" : JSON.string(SignalNames.name(e.signal) ?? "?")),
                   ("core_dumped", "\(e.coreDumped)")]
        return JSON.object(fields)
    }
}
