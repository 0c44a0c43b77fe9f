import ArgumentParser

// The four TCP tools: each its command description over `TCPEventTool`'s shared shape.

/// `swiftbpf tcpconnect`.
public struct TCPConnectTool: TCPEventTool {
    public static let kind = TCPTool.connect
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "tcpconnect",
            abstract: "Trace active TCP connections (connect), IPv4 and IPv6.",
            discussion: """
            One line per connection that reached ESTABLISHED: PID and COMM of the process that \
            called connect(2), IP version, source address and port, destination address and port. \
            From sock:inet_sock_set_state (SYN_SENT in the process, ESTABLISHED for the 4-tuple). \
            \(jsonFields), and time with --timestamp.
            """
        )
    }

    public let state: TCPToolState
    public init(state: TCPToolState) { self.state = state }
}

/// `swiftbpf tcpaccept`.
public struct TCPAcceptTool: TCPEventTool {
    public static let kind = TCPTool.accept
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "tcpaccept",
            abstract: "Trace passive TCP connections (accept), IPv4 and IPv6.",
            discussion: """
            One line per TCP connection returned by accept(2)/accept4(2): PID and COMM of the \
            accepting process, IP version, remote address and port, local address and port. \
            Accepts through io_uring are not seen. \
            \(jsonFields), and time with --timestamp.
            """
        )
    }

    public let state: TCPToolState
    public init(state: TCPToolState) { self.state = state }
}

/// `swiftbpf tcplife`.
public struct TCPLifeTool: TCPEventTool {
    public static let kind = TCPTool.life
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "tcplife",
            abstract: "Trace TCP sessions when they close: endpoints, bytes and lifetime.",
            discussion: """
            One line per TCP session at CLOSE (sock:inet_sock_set_state): PID, COMM, local and \
            remote address and port, TX_KB (tcp_sock.bytes_acked), RX_KB (bytes_received) and MS \
            (from ESTABLISHED, or the last state before it, to CLOSE). The process is the one seen \
            at connect(2), close(2) or shutdown(2); without one the task at CLOSE is shown \
            (attributed false) and only when no process filter is on. \
            \(jsonFields), tx_bytes, rx_bytes, duration_ms, and time with --timestamp.
            """
        )
    }

    public let state: TCPToolState
    public init(state: TCPToolState) { self.state = state }
}

/// `swiftbpf tcpretrans`.
public struct TCPRetransTool: TCPEventTool {
    public static let kind = TCPTool.retrans
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "tcpretrans",
            abstract: "Trace TCP retransmissions: endpoints and TCP state.",
            discussion: """
            One line per retransmitted segment (tcp:tcp_retransmit_skb): TIME, PID of the task that \
            ran (mostly the retransmit timer in softirq: the process filters test that task), IP \
            version, LADDR:LPORT R> RADDR:RPORT and the socket's STATE. \
            \(jsonFields), state, err, and time with --timestamp.
            """
        )
    }

    public let state: TCPToolState
    public init(state: TCPToolState) { self.state = state }
}
