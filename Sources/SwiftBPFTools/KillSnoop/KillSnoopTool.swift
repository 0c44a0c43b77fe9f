import ArgumentParser
import BPF

/// `swiftbpf killsnoop`.
public struct KillSnoopTool: EventTool {
    public static let configuration = CommandConfiguration(
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

    public struct Arguments: ToolArguments {
        @OptionGroup public var common: ToolOptions

        @Option(name: [.customShort("s"), .long], parsing: .unconditional, help: "Only this signal number.")
        public var signal: UInt32?

        @Flag(name: [.customShort("x"), .long], help: "Only calls that failed.")
        public var failed = false

        public init() {}
        public var output: ToolOutputOptions { common.output }
    }

    public let session: ToolSession
    let cgroups: CgroupPaths?

    public init(arguments: Arguments) throws {
        let common = arguments.common
        session = try KillSnoop.start(filter: common.filter, options: .init(signal: arguments.signal, failedOnly: arguments.failed),
                                      ringBufferSize: common.ringBufferSize)
        cgroups = common.json ? CgroupPaths() : nil
    }

    public func decode(_ record: UnsafeRawBufferPointer) -> KillEvent? { KillEvent(record: record) }
    public func header() -> String? { KillSnoopFormat.header() }
    public func text(_ event: KillEvent, seconds: Double?) -> String { KillSnoopFormat.line(event, seconds: seconds) }
    public func json(_ event: KillEvent, seconds: Double?) -> String { KillSnoopFormat.json(event, seconds: seconds, cgroups: cgroups) }
}
