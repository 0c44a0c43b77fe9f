import BPF
import Foundation
import Glibc
import Synchronization
import Testing
@testable import SwiftBPFNet

/// A `VethNetwork` with extra source addresses on the sender (10.77.0.9, .12, .20, .21, .33,
/// .41 and fd77::1a, fd77::21) and IPv6 on both ends (fd77::1 and fd77::2, no DAD).
final class FirewallNetwork {
    let veth: VethNetwork
    static let receiverIPv6 = "fd77::2"

    init(_ tag: String) throws {
        veth = try VethNetwork("f" + tag)
        do {
            let v6 = ["fd77::1", "fd77::1a", "fd77::21"]
            try veth.sender.runBatch(["10.77.0.9", "10.77.0.12", "10.77.0.20", "10.77.0.21", "10.77.0.33", "10.77.0.41"].map { "addr add \($0)/24 dev vs" }
                + v6.map { "addr add \($0)/64 dev vs nodad" }
                + ["neigh add \(Self.receiverIPv6) lladdr 02:00:00:00:00:02 dev vs nud permanent"])
            try veth.receiver.runBatch(["addr add \(Self.receiverIPv6)/64 dev vr nodad"]
                + v6.map { "neigh add \($0) lladdr 02:00:00:00:00:01 dev vr nud permanent" })
        } catch {
            veth.close()
            throw error
        }
    }

    /// A UDP socket in the sender namespace, bound to `source` and connected to the receiver's
    /// address of the same family at `port`.
    func sender(from source: String, port: UInt16) throws -> FirewallSocket {
        try veth.sender.enter {
            try FirewallSocket(bind: source, connect: source.contains(":") ? Self.receiverIPv6 : VethNetwork.receiverAddress, port: port)
        }
    }

    /// A dual-stack UDP socket in the receiver namespace on `port`, with a large receive buffer.
    func receiver(port: UInt16) throws -> FirewallSocket {
        let socket = try veth.receiver.enter { try FirewallSocket(bind: "::", connect: nil, port: port) }
        try socket.growBuffer()
        return socket
    }

    /// Sends `count` datagrams of `payload` through `socket`, pausing `pause` µs after every
    /// `every` of them, and returns how many reached the receiver's XDP hook: the datagrams
    /// veth did not drop on the way (see `FirewallSocket.send`). Every count a test expects of
    /// the firewall is this number, exactly.
    func send(_ payload: String, count: Int, through socket: FirewallSocket, every: Int = 8, pause: UInt32 = 500) -> Int {
        var reached = 0
        for i in 0..<count {
            if socket.send(payload) { reached += 1 }
            if i % every == every - 1 { usleep(pause) }
        }
        return reached
    }

    func close() { veth.close() }
}

/// A UDP socket for the firewall tests, IPv4 or IPv6.
final class FirewallSocket: @unchecked Sendable {
    let fd: Int32

