/// One connection as `swiftbpf flows` reports it: a TCP socket, or a UDP socket and one peer.
/// Byte counts are payload bytes, what the applications sent and received.
public struct Flow: Sendable, Equatable, Codable {
    public enum TransportProtocol: String, Sendable, Codable { case tcp, udp }
    public enum Direction: String, Sendable, Codable {
        /// This host connected (TCP) or sent first (UDP).
        case outgoing
        /// This host accepted (TCP) or received first (UDP).
        case incoming
        /// Opened before the tool started, with no listener seen on the local port.
        case unknown
    }

    /// The process that owns the socket: the one that connected, closed or read it (TCP), or
    /// sent on it (UDP). Nil while not known (an accepted connection that has not been read).
    public struct Owner: Sendable, Equatable, Codable, Hashable {
        public var pid: UInt32
        public var uid: UInt32
        public var comm: String
        /// The cgroup v2 id (the directory's inode).
        public var cgroupID: UInt64
        public init(pid: UInt32, uid: UInt32, comm: String, cgroupID: UInt64) {
            self.pid = pid
            self.uid = uid
            self.comm = comm
            self.cgroupID = cgroupID
        }
    }

    /// The socket cookie (TCP); with the peer for UDP. Unique while the socket lives.
    public var id: FlowID
    public var transport: TransportProtocol
    public var local: Endpoint
    public var remote: Endpoint
    /// The name the remote address answered a DNS query for, if one was seen.
    public var remoteName: String?
    public var direction: Direction
    /// TCP state name ("ESTABLISHED", "CLOSE", ...); nil for UDP.
    public var state: String?
    /// The network namespace's inode number (TCP).
    public var netns: UInt32
    public var owner: Owner?
    public var bytesSent: UInt64
    public var bytesReceived: UInt64
    public var packetsSent: UInt64
    public var packetsReceived: UInt64
    /// Smoothed RTT and its mean deviation, microseconds (tcpi_rtt, tcpi_rttvar); TCP only.
    public var rttMicros: UInt32
    public var rttVarMicros: UInt32
    /// Retransmitted segments (tcpi_total_retrans).
    public var retransmits: UInt32
    /// Monotonic (CLOCK_MONOTONIC) nanoseconds when first seen and last updated.
    public var firstSeenNanos: UInt64
    public var lastSeenNanos: UInt64
    /// Found by the socket iterator: it predates the tool.
    public var preexisting: Bool
    /// The connection is closed; the figures are final.
    public var closed: Bool
    /// The socket's inode (pre-existing connections), to find their owner in /proc; 0 if unknown.
    public var inode: UInt64

    public var durationSeconds: Double { Double(lastSeenNanos &- firstSeenNanos) / 1e9 }
    public var totalBytes: UInt64 { bytesSent + bytesReceived }
}

/// What identifies a flow across intervals.
public struct FlowID: Sendable, Hashable, Codable, CustomStringConvertible {
    public var cookie: UInt64
    /// UDP: the peer, since one socket talks to many.
    public var peer: Endpoint?
    public var description: String { peer.map { "\(cookie)/\($0)" } ?? String(cookie) }
}

/// An address and port.
public struct Endpoint: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Text form (inet_ntop).
    public var address: String
    public var port: UInt16
    public var isIPv6: Bool { address.contains(":") }
    public init(address: String, port: UInt16) {
        self.address = address
        self.port = port
    }
    /// `10.0.0.1:80`, `[::1]:80`.
    public var description: String { isIPv6 ? "[\(address)]:\(port)" : "\(address):\(port)" }
}

extension Flow {
    /// tcp_states.h names, by number.
    static func tcpStateName(_ s: UInt8) -> String {
        let names = ["", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE",
                     "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"]
        return Int(s) < names.count && s > 0 ? names[Int(s)] : "STATE\(s)"
    }
}
