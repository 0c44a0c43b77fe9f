import ArgumentParser
import BPF
import SwiftBPFTools

struct KillSnoopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "killsnoop",
        abstract: "Trace signals sent with kill(2), tkill(2) and tgkill(2).",
        discussion: """
            One line per call: TIME (HH:MM:SS, or seconds since start with -T), PID and COMM of the \
            sender, SIG, TPID (the target) and RESULT (0 or -errno). The common filters select the \
            sender; filters run in the kernel.
            JSON fields: time (with -T), pid, tgid, ppid, uid, comm, cgroup_id, cgroup (the sender), \
            syscall, target, target_tgid, signal, signal_name, ret.
            """
    )

    @OptionGroup var common: ToolOptions

    @Option(name: [.customShort("s"), .long], parsing: .unconditional, help: "Only this signal number.")
    var signal: UInt32?

    @Flag(name: [.customShort("x"), .long], help: "Only calls that failed.")
    var failed = false

    func run() throws {
        installStopHandlers()
        let session = try KillSnoop.start(filter: common.filter, options: .init(signal: signal, failedOnly: failed),
                                          ringBufferSize: common.ringBufferSize)
        let cgroups = common.json ? CgroupPaths() : nil
        try EventLoop.run(session, tool: "killsnoop", options: common, header: KillSnoopFormat.header()) { record, t in
            guard let e = KillEvent(record: record) else { return nil }
            return common.json ? KillSnoopFormat.json(e, seconds: t, cgroups: cgroups) : KillSnoopFormat.line(e, seconds: t)
        }
    }
}
