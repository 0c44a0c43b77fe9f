import BPF
import Foundation
import Glibc

/// A blocking TCP socket for the flows tests (plain libc calls: test code, not the library).
/// Create it inside `NetworkNamespace.enter` to have it live in that namespace.
final class TCPPeer: @unchecked Sendable {
    let fd: Int32
    private var closed = false

    /// Every blocking call (accept, connect, send, recv) gives up after this many seconds with
    /// EAGAIN, so a lost peer fails the test instead of hanging the run.
    static let timeoutSeconds = 30

    private init(fd: Int32) {
        self.fd = fd
        var t = timeval(tv_sec: Self.timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &t, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &t, socklen_t(MemoryLayout<timeval>.size))
    }

    private static func socketFD(_ family: Int32) throws -> Int32 {
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw BPFError.syscall(operation: "socket(SOCK_STREAM)", errno: .current) }
        return fd
    }

    /// The operation's name, with the bound when it timed out.
    private static func named(_ operation: String) -> String {
        errno == EAGAIN ? "\(operation) (nothing within \(timeoutSeconds) s)" : operation
    }

    /// A listener on `ip:port` (port 0: any).
    static func listen(_ ip: String, port: UInt16) throws -> TCPPeer {
        let p = TCPPeer(fd: try socketFD(AF_INET))
        var one: Int32 = 1
        setsockopt(p.fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var a = UDPSocket.address(ip, port)
        let r = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(p.fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard r == 0, Glibc.listen(p.fd, 64) == 0 else { throw BPFError.syscall(operation: "bind/listen(\(ip):\(port))", errno: .current) }
        return p
    }

    /// A connection to `ip:port`.
    static func connect(_ ip: String, port: UInt16) throws -> TCPPeer {
        let p = TCPPeer(fd: try socketFD(AF_INET))
        var a = UDPSocket.address(ip, port)
        let r = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(p.fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard r == 0 else { throw BPFError.syscall(operation: "connect(\(ip):\(port))", errno: .current) }
        return p
    }

    func accept() throws -> TCPPeer {
        let c = Glibc.accept(fd, nil, nil)
        guard c >= 0 else { throw BPFError.syscall(operation: Self.named("accept"), errno: .current) }
        return TCPPeer(fd: c)
    }

    var localPort: UInt16 {
        var a = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return UInt16(bigEndian: a.sin_port)
    }

    /// Sends exactly `count` bytes.
    func send(count: Int) throws {
        let chunk = [UInt8](repeating: 0x61, count: 65536)
        var left = count
        while left > 0 {
            let n = chunk.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, min(left, $0.count), Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw BPFError.syscall(operation: Self.named("send"), errno: .current)
            }
            left -= n
        }
    }

    /// Receives exactly `count` bytes (fewer if the peer closes first); returns how many came.
    @discardableResult
    func receive(count: Int) throws -> Int {
        var buffer = [UInt8](repeating: 0, count: 65536)
        var got = 0
        while got < count {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, min(count - got, $0.count), 0) }
            if n < 0 {
                if errno == EINTR { continue }
                throw BPFError.syscall(operation: Self.named("recv"), errno: .current)
            }
            if n == 0 { break }
            got += n
        }
        return got
    }

    func shutdownWrite() { Glibc.shutdown(fd, Int32(SHUT_WR)) }

    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(fd)
    }

    deinit { close() }
}

/// One connection's figures as `ss -tin` prints them: the oracle of the flows tests.
struct SSInfo {
    var rttMillis: Double
    var rttVarMillis: Double
    var bytesAcked: UInt64
    var bytesReceived: UInt64
    var dataSegsOut: UInt64
    var dataSegsIn: UInt64
    var totalRetrans: UInt64

    static let ss = Command.which("ss")

    /// The connection from local port `port` in namespace `ns` (nil: the test's own).
    static func read(netns ns: NetworkNamespace?, localPort port: UInt16) throws -> SSInfo? {
        var args = ["-tinH", "sport", "=", ":\(port)"]
        var tool = ss!
        if let ns {
            args = ["netns", "exec", ns.name, ss!] + args
            tool = NetworkNamespace.ip!
        }
        let out = try Command.run(tool, args).stdout
        // The info line follows the address line; take every field of the form key:value.
        var fields: [String: String] = [:]
        for token in out.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }) {
            guard let colon = token.firstIndex(of: ":") else { continue }
            fields[String(token[..<colon])] = String(token[token.index(after: colon)...])
        }
        guard let rtt = fields["rtt"] else { return nil }
        let parts = rtt.split(separator: "/")
        let retrans = fields["retrans"].map { $0.split(separator: "/") }
        return SSInfo(rttMillis: Double(parts[0]) ?? 0, rttVarMillis: parts.count > 1 ? Double(parts[1]) ?? 0 : 0,
                      bytesAcked: UInt64(fields["bytes_acked"] ?? "") ?? 0, bytesReceived: UInt64(fields["bytes_received"] ?? "") ?? 0,
                      dataSegsOut: UInt64(fields["data_segs_out"] ?? "") ?? 0, dataSegsIn: UInt64(fields["data_segs_in"] ?? "") ?? 0,
                      totalRetrans: retrans.flatMap { $0.count > 1 ? UInt64($0[1]) : nil } ?? 0)
    }
}
