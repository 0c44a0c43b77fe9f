import BPF
import Glibc
import Testing
@testable import SwiftBPFNet

extension FirewallTests {
    /// Destination prefixes, address+port tuples (UDP and TCP connects), ICMP and ICMPv6 types:
    /// each drops what it matches and counts it, the rest passes.
    @Test(arguments: Firewall.Mode.allCases, BPFProgramLanguage.allCases)
    func destinationTupleAndICMPRules(mode: Firewall.Mode, language: BPFProgramLanguage) throws {
        let net = try FirewallNetwork("k\(mode.rawValue.prefix(1))")
        defer { net.close() }
        try net.addReceiverAddresses()
        let root = Self.pinRoot("kinds-\(mode)")
        let set = try FirewallRuleParser.ruleSet("""
            deny to 10.77.0.3
            deny to fd77::3/128
            deny from 10.77.0.8/29
            allow from 10.77.0.9 udp port 5000      # the tuple wins over the /29 deny
            deny from 10.77.0.21 udp port 5000
            deny to fd77::2 udp port 5003
            deny tcp port 7000-7001
            allow from 10.77.0.20 tcp port 7000
            deny icmp type 8
            count icmpv6 type 128
            """)
        let fw = try net.veth.receiver.enter { try Firewall.install(interface: "vr", mode: mode, ruleSet: set, root: root, language: language) }
        defer { _ = try? Firewall.uninstall(interface: "vr", root: root) }

        let r5000 = try net.receiver(port: 5000), r5003 = try net.receiver(port: 5003)
        let n = 30
        let flows: [(source: String, destination: String, port: UInt16, tag: String)] = [
            ("10.77.0.20", "10.77.0.3", 5000, "to-denied4"), ("fd77::21", "fd77::3", 5000, "to-denied6"),
            ("10.77.0.9", "10.77.0.2", 5000, "tuple-allowed"), ("10.77.0.12", "10.77.0.2", 5000, "prefix-denied"),
            ("10.77.0.21", "10.77.0.2", 5000, "tuple-denied"), ("10.77.0.21", "10.77.0.2", 5003, "other-port"),
            ("fd77::21", "fd77::2", 5003, "tuple6-denied"), ("fd77::21", "fd77::2", 5000, "allowed6"),
        ]
        // Of each flow, the datagrams that reached XDP (see FirewallNetwork.send).
        var reached: [String: Int] = [:]
        for f in flows { reached[f.tag] = net.send(f.tag, count: n, through: try net.sender(from: f.source, to: f.destination, port: f.port)) }
        #expect(reached.values.allSatisfy { $0 > n / 2 }, "veth dropped most frames before XDP: \(reached)")
        let passing = reached.filter { ["tuple-allowed", "other-port", "allowed6"].contains($0.key) }
        let got = r5000.receiveAll(expecting: passing["tuple-allowed"]! + passing["allowed6"]!) + r5003.receiveAll(expecting: passing["other-port"]!)
        #expect(Dictionary(grouping: got, by: { $0 }).mapValues(\.count) == passing, "sent \(n) of each, reached XDP: \(reached)")
        let rules = try fw.rules()
        func counted(_ text: String) throws -> FirewallCounter {
            let rule = try FirewallRuleParser.rule(text)
            let id = try #require(rules.first { $0.rule == rule }?.id, "rule '\(text)' is not installed")
            return try fw.counter(ruleID: id)
        }
        for (text, tag) in [("deny to 10.77.0.3", "to-denied4"), ("deny to fd77::3/128", "to-denied6"), ("allow from 10.77.0.9 udp port 5000", "tuple-allowed"),
                            ("deny from 10.77.0.8/29", "prefix-denied"), ("deny from 10.77.0.21 udp port 5000", "tuple-denied"),
                            ("deny to fd77::2 udp port 5003", "tuple6-denied")] {
            let expected = reached[tag]!
            #expect(try settled(at: expected) { try counted(text).packets } == expected, "\(text): \(expected) reached XDP")
        }
        #expect(try counted("deny to fd77::3/128").bytes == (try counted("deny to fd77::3/128").packets) * UInt64(14 + 40 + 8 + 10))

        // TCP connects: port 7000 only from 10.77.0.20 (tuple), 7001 from nobody, 7002 passes.
        let listeners = try [UInt16(7000), 7001, 7002].map { port in try net.veth.receiver.enter { try FirewallTCPListener(port: port) } }
        _ = listeners
        func connects(_ source: String, _ port: UInt16) throws -> Bool {
            try net.veth.sender.enter { try tcpConnects(from: source, to: VethNetwork.receiverAddress, port: port, timeoutMilliseconds: 400) }
        }
        #expect(try connects("10.77.0.20", 7000))
        #expect(try !connects("10.77.0.21", 7000))
        #expect(try !connects("10.77.0.20", 7001))
        #expect(try connects("10.77.0.21", 7002))
        #expect(try counted("deny tcp port 7000-7001").packets >= 2)
        #expect(try counted("allow from 10.77.0.20 tcp port 7000").packets >= 1)

        // ICMP: echo requests (type 8) are dropped, ICMPv6 echo requests (128) counted and answered.
        let echoes = 10
        let v4 = try net.veth.sender.enter { try icmpEcho(from: "10.77.0.20", to: VethNetwork.receiverAddress, count: echoes) { _ in 0 } }
        #expect(v4.replies == 0)
        #expect(try settled(at: v4.left) { try counted("deny icmp type 8").packets } == v4.left, "\(v4.left) echo requests reached XDP")
        // Each request that reached XDP is answered; veth can drop a reply on the way back.
        let backBefore = try net.veth.droppedOnTheWayBack()
        let v6 = try net.veth.sender.enter {
            try icmpEcho(from: "fd77::21", to: FirewallNetwork.receiverIPv6, count: echoes) { left in try left - Int(net.veth.droppedOnTheWayBack() - backBefore) }
        }
        let droppedBack = Int(try net.veth.droppedOnTheWayBack() - backBefore)
        #expect(try settled(at: v6.left) { try counted("count icmpv6 type 128").packets } == v6.left, "\(v6.left) echo requests reached XDP")
        #expect(v6.replies == v6.left - droppedBack, "\(v6.replies) replies to \(v6.left) requests, \(droppedBack) dropped on the way back")
        #expect(v4.left > echoes / 2 && v6.left > echoes / 2, "veth dropped most echo requests before XDP")
    }
}

