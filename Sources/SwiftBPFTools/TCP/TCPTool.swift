import BPF

/// The TCP tools, each a BPF program of `bpf/` that sends `TCPEvent`s through `tool_events`:
/// - `connect`: active opens (sock:inet_sock_set_state, process remembered at SYN_SENT, sent at
///   SYN_SENT -> ESTABLISHED when the 4-tuple is complete);
/// - `accept`: passive opens, at the return of accept(2)/accept4(2) in the accepting process;
/// - `life`: one event per session at CLOSE, with bytes and lifetime (BCC's tcplife);
/// - `retrans`: tcp:tcp_retransmit_skb, with the endpoints and the TCP state.
public enum TCPTool: String, Sendable, CaseIterable {
    case connect = "tcpconnect"
    case accept = "tcpaccept"
    case life = "tcplife"
    case retrans = "tcpretrans"

    /// Port filters, applied in the kernel (host byte order); nil: any.
    public struct Ports: Sendable {
        public var local: UInt16?
        public var remote: UInt16?
        public init(local: UInt16? = nil, remote: UInt16? = nil) {
            self.local = local
            self.remote = remote
        }
    }

    var embedded: EmbeddedObject {
        switch self {
        case .connect: EmbeddedObjects.tcpconnect
        case .accept: EmbeddedObjects.tcpaccept
        case .life: EmbeddedObjects.tcplife
        case .retrans: EmbeddedObjects.tcpretrans
        }
    }

    /// Loads and attaches the tool. The process filters (`filter`) test the socket's process
    /// where the tool knows it (see `TCPEvent.attributed`); tcpretrans tests the task that ran.
    public func start(filter: ToolFilter = ToolFilter(), ports: Ports = Ports(), ringBufferSize: UInt32? = nil) throws(BPFError) -> ToolSession {
        try ToolSession(embedded, filter: filter, ringBufferSize: ringBufferSize) { options in
            if let local = ports.local { options.set("targ_lport", to: local) }
            if let remote = ports.remote { options.set("targ_rport", to: remote) }
        }
    }
}
