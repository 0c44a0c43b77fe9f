import ArgumentParser
import BPF
import SwiftBPFTools
import ToolText

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Report what this kernel offers BPF: BTF, mounts, LSMs, and each hook, program type, map type and helper.",
        discussion: """
            Every feature is probed by loading (and, for hooks, briefly attaching) a minimal program, \
            so 'supported' means it really works here. Unsupported items say why: a missing sysfs or \
            tracefs file, a kernel config option, or the errno of the failed load or attach. Needs root.
            """
    )

    @Flag(help: "Print one JSON object instead of tables.")
    var json = false

    func run() throws {
        // Without privileges every probe fails for lack of them: say so before any answer.
        let missing = Privileges().missing
        let warning = missing.isEmpty ? nil : Self.privilegeWarning(missing: missing)
        if let warning { Output.error("swiftbpf doctor: " + warning) }
        let report = KernelReport.probe()
        print(json ? Self.json(report, missingCapabilities: missing) : Self.text(report, privilegeWarning: warning))
    }

    static func privilegeWarning(missing: [String]) -> String {
        "not running with the privileges it needs (missing \(missing.joined(separator: ", "))): "
            + "the answers below are for this user, not what the kernel offers root; run it as root for those"
    }

    static func text(_ r: KernelReport, privilegeWarning: String? = nil) -> String {
        var out: [String] = []
        if let privilegeWarning { out.append("privileges " + privilegeWarning) }
        out.append("kernel     \(r.release)")
        out.append("btf        " + (r.btfSize.map { "/sys/kernel/btf/vmlinux (\($0) bytes)" } ?? "missing (CONFIG_DEBUG_INFO_BTF is off): CO-RE needs it"))
        for m in r.mounts {
            out.append(Columns.pad(m.name, 11) + (m.path ?? "not mounted"))
        }
        out.append("lsm        " + (r.lsms?.joined(separator: ",") ?? "unknown (securityfs not mounted)"))
        if let lockdown = r.lockdown { out.append("lockdown   \(lockdown)") }
        var group = ""
        // Wide enough for the longest name ("bpf_get_current_pid_tgid in cgroup_skb"), so a name
        // never runs into its status.
        let width = max(34, (r.entries.map(\.name.count).max() ?? 0) + 2)
        for e in r.entries {
            if e.group != group {
                group = e.group
                out.append("")
                out.append(Columns.pad(group.uppercased().replacingUnderscores(), width) + "STATUS")
            }
            let status = e.status.isSupported ? "yes" : "no: \(e.status.reason ?? "")"
            out.append(Columns.pad(e.name, width) + status)
        }
        return out.joined(separator: "\n")
    }

    static func json(_ r: KernelReport, missingCapabilities: [String] = []) -> String {
        let mounts = JSON.object(r.mounts.map { ($0.name, $0.path.map(JSON.string) ?? "null") })
        var groups: [(String, [String])] = []
        for e in r.entries {
            var fields = [("name", JSON.string(e.name)), ("supported", "\(e.status.isSupported)")]
            if let reason = e.status.reason { fields.append(("reason", JSON.string(reason))) }
            let item = JSON.object(fields)
            if let i = groups.firstIndex(where: { $0.0 == e.group }) { groups[i].1.append(item) } else { groups.append((e.group, [item])) }
        }
        var fields: [(String, String)] = [
            ("privileged", "\(missingCapabilities.isEmpty)"),
            ("missing_capabilities", "[" + missingCapabilities.map(JSON.string).joined(separator: ",") + "]"),
            ("kernel", JSON.string(r.release)),
            ("version", JSON.string(r.version.description)),
            ("btf", JSON.object([("present", "\(r.btfSize != nil)"), ("size", r.btfSize.map { "\($0)" } ?? "null")])),
            ("mounts", mounts),
            ("lsm", r.lsms.map { "[" + $0.map(JSON.string).joined(separator: ",") + "]" } ?? "null"),
            ("lockdown", r.lockdown.map(JSON.string) ?? "null"),
        ]
        for (group, items) in groups { fields.append((group + "s", "[" + items.joined(separator: ",") + "]")) }
        return JSON.object(fields)
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String { String(map { $0 == "_" ? " " : $0 }) }
}
