import ToolText
/// syscount's output: BCC's columns, and one JSON object per interval.
public enum SysCountFormat {
    /// The table of the `top` entries (all with nil): SYSCALL or PID/COMM, COUNT and, with
    /// latency, TIME (us) (the total) and AVG (us).
    public static func table(_ entries: [SysCount.Entry], options: SysCount.Options, top: Int?) -> String {
        let shown = top.map { Array(entries.prefix($0)) } ?? entries
        let head = options.byProcess ? "PID    \(Columns.pad("COMM", 15))" : Columns.pad("SYSCALL", 22)
        var lines = [head + " " + Columns.leftPad("COUNT", 8)
            + (options.latency ? " " + Columns.leftPad("TIME (us)", 16) + " " + Columns.leftPad("AVG (us)", 12) : "")]
        for e in shown {
            var line = options.byProcess ? Columns.pad(String(e.key), 6) + " " + Columns.pad(e.name, 15) : Columns.pad(e.name, 22)
            line += " " + Columns.leftPad(String(e.count), 8)
            if options.latency {
                line += " " + Columns.leftPad(micros(e.totalNanoseconds), 16) + " " + Columns.leftPad(micros(e.averageNanoseconds), 12)
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// Each shown entry's latency histogram, headed "syscall = NAME" or "pid = PID COMM".
    public static func histograms(_ entries: [SysCount.Entry], options: SysCount.Options, top: Int?) -> String {
        let shown = top.map { Array(entries.prefix($0)) } ?? entries
        return shown.map { e in
            (options.byProcess ? "pid = \(e.key) \(e.name)" : "syscall = \(e.name)") + "\n" + options.histogram.render(e.slots)
        }.joined(separator: "\n\n")
    }

    /// One interval as JSON: `{"time":S?,"unit":"usecs","syscalls"|"processes":[...],"dropped":N}`.
    /// Per syscall: `syscall`, `nr`, `count`, and with latency `total_ns`, `avg_ns`, `hist`
    /// (`[{low,high,count}]` in `unit`). Per process: `pid`, `comm` instead of `syscall`, `nr`.
    public static func json(_ entries: [SysCount.Entry], options: SysCount.Options, top: Int?, seconds: Double?, dropped: UInt64) -> String {
        let shown = top.map { Array(entries.prefix($0)) } ?? entries
        let items = shown.map { e -> String in
            var f: [(String, String)] = options.byProcess
                ? [("pid", "\(e.key)"), ("comm", JSON.string(e.name))]
                : [("syscall", JSON.string(e.name)), ("nr", "\(e.key)")]
            f.append(("count", "\(e.count)"))
            if options.latency {
                f += [("total_ns", "\(e.totalNanoseconds)"), ("avg_ns", "\(e.averageNanoseconds)"), ("hist", options.histogram.json(e.slots))]
            }
            return JSON.object(f)
        }
        var fields: [(String, String)] = []
        if let seconds { fields.append(("time", TimeText.seconds(seconds))) }
        if options.latency { fields.append(("unit", JSON.string(options.histogram.unit))) }
        fields.append((options.byProcess ? "processes" : "syscalls", "[" + items.joined(separator: ",") + "]"))
        fields.append(("dropped", "\(dropped)"))
        return JSON.object(fields)
    }

    static func micros(_ ns: UInt64) -> String {
        let frac = String(ns % 1000)
        return "\(ns / 1000)." + String(repeating: "0", count: 3 - frac.count) + frac
    }
}

