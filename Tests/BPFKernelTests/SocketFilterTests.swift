import BPF
import Glibc
import Testing

extension RuntimeTests {
@Suite("socket filters")
struct SocketFilterTests {
    /// SO_ATTACH_BPF on a UDP socket on loopback: the filter drops datagrams whose payload
    /// starts with 'D' and counts the rest; detaching lets everything in again.
    @Test func socketFilterDropsMarkedDatagrams() throws {
        let object = try BPFObject(ObjectSpec(bytes: EmbeddedObjects.netSocketFilter.bytes, name: "net_socket_filter"))
        let counts = try object.map("counts")
        let program = try SocketFilterProgram(object, name: "drop_marked")
        let receiver = try UDPSocket(bindTo: "127.0.0.1", port: 0)
        let sender = try UDPSocket(connectTo: "127.0.0.1", port: receiver.port)

        try program.attach(socket: receiver.fd)
        for payload in ["keep-1", "Drop-1", "keep-2", "Drop-2", "Drop-3"] { #expect(sender.send(payload)) }
        #expect(receiver.receiveAll().sorted() == ["keep-1", "keep-2"])
        #expect(try counts.lookup(key: UInt32(0), as: UInt64.self) == 2)
        #expect(try counts.lookup(key: UInt32(1), as: UInt64.self) == 3)

        try SocketFilter.detach(socket: receiver.fd)
        #expect(sender.send("Drop-4"))
        #expect(receiver.receiveAll() == ["Drop-4"])
        #expect(try counts.lookup(key: UInt32(1), as: UInt64.self) == 3)
        // Nothing attached any more: the kernel says ENOENT.
        #expect { try SocketFilter.detach(socket: receiver.fd) } throws: { isErrno($0, .ENOENT) }
        // Bad input: a program of another type, a descriptor that is not a socket.
        let xdp = try loadXDPObject(port: 1).program("xdp_first")
        #expect { try SocketFilter.attach(program: xdp, socket: receiver.fd) } throws: { error in
            guard let e = error as? BPFError, case .invalidArgument = e else { return false }
            return true
        }
        #expect { try program.attach(socket: program.program.fd) } throws: { isErrno($0, BPFErrno(rawValue: ENOTSOCK)) }
    }
}
}