extension FirewallNetwork {
    /// 10.77.0.3 and fd77::3 on the receiver too (the destination rules' targets).
    func addReceiverAddresses() throws {
        try veth.receiver.run(["addr", "add", "10.77.0.3/24", "dev", "vr"])
        try veth.receiver.run(["addr", "add", "fd77::3/64", "dev", "vr", "nodad"])
    }

    /// A UDP socket in the sender namespace from `source` to `destination`:`port`.
    func sender(from source: String, to destination: String, port: UInt16) throws -> FirewallSocket {
        try veth.sender.enter { try FirewallSocket(bind: source, connect: destination, port: port) }
    }
}

/// A listening TCP socket on every address (IPv4) of the calling thread's namespace.
final class FirewallTCPListener {
    let fd: Int32
    init(port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw BPFError.syscall(operation: "socket(SOCK_STREAM)", errno: .current) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, 4)
        var a = UDPSocket.address("0.0.0.0", port)
        let r = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard r == 0, listen(fd, 16) == 0 else { throw BPFError.syscall(operation: "bind/listen(:\(port))", errno: .current) }
    }
    deinit { close(fd) }
}

/// Whether a TCP connect from `source` to `destination`:`port` completes within the timeout
/// (a dropped SYN leaves it pending).
func tcpConnects(from source: String, to destination: String, port: UInt16, timeoutMilliseconds: Int32) throws -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
    guard fd >= 0 else { throw BPFError.syscall(operation: "socket(SOCK_STREAM)", errno: .current) }
    defer { close(fd) }
    var local = UDPSocket.address(source, 0), remote = UDPSocket.address(destination, port)
    let size = socklen_t(MemoryLayout<sockaddr_in>.size)
    guard withUnsafePointer(to: &local, { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, size) } }) == 0 else {
        throw BPFError.syscall(operation: "bind(\(source))", errno: .current)
    }
    let r = withUnsafePointer(to: &remote) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, size) } }
    if r == 0 { return true }
    guard errno == EINPROGRESS else { return false }
    var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
    guard poll(&p, 1, timeoutMilliseconds) == 1 else { return false }
    var error: Int32 = 0
    var length = socklen_t(4)
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
    return error == 0
}

