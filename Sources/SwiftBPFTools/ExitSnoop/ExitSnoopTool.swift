import ArgumentParser
import BPF

/// `swiftbpf exitsnoop`.
public struct ExitSnoopTool: EventTool {
    public static let configuration = CommandConfiguration(
        commandName: "exitsnoop",
        abstract: "Trace process exits: exit code or killing signal, and lifetime.",
        discussion: """
            One line per exit: PCOMM, PID, PPID, TID, AGE(s) and EXIT_CODE ("0", "code N", or \
            "signal N (NAME)"). Only whole processes unless --threads. Filters run in the kernel.
            JSON fields: time (with -T), pid (thread id), tgid, ppid, uid, comm, cgroup_id, cgroup, \
            age_ns, status, code, signal, signal_name, core_dumped.
            """
    )

    public struct Arguments: ToolArguments {
        @OptionGroup public var common: ToolOptions

        @Flag(help: "Every thread's exit, not only whole processes.")
        public var threads = false

        @Flag(name: [.customShort("x"), .long], help: "Only exits with a non-zero code or a signal.")
        public var failed = false

        public init() {}
        public var output: ToolOutputOptions { common.output }
    }

    public let session: ToolSession
    let timestamp: Bool
    let cgroups: CgroupPaths?

    public init(arguments: Arguments) throws {
        let common = arguments.common
        session = try ExitSnoop.start(filter: common.filter, options: .init(threads: arguments.threads, failedOnly: arguments.failed),
                                      ringBufferSize: common.ringBufferSize)
        timestamp = common.timestamp
        cgroups = common.json ? CgroupPaths() : nil
    }

    public func decode(_ record: UnsafeRawBufferPointer) -> ExitEvent? { ExitEvent(record: record) }
    public func header() -> String? { ExitSnoopFormat.header(timestamp: timestamp) }
    public func text(_ event: ExitEvent, seconds: Double?) -> String { ExitSnoopFormat.line(event, seconds: seconds) }
    public func json(_ event: ExitEvent, seconds: Double?) -> String { ExitSnoopFormat.json(event, seconds: seconds, cgroups: cgroups) }
}
