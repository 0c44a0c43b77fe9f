import ArgumentParser
import BPF

/// The command line of the TCP tools: the common options and the port filters (in the kernel).
public struct TCPArguments: ToolArguments {
    @OptionGroup public var common: ToolOptions

    @Option(parsing: .unconditional, help: "Only connections whose local port is this.")
    public var lport: UInt16?

    @Option(parsing: .unconditional, help: "Only connections whose remote port is this.")
    public var rport: UInt16?

    public init() {}
    public var output: ToolOutputOptions { common.output }
    public var ports: TCPTool.Ports { TCPTool.Ports(local: lport, remote: rport) }
}

/// A running TCP tool: its session, its arguments and, for --json, the cgroup path resolver.
public struct TCPToolState {
    public let session: ToolSession
    public let arguments: TCPArguments
    let cgroups: CgroupPaths?
}

/// What the four TCP tools share: the arguments, `TCPEvent`, and `TCPFormat`'s columns and JSON
/// for their `kind`. Each tool's type gives only its kind and its command description.
public protocol TCPEventTool: EventTool where Arguments == TCPArguments, Event == TCPEvent {
    /// Which of the TCP programs the tool runs.
    static var kind: TCPTool { get }
    init(state: TCPToolState)
    var state: TCPToolState { get }
}

extension TCPEventTool {
    public init(arguments: TCPArguments) throws {
        let common = arguments.common
        let session = try Self.kind.start(filter: common.filter, ports: arguments.ports, ringBufferSize: common.ringBufferSize)
        self.init(state: TCPToolState(session: session, arguments: arguments, cgroups: common.json ? CgroupPaths() : nil))
    }

    public var session: ToolSession { state.session }
    var arguments: TCPArguments { state.arguments }
    var cgroups: CgroupPaths? { state.cgroups }

    public func decode(_ record: UnsafeRawBufferPointer) -> TCPEvent? { TCPEvent(record: record) }
    public func header() -> String? { TCPFormat.header(Self.kind, timestamp: arguments.common.timestamp) }
    public func text(_ event: TCPEvent, seconds: Double?) -> String { TCPFormat.line(Self.kind, event, seconds: seconds) }
    public func json(_ event: TCPEvent, seconds: Double?) -> String { TCPFormat.json(Self.kind, event, seconds: seconds, cgroups: cgroups) }

    static var jsonFields: String {
        """
        JSON fields: pid, tgid, ppid, uid, comm, cgroup_id, cgroup (path), attributed (false when the task is only \
        whatever ran, e.g. softirq), family (4 or 6), saddr, sport (local), daddr, dport (remote)
        """
    }
}
