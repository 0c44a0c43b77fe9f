import Glibc
import ToolText

/// Output of `swiftbpf killsnoop`: BCC killsnoop's columns, or one JSON object per call.
public enum KillSnoopFormat {
    /// BCC's header: `TIME PID COMM SIG TPID RESULT`.
    public static func header() -> String {
        Columns.pad("TIME", 9) + " " + Columns.pad("PID", 7) + " " + Columns.pad("COMM", 16) + " "
            + Columns.pad("SIG", 4) + " " + Columns.pad("TPID", 7) + " RESULT"
    }

    /// One call in BCC's columns. TIME is the wall clock (HH:MM:SS) or, given `seconds`, the
    /// seconds since the tool started.
    public static func line(_ e: KillEvent, seconds: Double? = nil) -> String {
        let time = seconds.map { TimeText.seconds($0) } ?? TimeText.wallClock()
        return Columns.pad(time, 9) + " " + Columns.pad(String(e.task.tgid), 7) + " " + Columns.pad(e.task.comm, 16) + " "
            + Columns.pad(String(e.signal), 4) + " " + Columns.pad(String(e.target), 7) + " " + String(e.ret)
    }

    /// One call as JSON. Fields: `time` (with a timestamp), the sender's `pid`, `tgid`, `ppid`,
    /// `uid`, `comm`, `cgroup_id`, `cgroup` (with a resolver), then `syscall` ("kill", "tkill",
    /// "tgkill"), `target`, `target_tgid`, `signal`, `signal_name`, `ret` (0 or -errno).
    public static func json(_ e: KillEvent, seconds: Double? = nil, cgroups: CgroupPaths? = nil) -> String {
        var fields: [(String, String)] = []
        if let seconds { fields.append(("time", TimeText.seconds(seconds))) }
        fields += e.task.jsonFields
        if let cgroups { fields.append(("cgroup", cgroups.path(of: e.task.cgroupID).map(JSON.string) ?? "null")) }
        fields += [("syscall", JSON.string(e.call.name)), ("target", "\(e.target)"), ("target_tgid", "\(e.targetTgid)"),
                   ("signal", "\(e.signal)"),
                   ("signal_name", e.signal == 0 ? "null" : SignalNames.name(e.signal).map(JSON.string) ?? "null"),
                   ("ret", "\(e.ret)")]
        return JSON.object(fields)
    }
}
