import ArgumentParser
import BPF
import SwiftBPFTools

struct OpenSnoopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "opensnoop",
        abstract: "Trace open(2), openat(2) and openat2(2): who opened which path, and the result.",
        discussion: """
            One line per open: PID, COMM, FD (-1 on failure), ERR (the errno, 0 on success), FLAGS \
            with --flags (octal), and PATH as the process passed it. Filters run in the kernel.
            JSON fields: time (with -T), pid, tgid, ppid, uid, comm, cgroup_id, cgroup, fd, errno, \
            ret, flags, dfd, path; and a final {"dropped":N} line if events were lost.
            """
    )

    @OptionGroup var common: ToolOptions

    @Flag(name: [.customShort("x"), .long], help: "Only failed opens.")
    var failed = false

    @Option(name: .customLong("path-prefix"), help: "Only paths starting with this text (as the process passed them).")
    var pathPrefix: String?

    @Flag(name: [.customShort("e"), .long], help: "Show the open flags (octal), as BCC's extended output.")
    var flags = false

    @Flag(name: [.customShort("U"), .long], help: "Show the user id.")
    var printUID = false

    func run() throws {
        installStopHandlers()
        let session = try OpenSnoop.start(filter: common.filter, options: .init(failedOnly: failed, pathPrefix: pathPrefix),
                                          ringBufferSize: common.ringBufferSize)
        let cgroups = common.json ? CgroupPaths() : nil
        try EventLoop.run(session, tool: "opensnoop", options: common,
                          header: OpenSnoopFormat.header(timestamp: common.timestamp, uid: printUID, flags: flags)) { record, t in
            guard let e = OpenEvent(record: record) else { return nil }
            return common.json ? OpenSnoopFormat.json(e, seconds: t, cgroups: cgroups)
                               : OpenSnoopFormat.line(e, seconds: t, uid: printUID, flags: flags)
        }
    }
}
