import Glibc

/// Output of `swiftbpf killsnoop`: BCC killsnoop's columns, or one JSON object per call.
public enum KillSnoopFormat {
    /// BCC's header: `TIME PID COMM SIG TPID RESULT`.
    public static func header() -> String {
        SnoopText.pad("TIME", 9) + " " + SnoopText.pad("PID", 7) + " " + SnoopText.pad("COMM", 16) + " "
            + SnoopText.pad("SIG", 4) + " " + SnoopText.pad("TPID", 7) + " RESULT"
    }

    /// One call in BCC's columns. TIME is the wall clock (HH:MM:SS) or, given `seconds`, the
    /// seconds since the tool started.
    public static func line(_ e: KillEvent, seconds: Double? = nil) -> String {
        let time = seconds.map { SnoopText.seconds($0) } ?? wallClock()
        return SnoopText.pad(time, 9) + " " + SnoopText.pad(String(e.task.tgid), 7) + " " + SnoopText.pad(e.task.comm, 16) + " "
            + SnoopText.pad(String(e.signal), 4) + " " + SnoopText.pad(String(e.target), 7) + " " + String(e.ret)
    }

    /// One call as JSON. Fields: `time` (with a timestamp), the sender's `pid`, `tgid`, `ppid`,
    /// `uid`, `comm`, `cgroup_id`, `cgroup` (with a resolver), then `syscall` ("kill", "tkill",
    /// "tgkill"), `target`, `target_tgid`, `signal`, `signal_name`, `ret` (0 or -errno).
    public static func json(_ e: KillEvent, seconds: Double? = nil, cgroups: CgroupPaths? = nil) -> String {
        var fields: [(String, String)] = []
        if let seconds { fields.append(("time", SnoopText.seconds(seconds))) }
        fields += e.task.jsonFields
        if let cgroups { fields.append(("cgroup", cgroups.path(of: e.task.cgroupID).map(JSON.string) ?? "null")) }
        fields += [("syscall", JSON.string(e.call.name)), ("target", "\(e.target)"), ("target_tgid", "\(e.targetTgid)"),
                   ("signal", "\(e.signal)"),
                   ("signal_name", e.signal == 0 ? "null" : SignalNames.name(e.signal).map(JSON.string) ?? "null"),
                   ("ret", "\(e.ret)")]
        return JSON.object(fields)
    }

    static func wallClock() -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
    }
}
