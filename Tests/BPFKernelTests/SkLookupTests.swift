import BPF
import Glibc
import Testing

extension RuntimeTests {
@Suite("sk_lookup", .enabled(if: NetworkNamespace.ip != nil, NetworkNamespace.skipReason))
struct SkLookupTests {
    /// An sk_lookup link on a private namespace steers TCP connections for a port nobody
    /// listens on to a listening socket stored in a SOCKMAP; a real connect reaches it.
    @Test func skLookupSteersConnectionsToASockmapListener() throws {
        let ns = try NetworkNamespace("sk")
        defer { ns.close() }
        let steeredPort: UInt16 = 7007
        var options = LoadOptions()
        options.set("steer_port", to: steeredPort)
        let object = try BPFObject(ObjectSpec(bytes: EmbeddedObjects.netSkLookup.bytes, name: "net_sk_lookup"), options: options)
        let counts = try object.map("counts")

        try ns.enter {
            let listener = try TCPSocket.listening(on: "127.0.0.1", port: 0)
            // No listener on the steered port yet: the connection is refused.
            #expect(TCPSocket.connect(to: "127.0.0.1", port: steeredPort).error == ECONNREFUSED)

            try object.map("target").update(key: UInt32(0), value: UInt64(listener.fd))
            let link = try SkLookupProgram(object, name: "steer_to_listener").attach(networkNamespace: ns.path)
            defer { link.close() }
            #expect(try link.info().typeName == "netns")

            let client = TCPSocket.connect(to: "127.0.0.1", port: steeredPort)
            #expect(client.error == 0)
            let accepted = try #require(listener.accept(), "the listener got the steered connection")
            // The accepted socket's local address is the port the client asked for.
            #expect(accepted.localPort == steeredPort)
            #expect(listener.localPort != steeredPort)
            #expect(try counts.lookup(key: UInt32(1), as: UInt64.self) == 1)

            // Without the link, the port is closed again.
            link.close()
            #expect(TCPSocket.connect(to: "127.0.0.1", port: steeredPort).error == ECONNREFUSED)
            #expect(try counts.lookup(key: UInt32(0), as: UInt64.self) == 1)
        }
        #expect(throws: BPFError.self) { try SkLookupProgram(object, name: "steer_to_listener").attach(networkNamespace: "/run/netns/no_such_ns_swb") }
    }
}
}

/// A TCP socket for the sk_lookup test (plain libc calls: test code).
final class TCPSocket {
    let fd: Int32
    /// errno of connect, 0 on success.
    var error: Int32 = 0

    init(fd: Int32) { self.fd = fd }

    static func listening(on ip: String, port: UInt16) throws -> TCPSocket {
        let s = TCPSocket(fd: socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0))
        var a = UDPSocket.address(ip, port)
        guard withUnsafePointer(to: &a, { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s.fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }) == 0,
              listen(s.fd, 8) == 0 else { throw BPFError.syscall(operation: "bind/listen", errno: .current) }
        return s
    }

    static func connect(to ip: String, port: UInt16) -> TCPSocket {
        let s = TCPSocket(fd: socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0))
        var a = UDPSocket.address(ip, port)
        let r = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(s.fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        s.error = r == 0 ? 0 : errno
        return s
    }

    /// Accepts one connection, waiting up to a second.
    func accept() -> TCPSocket? {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, 1000) == 1 else { return nil }
        let c = Glibc.accept(fd, nil, nil)
        return c >= 0 ? TCPSocket(fd: c) : nil
    }

    var localPort: UInt16 {
        var a = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return UInt16(bigEndian: a.sin_port)
    }

    deinit { if fd >= 0 { close(fd) } }
}
