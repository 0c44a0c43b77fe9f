import ArgumentParser
import BPF
import SwiftBPFTools

/// The port filters of the TCP tools (in the kernel).
struct TCPPortOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Only connections whose local port is this.")
    var lport: UInt16?

    @Option(parsing: .unconditional, help: "Only connections whose remote port is this.")
    var rport: UInt16?

    var ports: TCPTool.Ports { TCPTool.Ports(local: lport, remote: rport) }
}

/// What the four TCP commands share: load the tool, print BCC's columns or JSON per event.
enum TCPCommandRunner {
    static func run(_ tool: TCPTool, common: ToolOptions, ports: TCPPortOptions) throws {
        installStopHandlers()
        let session = try tool.start(filter: common.filter, ports: ports.ports, ringBufferSize: common.ringBufferSize)
        let cgroups = common.json ? CgroupPaths() : nil
        try EventLoop.run(session, tool: tool.rawValue, options: common, header: TCPFormat.header(tool, timestamp: common.timestamp)) { record, seconds in
            guard let event = TCPEvent(record: record) else { return nil }
            return common.json ? TCPFormat.json(tool, event, seconds: seconds, cgroups: cgroups) : TCPFormat.line(tool, event, seconds: seconds)
        }
    }

    static let jsonFields = """
        JSON fields: pid, tgid, ppid, uid, comm, cgroup_id, cgroup (path), attributed (false when the task is only \
        whatever ran, e.g. softirq), family (4 or 6), saddr, sport (local), daddr, dport (remote)
        """
}

struct TCPConnectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tcpconnect",
        abstract: "Trace active TCP connections (connect), IPv4 and IPv6.",
        discussion: """
            One line per connection that reached ESTABLISHED: PID and COMM of the process that \
            called connect(2), IP version, source address and port, destination address and port. \
            From sock:inet_sock_set_state (SYN_SENT in the process, ESTABLISHED for the 4-tuple). \
            \(TCPCommandRunner.jsonFields), and time with --timestamp.
            """
    )
    @OptionGroup var common: ToolOptions
    @OptionGroup var ports: TCPPortOptions
    func run() throws { try TCPCommandRunner.run(.connect, common: common, ports: ports) }
}

struct TCPAcceptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tcpaccept",
        abstract: "Trace passive TCP connections (accept), IPv4 and IPv6.",
        discussion: """
            One line per TCP connection returned by accept(2)/accept4(2): PID and COMM of the \
            accepting process, IP version, remote address and port, local address and port. \
            Accepts through io_uring are not seen. \
            \(TCPCommandRunner.jsonFields), and time with --timestamp.
            """
    )
    @OptionGroup var common: ToolOptions
    @OptionGroup var ports: TCPPortOptions
    func run() throws { try TCPCommandRunner.run(.accept, common: common, ports: ports) }
}

struct TCPLifeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tcplife",
        abstract: "Trace TCP sessions when they close: endpoints, bytes and lifetime.",
        discussion: """
            One line per TCP session at CLOSE (sock:inet_sock_set_state): PID, COMM, local and \
            remote address and port, TX_KB (tcp_sock.bytes_acked), RX_KB (bytes_received) and MS \
            (from ESTABLISHED, or the last state before it, to CLOSE). The process is the one seen \
            at connect(2), close(2) or shutdown(2); without one the task at CLOSE is shown \
            (attributed false) and only when no process filter is on. \
            \(TCPCommandRunner.jsonFields), tx_bytes, rx_bytes, duration_ms, and time with --timestamp.
            """
    )
    @OptionGroup var common: ToolOptions
    @OptionGroup var ports: TCPPortOptions
    func run() throws { try TCPCommandRunner.run(.life, common: common, ports: ports) }
}

struct TCPRetransCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tcpretrans",
        abstract: "Trace TCP retransmissions: endpoints and TCP state.",
        discussion: """
            One line per retransmitted segment (tcp:tcp_retransmit_skb): TIME, PID of the task that \
            ran (mostly the retransmit timer in softirq: the process filters test that task), IP \
            version, LADDR:LPORT R> RADDR:RPORT and the socket's STATE. \
            \(TCPCommandRunner.jsonFields), state, err, and time with --timestamp.
            """
    )
    @OptionGroup var common: ToolOptions
    @OptionGroup var ports: TCPPortOptions
    func run() throws { try TCPCommandRunner.run(.retrans, common: common, ports: ports) }
}
