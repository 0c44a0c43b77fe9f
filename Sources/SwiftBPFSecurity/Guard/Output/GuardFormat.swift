import ToolText

/// guard's output: text columns for people, one JSON object per line for programs.
public enum GuardFormat {
    public static func header() -> String {
        pad("TIME(s)", 11) + pad("EVENT", 8) + pad("PID", 8) + pad("PPID", 8) + pad("UID", 6) + pad("COMM", 16) + pad("ACTION", 14) + "DETAILS"
    }

    /// The action column: `kill`, `deny`, `alert`, or `would-kill`/`would-deny` in monitor mode.
    public static func actionText(_ e: GuardEvent) -> String {
        switch e.action {
        case .none: "-"
        case .alert: "alert"
        case .kill, .deny: e.enforced ? e.action.name : "would-\(e.action.name)"
        }
    }

    /// The kind-specific part of an event, as text.
    public static func details(_ e: GuardEvent) -> String {
        var parts: [String] = []
        switch e.kind {
        case .exec:
            parts.append(e.path ?? "?")
            if !e.argv.isEmpty { parts.append("argv=" + e.argv.map(quoteIfNeeded).joined(separator: " ")) }
            if let f = e.filename, f != e.path { parts.append("filename=\(f)") }
            if let i = e.interpreter { parts.append("interpreter=\(i)") }
        case .exit:
            parts.append(exitText(e.result))
        case .fork:
            parts.append("child of \(e.process.ppid)")
        case .open:
            parts.append(e.path ?? "?")
            parts.append("flags=0x\(String(e.arguments.first ?? 0, radix: 16))")
        case .connect, .bind, .sendmsg, .listen, .accept:
            parts.append("\(e.address ?? "?") port \(e.port)")
        case .device:
            let a = e.arguments.map { UInt32(truncatingIfNeeded: $0) } + [0, 0, 0, 0]
            parts.append(GuardDevice.describe(type: a[0], major: a[1], minor: a[2], access: a[3]))
        case .socket:
            let a = e.arguments
            parts.append("family=\(GuardSocketNames.familyName(UInt32(truncatingIfNeeded: a.first ?? 0)))")
            parts.append("type=\(GuardSocketNames.typeName(UInt32(truncatingIfNeeded: a.count > 1 ? a[1] : 0)))")
            parts.append("protocol=\(a.count > 2 ? a[2] : 0)")
        default:
            if !e.strings.isEmpty { parts.append(e.strings.joined(separator: " ")) }
            parts.append("args=" + e.arguments.prefix(3).map { String($0) }.joined(separator: ","))
        }
        if !e.flags.names.isEmpty { parts.append("[" + e.flags.names.joined(separator: ",") + "]") }
        if let name = e.ruleName { parts.append("rule=\(name)") }
        if !e.lineage.isEmpty {
            parts.append("lineage=" + e.lineage.map { "\($0.comm)(\($0.pid))" }.joined(separator: "<"))
        }
        return parts.joined(separator: " ")
    }

    public static func line(_ e: GuardEvent, seconds: Double) -> String {
        pad(formatSeconds(seconds), 11) + pad(e.kind.name, 8) + pad(String(e.process.pid), 8) + pad(String(e.process.ppid), 8) +
            pad(String(e.process.uid), 6) + pad(e.process.comm, 16) + pad(actionText(e), 14) + details(e)
    }

    /// Exit statuses as the shell shows them: `exit 0`, `signal 9 (SIGKILL)`.
    public static func exitText(_ code: Int32) -> String {
        let signal = code & 0x7f
        if signal == 0 { return "exit \((code >> 8) & 0xff)" }
        return "signal \(signal)" + (signal == 9 ? " (SIGKILL)" : "")
    }

