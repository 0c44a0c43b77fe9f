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

    /// Loads and attaches the tool through its generated bindings. The process filters
    /// (`filter`) test the socket's process where the tool knows it (see `TCPEvent.attributed`);
    /// tcpretrans tests the task that ran.
    public func start(filter: ToolFilter = ToolFilter(), ports: Ports = Ports(), ringBufferSize: UInt32? = nil) throws(BPFError) -> ToolSession {
        switch self {
        case .connect: try Self.start(TcpconnectObject.self, filter: filter, ports: ports, ringBufferSize: ringBufferSize)
        case .accept: try Self.start(TcpacceptObject.self, filter: filter, ports: ports, ringBufferSize: ringBufferSize)
        case .life: try Self.start(TcplifeObject.self, filter: filter, ports: ports, ringBufferSize: ringBufferSize)
        case .retrans: try Self.start(TcpretransObject.self, filter: filter, ports: ports, ringBufferSize: ringBufferSize)
        }
    }

    static func start<Object: ToolObject>(_ type: Object.Type, filter: ToolFilter, ports: Ports, ringBufferSize: UInt32?)
        throws(BPFError) -> ToolSession where Object.Config: TCPPortConfig {
        var config = Object.Config()
        if let local = ports.local { config.targLport = local }
        if let remote = ports.remote { config.targRport = remote }
        return try ToolSession.load(type, config: config, filter: filter, ringBufferSize: ringBufferSize).1
    }
}

/// The port filters of the TCP programs' `Config` (`targ_lport`, `targ_rport`; 0 for any).
protocol TCPPortConfig: ToolFilterConfig {
    init()
    var targLport: UInt16 { get set }
    var targRport: UInt16 { get set }
}

extension TcpconnectObject: ToolObject {}
extension TcpconnectObject.Config: TCPPortConfig {}
extension TcpconnectObject.Config.MaxEntries: ToolMaxEntries {}
extension TcpacceptObject: ToolObject {}
extension TcpacceptObject.Config: TCPPortConfig {}
extension TcpacceptObject.Config.MaxEntries: ToolMaxEntries {}
extension TcplifeObject: ToolObject {}
extension TcplifeObject.Config: TCPPortConfig {}
extension TcplifeObject.Config.MaxEntries: ToolMaxEntries {}
extension TcpretransObject: ToolObject {}
extension TcpretransObject.Config: TCPPortConfig {}
extension TcpretransObject.Config.MaxEntries: ToolMaxEntries {}
extension TcpconnectObject.ToolTask: ToolTaskBinding {}
