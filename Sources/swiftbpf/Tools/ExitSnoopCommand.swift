import ArgumentParser
import BPF
import SwiftBPFTools

struct ExitSnoopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exitsnoop",
        abstract: "Trace process exits: exit code or killing signal, and lifetime.",
        discussion: """
            One line per exit: PCOMM, PID, PPID, TID, AGE(s) and EXIT_CODE ("0", "code N", or \
            "signal N (NAME)"). Only whole processes unless --threads. Filters run in the kernel.
            JSON fields: time (with -T), pid (thread id), tgid, ppid, uid, comm, cgroup_id, cgroup, \
            age_ns, status, code, signal, signal_name, core_dumped.
            """
    )

    @OptionGroup var common: ToolOptions

    @Flag(help: "Every thread's exit, not only whole processes.")
    var threads = false

    @Flag(name: [.customShort("x"), .long], help: "Only exits with a non-zero code or a signal.")
    var failed = false

    func run() throws {
        installStopHandlers()
        let session = try ExitSnoop.start(filter: common.filter, options: .init(threads: threads, failedOnly: failed),
                                          ringBufferSize: common.ringBufferSize)
        let cgroups = common.json ? CgroupPaths() : nil
        try EventLoop.run(session, tool: "exitsnoop", options: common,
                          header: ExitSnoopFormat.header(timestamp: common.timestamp)) { record, t in
            guard let e = ExitEvent(record: record) else { return nil }
            return common.json ? ExitSnoopFormat.json(e, seconds: t, cgroups: cgroups) : ExitSnoopFormat.line(e, seconds: t)
        }
    }
}
