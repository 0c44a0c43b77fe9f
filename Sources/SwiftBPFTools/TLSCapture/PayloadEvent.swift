import BPF
import Glibc

/// One read or write as `swiftbpf_payload.h` reports it (`struct payload_event`): TLS plaintext
/// from a library's function, or a plain TCP socket's bytes from a syscall.
public struct PayloadEvent: Sendable {
    public enum Direction: UInt8, Sendable {
        case read = 0, write = 1, handshake = 2
    }

    public enum Source: UInt8, Sendable {
        case openssl = 1, gnutls = 2, syscall = 3

        public var name: String {
            switch self {
            case .openssl: "openssl"
            case .gnutls: "gnutls"
            case .syscall: "socket"
            }
        }
    }

    /// The probed functions' names, indexed by their `PAYLOAD_FN_*` (0 is none).
    static let functionNames = ["", "SSL_write", "SSL_read", "SSL_write_ex", "SSL_read_ex", "SSL_do_handshake",
                                "gnutls_record_send", "gnutls_record_recv", "gnutls_handshake"]

    /// The name of probed function `code` (`PAYLOAD_FN_*`); for a syscall's 0 (or an unknown
    /// code), `read` or `write` after the direction.
    static func functionName(_ code: UInt8, direction: Direction) -> String {
        code > 0 && Int(code) < functionNames.count ? functionNames[Int(code)] : (direction == .write ? "write" : "read")
    }

    public var task: TaskInfo
    /// The TLS function that moved the bytes (`SSL_read_ex`, ...), or `read`/`write` for a syscall.
    public var function: String
    public var direction: Direction
    public var source: Source
    /// From the call's entry to its return.
    public var latencyNanoseconds: UInt64
    /// The TLS object (`SSL *`, `gnutls_session_t`) or the kernel socket: one connection.
    public var connection: UInt64
    /// The call's return value.
    public var returnValue: Int64
    /// The bytes the call moved.
    public var length: Int
    /// The bytes captured (the first `data.count` of `length`).
    public var data: [UInt8]
    /// The socket's fd, when known.
    public var fd: Int32?
    /// The connection's endpoints, when known.
    public var local: SocketEndpoint?
    public var remote: SocketEndpoint?
    /// bpf_probe_read_user failed: the call moved bytes that could not be copied.
    public var readFailed: Bool

    /// True when the call moved more bytes than were captured.
    public var truncated: Bool { data.count < length }

    /// Decodes a ring-buffer record (nil if too short or not a payload event).
    public init?(record: UnsafeRawBufferPointer) {
        guard let r = PayloadEventRecord(record), let direction = Direction(rawValue: r.direction),
              let source = Source(rawValue: r.source) else { return nil }
        let t = r.task
        task = TaskInfo(timestampNanoseconds: t.timestampNs, cgroupID: t.cgroupId, pid: t.pid, tgid: t.tgid, ppid: t.ppid,
                        uid: t.uid, comm: t.comm)
        self.direction = direction
        self.source = source
        function = Self.functionName(r.function, direction: direction)
        latencyNanoseconds = r.latencyNs
        connection = r.connId
        returnValue = r.ret
        length = Int(r.len)
        data = Array(r.data.prefix(Int(r.captured)))
        fd = r.fd >= 0 ? r.fd : nil
        readFailed = r.flags & 2 != 0
        let c = r.conn
        let family = c.family
        if family == UInt16(AF_INET) || family == UInt16(AF_INET6) {
            local = SocketEndpoint(family: family, address: Array(c.saddr), port: c.sport)
            remote = SocketEndpoint(family: family, address: Array(c.daddr), port: c.dport)
        }
    }

    /// An event built in memory (tests, replays).
    public init(task: TaskInfo, direction: Direction, source: Source, connection: UInt64, length: Int, data: [UInt8],
                latencyNanoseconds: UInt64 = 0, returnValue: Int64 = 0, fd: Int32? = nil,
                local: SocketEndpoint? = nil, remote: SocketEndpoint? = nil) {
        self.task = task
        self.direction = direction
        self.source = source
        function = direction == .write ? "write" : "read"
        self.connection = connection
        self.length = length
        self.data = data
        self.latencyNanoseconds = latencyNanoseconds
        self.returnValue = returnValue
        self.fd = fd
        self.local = local
        self.remote = remote
        readFailed = false
    }
}

/// An IPv4 or IPv6 address and port.
public struct SocketEndpoint: Sendable, Equatable, CustomStringConvertible {
    public var family: UInt16
    /// 4 or 16 bytes, network order.
    public var address: [UInt8]
    public var port: UInt16

    init(family: UInt16, address: [UInt8], port: UInt16) {
        self.family = family
        self.address = family == UInt16(AF_INET) ? Array(address.prefix(4)) : Array(address.prefix(16))
        self.port = port
    }

    /// `1.2.3.4:80` or `[::1]:443`.
    public var description: String {
        var buf = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let text = address.withUnsafeBytes { raw in
            inet_ntop(Int32(family), raw.baseAddress, &buf, socklen_t(buf.count)) != nil
                ? String(decoding: buf.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
        }
        return family == UInt16(AF_INET6) ? "[\(text)]:\(port)" : "\(text):\(port)"
    }
}