    /// One event as JSON: every field, the lineage as a list of ancestors (parent first).
    public static func json(_ e: GuardEvent, seconds: Double? = nil) -> String {
        let p = e.process
        var process: [(String, String)] = [
            ("pid", "\(p.pid)"), ("tid", "\(p.tid)"), ("ppid", "\(p.ppid)"), ("uid", "\(p.uid)"), ("gid", "\(p.gid)"),
            ("comm", JSON.string(p.comm)), ("binary_inode", JSON.string(p.binary.description)),
            ("cgroup_id", "\(p.cgroupID)"), ("start_ns", "\(p.startNanoseconds)"), ("parent_start_ns", "\(p.parentStartNanoseconds)"),
        ]
        if let b = p.binaryPath { process.append(("binary", JSON.string(b))) }
        if let c = p.cgroupPath { process.append(("cgroup", JSON.string(c))) }
        var fields: [(String, String)] = []
        if let seconds { fields.append(("time", formatSeconds(seconds))) }
        fields += [("event", JSON.string(e.kind.name)), ("timestamp_ns", "\(e.timestampNanoseconds)"), ("process", JSON.object(process))]
        fields.append(("lineage", JSON.array(e.lineage.map { a in
            var f: [(String, String)] = [("pid", "\(a.pid)"), ("comm", JSON.string(a.comm)), ("start_ns", "\(a.startNanoseconds)")]
            if let b = a.binaryPath { f.append(("binary", JSON.string(b))) }
            if let i = a.binary { f.append(("binary_inode", JSON.string(i.description))) }
            return JSON.object(f)
        })))
        if let rule = e.ruleName { fields.append(("rule", JSON.string(rule))) }
        fields.append(("action", JSON.string(e.action.name)))
        fields.append(("enforced", "\(e.enforced)"))
        if !e.flags.isEmpty { fields.append(("flags", JSON.array(e.flags.names.map(JSON.string)))) }
        switch e.kind {
        case .exec:
            if let path = e.path { fields.append(("path", JSON.string(path))) }
            if let o = e.object { fields.append(("inode", JSON.string(o.description))) }
            if let f = e.filename { fields.append(("filename", JSON.string(f))) }
            if let i = e.interpreter { fields.append(("interpreter", JSON.string(i))) }
            fields.append(("argv", JSON.array(e.argv.map(JSON.string))))
        case .exit:
            fields.append(("exit_code", "\(e.result)"))
            fields.append(("status", JSON.string(exitText(e.result))))
        case .fork:
            break
        case .open:
            if let path = e.path { fields.append(("path", JSON.string(path))) }
            if let o = e.object { fields.append(("inode", JSON.string(o.description))) }
            fields.append(("flags_raw", "\(e.arguments.first ?? 0)"))
            fields.append(("ret", "\(e.result)"))
        case .connect, .bind, .sendmsg, .listen, .accept:
            fields.append(("family", "\(e.family)"))
            if let a = e.address { fields.append(("address", JSON.string(a))) }
            fields.append(("port", "\(e.port)"))
        case .socket:
            let a = e.arguments
            fields.append(("family", JSON.string(GuardSocketNames.familyName(UInt32(truncatingIfNeeded: a.first ?? 0)))))
            fields.append(("type", JSON.string(GuardSocketNames.typeName(UInt32(truncatingIfNeeded: a.count > 1 ? a[1] : 0)))))
            fields.append(("protocol", "\(a.count > 2 ? a[2] : 0)"))
        case .device:
            let a = e.arguments.map { UInt32(truncatingIfNeeded: $0) } + [0, 0, 0, 0]
            fields.append(("device_type", JSON.string(GuardDevice.DeviceType(rawValue: a[0])?.letter ?? "?")))
            fields.append(("major", "\(a[1])"))
            fields.append(("minor", "\(a[2])"))
            fields.append(("access", JSON.string(GuardDevice.Access(rawValue: a[3]).letters)))
        default:
            fields.append(("args", JSON.array(e.arguments.map { "\($0)" })))
            if !e.strings.isEmpty { fields.append(("strings", JSON.array(e.strings.map(JSON.string)))) }
        }
        return JSON.object(fields)
    }

    static func quoteIfNeeded(_ s: String) -> String {
        s.isEmpty || s.contains(" ") ? "\"\(s)\"" : s
    }

    /// `s` padded to `width`, always followed by at least one space.
    static func pad(_ s: String, _ width: Int) -> String { Columns.pad(s, width - 1) + " " }

    static func formatSeconds(_ t: Double) -> String {
        let ms = Int((t * 1000).rounded())
        let frac = String(ms % 1000)
        return "\(ms / 1000)." + String(repeating: "0", count: 3 - frac.count) + frac
    }
}