/// Sends `count` ICMP (or ICMPv6) echo requests from `source` with a raw socket, paced, and
/// returns how many of them left the sender's veth (a request veth drops fails its sendto with
/// ENOBUFS: IP_RECVERR) and how many echo replies came back, waiting up to 5 s for
/// `awaiting(left)` of them.
func icmpEcho(from source: String, to destination: String, count: Int, awaiting: (Int) throws -> Int) throws -> (left: Int, replies: Int) {
    let v6 = source.contains(":")
    let icmp = Int32(IPPROTO_ICMP), icmp6 = Int32(IPPROTO_ICMPV6)
    let fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), v6 ? icmp6 : icmp)
    guard fd >= 0 else { throw BPFError.syscall(operation: "socket(SOCK_RAW, ICMP)", errno: .current) }
    defer { close(fd) }
    try FirewallSocket.reportDropsToTheSender(fd, v6: v6)
    try FirewallSocket.withAddress(source, 0) { a, l in
        guard bind(fd, a, l) == 0 else { throw BPFError.syscall(operation: "bind(\(source))", errno: .current) }
    }
    let identifier = UInt16(truncatingIfNeeded: getpid())
    var left = 0
    for sequence in 0..<count {
        // type, code, checksum, identifier, sequence, payload.
        var message: [UInt8] = [v6 ? 128 : 8, 0, 0, 0, UInt8(identifier >> 8), UInt8(identifier & 0xff), 0, UInt8(sequence)] + Array("swiftbpf".utf8)
        if !v6 {  // the kernel fills in ICMPv6's checksum (it covers a pseudo-header), not ICMP's
            var sum: UInt32 = 0
            for i in stride(from: 0, to: message.count, by: 2) { sum += UInt32(message[i]) << 8 | UInt32(message[i + 1]) }
            while sum > 0xffff { sum = (sum & 0xffff) + (sum >> 16) }
            let c = ~UInt16(sum)
            message[2] = UInt8(c >> 8)
            message[3] = UInt8(c & 0xff)
        }
        try FirewallSocket.withAddress(destination, 0) { a, l in
            if message.withUnsafeBytes({ sendto(fd, $0.baseAddress, $0.count, 0, a, l) }) == message.count {
                left += 1
            } else if errno != ENOBUFS {
                throw BPFError.syscall(operation: "sendto(ICMP echo)", errno: .current)
            }
        }
        usleep(2000)
    }
    var replies = 0
    var buffer = [UInt8](repeating: 0, count: 2048)
    let deadline = Firewall.now() + 5
    while true {
        // 300 ms of quiet ends the wait once the awaited replies are in (or the deadline passed).
        let waiting = try replies < awaiting(left) && Firewall.now() < deadline
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, waiting ? 100 : 300) == 1 else {
            if waiting { continue }
            return (left, replies)
        }
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        guard n > 0 else { continue }
        // IPv4 raw sockets receive the IP header too; ICMPv6 ones do not.
        let offset = v6 ? 0 : Int(buffer[0] & 0x0f) * 4
        guard n >= offset + 8 else { continue }
        let reply: UInt8 = v6 ? 129 : 0
        if buffer[offset] == reply, UInt16(buffer[offset + 4]) << 8 | UInt16(buffer[offset + 5]) == identifier { replies += 1 }
    }
}
