import ArgumentParser
import BPF
import Glibc

/// `swiftbpf opensnoop`.
public struct OpenSnoopTool: EventTool {
    public static let configuration = CommandConfiguration(
        commandName: "opensnoop",
        abstract: "Trace open(2), openat(2) and openat2(2): who opened which path, and the result.",
        discussion: """
            One line per open: PID, COMM, FD (-1 on failure), ERR (the errno, 0 on success), FLAGS \
            with --flags (octal), and PATH as the process passed it. Filters run in the kernel.
            JSON fields: time (with -T), pid, tgid, ppid, uid, comm, cgroup_id, cgroup, fd, errno, \
            ret, flags, dfd, path; and a final {"dropped":N} line if events were lost.
            """
    )

    public struct Arguments: ToolArguments {
        @OptionGroup public var common: ToolOptions

        @Flag(name: [.customShort("x"), .long], help: "Only failed opens.")
        public var failed = false

        @Option(name: .customLong("path-prefix"), help: "Only paths starting with this text (as the process passed them).")
        public var pathPrefix: String?

        @Flag(name: [.customShort("F"), .customLong("full-path")], help: "Show relative paths with the working directory in front (resolved in the kernel).")
        public var fullPath = false

        @Flag(name: [.customShort("e"), .long], help: "Show the open flags (octal), as BCC's extended output.")
        public var flags = false

        @Flag(name: [.customShort("U"), .long], help: "Show the user id.")
        public var printUID = false

        public init() {}
        public var output: ToolOutputOptions { common.output }
    }

    public let session: ToolSession
    let arguments: Arguments
    let cgroups: CgroupPaths?

    public init(arguments: Arguments) throws {
        let common = arguments.common
        session = try OpenSnoop.start(filter: common.filter,
                                      options: .init(failedOnly: arguments.failed, pathPrefix: arguments.pathPrefix, fullPath: arguments.fullPath),
                                      ringBufferSize: common.ringBufferSize)
        self.arguments = arguments
        cgroups = common.json ? CgroupPaths() : nil
    }

    public func decode(_ record: UnsafeRawBufferPointer) -> OpenEvent? { OpenEvent(record: record) }
    public func header() -> String? {
        OpenSnoopFormat.header(timestamp: arguments.common.timestamp, uid: arguments.printUID, flags: arguments.flags)
    }
    public func text(_ event: OpenEvent, seconds: Double?) -> String {
        OpenSnoopFormat.line(event, seconds: seconds, uid: arguments.printUID, flags: arguments.flags)
    }
    public func json(_ event: OpenEvent, seconds: Double?) -> String { OpenSnoopFormat.json(event, seconds: seconds, cgroups: cgroups) }

    /// Lines (columns or JSON) go straight from the record into a stdio stream on fd 1 (the
    /// event loop's flush after each batch flushes every stream): no String per event, the same
    /// text as `text` and `json`.
    public func run(arguments: Arguments) throws {
        guard let out = fdopen(1, "w") else { throw CommandError("cannot open standard output") }
        setvbuf(out, nil, _IOFBF, 1 << 16)
        var lines = cgroups.map { OpenSnoopLines(jsonWith: $0) } ?? OpenSnoopLines(uid: arguments.printUID, flags: arguments.flags)
        try EventLoop.run(session, tool: Self.name, output: arguments.output, header: header()) { record, t in
            if lines.append(record: record, seconds: t) {
                lines.bytes.withUnsafeBytes { _ = fwrite_unlocked($0.baseAddress, 1, $0.count, out) }
                lines.bytes.removeAll(keepingCapacity: true)
            }
            return nil
        }
    }
}
