import ArgumentParser
import BPF

/// `swiftbpf execsnoop`.
public struct ExecSnoopTool: EventTool {
    public static let configuration = CommandConfiguration(
        commandName: "execsnoop",
        abstract: "Trace every exec on the machine, with its full argv.",
        discussion: """
            One line per execve(2): PCOMM (the command name after the exec), PID, PPID, RET (0 or \
            -errno) and ARGS. Filters run in the kernel; for execsnoop, --pid keeps execs by that \
            process and by its children. Ctrl-C or \
            SIGTERM stops and detaches.
            JSON fields: comm, pid, ppid, uid, ret, args (array), truncated, tgid, tid, cgroup_id, \
            cgroup (the cgroup v2 path), and time with --timestamp.
            """
    )

    public struct Arguments: ToolArguments {
        @OptionGroup public var common: ToolOptions

        @Option(help: "Only execs whose command name contains this text.")
        public var name: String?

        public init() {}
        public var output: ToolOutputOptions { common.output }
    }

    let snoop: ExecSnoop
    let timestamp: Bool
    let cgroups = CgroupPaths()

    public init(arguments: Arguments) throws {
        let common = arguments.common
        snoop = try ExecSnoop(filter: .init(pid: common.pid, uid: common.uid, name: arguments.name, comm: common.comm,
                                            cgroupPath: common.cgroup, ringBufferSize: common.ringBufferSize))
        timestamp = common.timestamp
    }

    public var session: ToolSession { snoop.session }
    public func decode(_ record: UnsafeRawBufferPointer) -> ExecEvent? { ExecEvent(record: record) }
    public func header() -> String? { ExecSnoopFormat.header(timestamp: timestamp) }
    public func text(_ event: ExecEvent, seconds: Double?) -> String { ExecSnoopFormat.line(event, seconds: seconds) }
    public func json(_ event: ExecEvent, seconds: Double?) -> String {
        ExecSnoopFormat.json(event, seconds: seconds, cgroupPath: cgroups.path(of: event.task.cgroupID))
    }
}
