import ArgumentParser
import BPF
import Glibc
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

    @Flag(name: [.customShort("F"), .customLong("full-path")], help: "Show relative paths with the working directory in front (resolved in the kernel).")
    var fullPath = false

    @Flag(name: [.customShort("e"), .long], help: "Show the open flags (octal), as BCC's extended output.")
    var flags = false

    @Flag(name: [.customShort("U"), .long], help: "Show the user id.")
    var printUID = false

    func run() throws {
        installStopHandlers()
        let session = try OpenSnoop.start(filter: common.filter, options: .init(failedOnly: failed, pathPrefix: pathPrefix, fullPath: fullPath),
                                          ringBufferSize: common.ringBufferSize)
        let header = OpenSnoopFormat.header(timestamp: common.timestamp, uid: printUID, flags: flags)
        // Lines (columns or JSON) go straight from the record into a stdio stream on fd 1
        // (EventLoop's flush after each batch flushes every stream): no String per event.
        guard let out = fdopen(1, "w") else { throw CommandError("cannot open standard output") }
        setvbuf(out, nil, _IOFBF, 1 << 16)
        var lines = common.json ? OpenSnoopLines(jsonWith: CgroupPaths()) : OpenSnoopLines(uid: printUID, flags: flags)
        try EventLoop.run(session, tool: "opensnoop", options: common, header: header) { record, t in
            if lines.append(record: record, seconds: t) {
                lines.bytes.withUnsafeBytes { _ = fwrite_unlocked($0.baseAddress, 1, $0.count, out) }
                lines.bytes.removeAll(keepingCapacity: true)
            }
            return nil
        }
    }
}