    /// A socket bound to `local` (port `port` if it does not connect), connected to
    /// `remote`:`port` if given.
    init(bind local: String, connect remote: String?, port: UInt16) throws {
        let v6 = local.contains(":")
        fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw BPFError.syscall(operation: "socket", errno: .current) }
        if v6 {
            var off: Int32 = 0
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &off, socklen_t(4))
        }
        try Self.withAddress(local, remote == nil ? port : 0) { a, l in
            guard Glibc.bind(fd, a, l) == 0 else { throw BPFError.syscall(operation: "bind(\(local))", errno: .current) }
        }
        if let remote {
            try Self.reportDropsToTheSender(fd, v6: v6)
            try Self.withAddress(remote, port) { a, l in
                guard Glibc.connect(fd, a, l) == 0 else { throw BPFError.syscall(operation: "connect(\(remote))", errno: .current) }
            }
        }
    }

    /// IP_RECVERR (IPV6_RECVERR): a datagram veth drops on its way to the receiver then fails
    /// its send() with ENOBUFS. veth_xmit runs in the sending thread and returns NET_XMIT_DROP
    /// when the receiver's XDP ring (native mode) or the CPU's backlog (generic mode) is full,
    /// as it is when qemu's emulation makes the receiver slower than the sender; UDP and raw
    /// sockets hide that ENOBUFS unless this option is on. So the sender knows, datagram by
    /// datagram, which ones reached the receiver's XDP hook.
    static func reportDropsToTheSender(_ fd: Int32, v6: Bool) throws {
        var on: Int32 = 1
        let r = v6 ? setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_RECVERR, &on, socklen_t(4))
                   : setsockopt(fd, Int32(IPPROTO_IP), IP_RECVERR, &on, socklen_t(4))
        guard r == 0 else { throw BPFError.syscall(operation: "setsockopt(IP_RECVERR)", errno: .current) }
    }

    static func withAddress(_ ip: String, _ port: UInt16, _ body: (UnsafePointer<sockaddr>, socklen_t) throws -> Void) throws {
        if ip.contains(":") {
            var a = sockaddr_in6()
            a.sin6_family = sa_family_t(AF_INET6)
            a.sin6_port = port.bigEndian
            inet_pton(AF_INET6, ip, &a.sin6_addr)
            try withUnsafePointer(to: &a) { try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        } else {
            var a = UDPSocket.address(ip, port)
            try withUnsafePointer(to: &a) { try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
    }

    /// A receive buffer of 32 MiB (SO_RCVBUFFORCE: root). Native XDP on veth copies each frame
    /// into a page of its own, so the default buffer (about 208 KiB) holds only about 45 of
    /// the datagrams a test reads at its end, and the socket drops the rest.
    func growBuffer() throws {
        var size: Int32 = 32 << 20
        guard setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, socklen_t(4)) == 0 else {
            throw BPFError.syscall(operation: "setsockopt(SO_RCVBUFFORCE)", errno: .current)
        }
    }

    /// Sends one datagram; true if it left the sender's veth towards the receiver, false if
    /// veth dropped it (ENOBUFS, see `reportDropsToTheSender`). Any other failure is an issue
    /// of the test.
    @discardableResult
    func send(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        let n = Array(text.utf8).withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
        if n == text.utf8.count { return true }
        let error = errno
        if n < 0 && error != ENOBUFS { Issue.record("send failed: \(String(cString: strerror(error)))", sourceLocation: sourceLocation) }
        return false
    }

    /// Every datagram that arrives until `expecting` have (or `timeoutMilliseconds` passed),
    /// then until none has come for `quietMilliseconds`. In native mode veth passes frames on
    /// from its NAPI poll, which under qemu's emulation can lag the sender by more than the
    /// quiet time.
    func receiveAll(expecting: Int, timeoutMilliseconds: Double = 5000, quietMilliseconds: Int32 = 150) -> [String] {
        var out: [String] = []
        let deadline = Firewall.now() + timeoutMilliseconds / 1000
        while out.count < expecting && Firewall.now() < deadline {
            out += receiveAll(quietMilliseconds: 100)
        }
        return out + receiveAll(quietMilliseconds: quietMilliseconds)
    }

    /// Every datagram that arrives until none has come for `quietMilliseconds`.
    func receiveAll(quietMilliseconds: Int32 = 150) -> [String] {
        receiveDatagrams(on: fd, quietMilliseconds: quietMilliseconds)
    }

    deinit { Glibc.close(fd) }
}

/// Reads a socket on a thread of its own while a test streams datagrams into it, so its buffer
/// never fills however long the stream (a reload of 100,000 prefixes takes seconds under qemu).
final class DatagramDrain: Sendable {
    private let socket: FirewallSocket
    private let received = Mutex<[String]>([])
    private let stop = Atomic<Bool>(false)
    private let done = Atomic<Bool>(false)

    init(_ socket: FirewallSocket) {
        self.socket = socket
        Thread { [self] in
            while !stop.load(ordering: .relaxed) {
                let part = socket.receiveAll(quietMilliseconds: 50)
                received.locked { $0 += part }
            }
            done.store(true, ordering: .releasing)
        }.start()
    }

    /// Everything received, once `expecting` datagrams have come (or `timeoutMilliseconds`
    /// passed) and then none for 300 ms.
    func finish(expecting: Int, timeoutMilliseconds: Double = 10_000) -> [String] {
        let deadline = Firewall.now() + timeoutMilliseconds / 1000
        while received.locked({ $0.count }) < expecting && Firewall.now() < deadline { usleepMilliseconds(20) }
        close()
        return received.locked { $0 } + socket.receiveAll(quietMilliseconds: 300)
    }

    /// Stops the reading thread (at most 50 ms after the socket goes quiet).
    func close() {
        stop.store(true, ordering: .relaxed)
        while !done.load(ordering: .acquiring) { usleepMilliseconds(1) }
    }
}

/// A kernel counter once it has reached `expected`, or after waiting 5 s for it (frames reach
/// the receiver's XDP hook after send() returns; under qemu its NAPI poll lags by up to
/// seconds). The caller checks the value for equality, so a counter past `expected` fails.
func settled(at expected: Int, _ read: () throws -> UInt64) rethrows -> Int {
    let deadline = Firewall.now() + 5
    var value = try read()
    while value < UInt64(max(expected, 0)) && Firewall.now() < deadline {
        usleepMilliseconds(10)
        value = try read()
    }
    return Int(value)
}

/// The sending thread's flags and counts.
final class StreamState: Sendable {
    let stop = Atomic<Bool>(false)
    let done = Atomic<Bool>(false)
    /// Pairs sent, and of each flow the datagrams that reached the receiver's XDP hook.
    let sent = Atomic<Int>(0)
    let allowedReached = Atomic<Int>(0)
    let blockedReached = Atomic<Int>(0)
}
