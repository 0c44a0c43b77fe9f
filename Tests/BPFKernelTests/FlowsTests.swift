import BPF
import Foundation
import Glibc
import Testing
@testable import SwiftBPFNet

/// `swiftbpf flows` against real traffic between network namespaces (and loopback), with
/// `ss -tin` as the oracle of each socket's counters. Serialized: every test attaches to the
/// cgroup root, and several use the same veth addresses.
@Suite("FlowsTests", .serialized)
struct FlowsTests {
    /// The hooks this kernel refuses (probed by loading each program alone), nil if none.
    static let refused: String? = {
        guard getuid() == 0 else { return "needs root" }
        let missing = FlowMonitor.missingHooks()
        return missing.isEmpty ? nil : missing.joined(separator: "; ")
    }()
    static let skipReason: Comment = "needs root, iproute2's ip and ss, and every hook of flows.bpf.c (refused here: \(refused ?? "none"))"
    static var available: Bool { refused == nil && NetworkNamespace.ip != nil && SSInfo.ss != nil }
    static let dnsmasq = Command.which("dnsmasq")
    /// Why `tc qdisc ... netem` cannot run here, nil if it can (probed in a scratch namespace).
    static let netemUnavailable: String? = {
        guard let tc = Command.which("tc"), let ns = try? NetworkNamespace("nq") else { return "no tc or no network namespace" }
        defer { ns.close() }
        guard let r = try? Command.run(tc, ["-n", ns.name, "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms"]) else { return "tc did not run" }
        return r.status == 0 ? nil : "tc qdisc netem: \(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines)) (the kernel lacks sch_netem)"
    }()

    /// Waits up to `milliseconds` for a datagram on `fd` (the UDP reads here must not block forever).
    static func readable(_ fd: Int32, within milliseconds: Int32 = 3000) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, milliseconds) == 1
    }

    /// The network namespace's inode, what the flows carry as `netns`.
    static func netns(_ ns: NetworkNamespace) throws -> UInt32 { UInt32(truncatingIfNeeded: try Syscalls.inode(of: ns.path)) }

    static func monitor(port: UInt16? = nil) throws -> FlowMonitor {
        var options = FlowMonitor.Options()
        options.filter.port = port
        return try FlowMonitor(options: options)
    }

    /// Closed flows from the ring buffer until `count` matching `match` have come (or 3 s).
    static func closed(_ monitor: FlowMonitor, count: Int, dns: inout [DNSPacket], _ match: (Flow) -> Bool) throws -> [Flow] {
        var out: [Flow] = []
        let deadline = Date().addingTimeInterval(3)
        while out.count < count && Date() < deadline {
            try monitor.poll(timeoutMilliseconds: 100) { event in
                switch event {
                case let .closed(f) where match(f): out.append(f)
                case let .dns(p): dns.append(p)
                default: break
                }
            }
        }
        return out
    }

    static func closed(_ monitor: FlowMonitor, count: Int, _ match: (Flow) -> Bool) throws -> [Flow] {
        var ignored: [DNSPacket] = []
        return try closed(monitor, count: count, dns: &ignored, match)
    }

    /// A transfer over a fresh connection: `up` bytes client → server, then `down` back. Returns
    /// both ends, still open and idle.
    static func transfer(_ net: VethNetwork, port: UInt16, up: Int, down: Int) throws -> (client: TCPPeer, server: TCPPeer, listener: TCPPeer) {
        let listener = try net.receiver.enter { try TCPPeer.listen(VethNetwork.receiverAddress, port: port) }
        let client = try net.sender.enter { try TCPPeer.connect(VethNetwork.receiverAddress, port: port) }
        let server = try listener.accept()
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var serverError: Error?
        Thread.detachNewThread {
            do {
                try server.receive(count: up)
                try server.send(count: down)
            } catch { serverError = error }
            done.signal()
        }
        try client.send(count: up)
        try client.receive(count: down)
        done.wait()
        if let serverError { throw serverError }
        usleep(200_000)   // the last ACKs
        return (client, server, listener)
    }

    /// The figures of the flow of local port `port` in `netns`, after a refresh.
    static func flow(_ monitor: FlowMonitor, netns: UInt32, localPort: UInt16) throws -> Flow? {
        try monitor.refresh().flows.first { $0.transport == .tcp && $0.netns == netns && $0.local.port == localPort }
    }

    static func expectMatchesSS(_ f: Flow, _ ss: SSInfo, _ tag: String) {
        #expect(UInt64(f.packetsSent) == ss.dataSegsOut && UInt64(f.packetsReceived) == ss.dataSegsIn,
                "\(tag): packets \(f.packetsSent)/\(f.packetsReceived), ss data_segs_out/in \(ss.dataSegsOut)/\(ss.dataSegsIn)")
        let rtt = Double(f.rttMicros) / 1000
        #expect(abs(rtt - ss.rttMillis) <= max(0.1 * ss.rttMillis, 0.0015), "\(tag): srtt \(rtt) ms, ss \(ss.rttMillis) ms")
        #expect(UInt64(f.retransmits) == ss.totalRetrans, "\(tag): retransmits \(f.retransmits), ss \(ss.totalRetrans)")
    }

    /// Known sizes each way over a veth pair: payload bytes exact while open (against ss's
    /// bytes_acked/bytes_received less the SYN) and after close (FINs taken out); packets, RTT
    /// and retransmits equal to what ss reports for the same sockets; owner and direction.
    @Test(.enabled(if: available, skipReason))
    func tcpBytesPacketsRTTAndRetransmitsMatchSS() throws {
        let net = try VethNetwork("fa")
        defer { net.close() }
        let port: UInt16 = 7311
        let monitor = try Self.monitor(port: port)
        let up = 1_000_003, down = 250_007
        let (client, server, listener) = try Self.transfer(net, port: port, up: up, down: down)
        let senderNS = try Self.netns(net.sender), receiverNS = try Self.netns(net.receiver)

        let c = try #require(try Self.flow(monitor, netns: senderNS, localPort: client.localPort), "client flow")
        let s = try #require(try Self.flow(monitor, netns: receiverNS, localPort: port), "server flow")
        let cs = try #require(try SSInfo.read(netns: net.sender, localPort: client.localPort), "ss of the client")
        let ss = try #require(try SSInfo.read(netns: net.receiver, localPort: port), "ss of the server")
        #expect(c.bytesSent == UInt64(up) && c.bytesReceived == UInt64(down), "client \(c.bytesSent)/\(c.bytesReceived)")
        #expect(s.bytesSent == UInt64(down) && s.bytesReceived == UInt64(up), "server \(s.bytesSent)/\(s.bytesReceived)")
        // The kernel's sequence-space counters, less the SYN on the connecting side, are the payload.
        #expect(cs.bytesAcked - 1 == UInt64(up) && cs.bytesReceived == UInt64(down) && ss.bytesAcked == UInt64(down))
        Self.expectMatchesSS(c, cs, "client")
        Self.expectMatchesSS(s, ss, "server")
        #expect(c.direction == .outgoing && s.direction == .incoming)
        #expect(c.owner?.pid == UInt32(getpid()) && s.owner?.pid == UInt32(getpid()), "owners \(String(describing: c.owner)) \(String(describing: s.owner))")
        #expect(c.remote == Endpoint(address: VethNetwork.receiverAddress, port: port) && s.remote.address == VethNetwork.senderAddress)

        client.shutdownWrite()
        server.shutdownWrite()
        try server.receive(count: 1)
        try client.receive(count: 1)
        client.close()
        server.close()
        listener.close()
        let closed = try Self.closed(monitor, count: 2) { $0.netns == senderNS || $0.netns == receiverNS }
        let cc = try #require(closed.first { $0.netns == senderNS }, "closed client")
        let sc = try #require(closed.first { $0.netns == receiverNS }, "closed server")
        #expect(cc.closed && cc.state == "CLOSE")
        #expect(cc.bytesSent == UInt64(up) && cc.bytesReceived == UInt64(down), "closed client \(cc.bytesSent)/\(cc.bytesReceived)")
        #expect(sc.bytesSent == UInt64(down) && sc.bytesReceived == UInt64(up), "closed server \(sc.bytesSent)/\(sc.bytesReceived)")
    }

    /// 5 % of the data segments dropped on the path (a TC program at the receiver's ingress: this
    /// kernel has no netem):
    /// the retransmit count equals the socket's tcpi_total_retrans, and the bytes stay exact.
    @Test(.enabled(if: available, skipReason))
    func lossRetransmitsMatchTotalRetrans() throws {
        let net = try VethNetwork("fl")
        defer { net.close() }
        let loss = try FlowsLossObject.load()
        // On the receiving end: a drop at the sender's own egress returns NET_XMIT_DROP to TCP,
        // which sends the segment again as new data, not as a retransmission.
        let link = try net.receiver.enter { try Link.attachTC(program: loss.flowsLoss.program, interface: net.receiverInterface, direction: .ingress) }
        defer { link.close() }
        let port: UInt16 = 7312
        let monitor = try Self.monitor(port: port)
        let up = 2_000_000
        let (client, server, listener) = try Self.transfer(net, port: port, up: up, down: 10)
        usleep(300_000)
        let drops = try loss.drops.value(at: 0)
        let c = try #require(try Self.flow(monitor, netns: try Self.netns(net.sender), localPort: client.localPort))
        let cs = try #require(try SSInfo.read(netns: net.sender, localPort: client.localPort))
        #expect(drops > 0, "the loss program dropped nothing")
        #expect(cs.totalRetrans > 0 && UInt64(c.retransmits) == cs.totalRetrans, "retransmits \(c.retransmits), ss \(cs.totalRetrans), drops \(drops)")
        #expect(c.bytesSent == UInt64(up))
        Self.expectMatchesSS(c, cs, "lossy client")
        client.close(); server.close(); listener.close()
    }

    /// `tc qdisc ... netem delay 20ms`: the smoothed RTT is within 10 % of what ss reports.
    @Test(.enabled(if: available && netemUnavailable == nil, "\(netemUnavailable ?? "")"))
    func netemDelayRTTWithinTenPercentOfSS() throws {
        let net = try VethNetwork("fd")
        defer { net.close() }
        try net.sender.run(["link", "set", net.senderInterface, "up"])
        let r = try Command.run(Command.which("tc")!, ["-n", net.sender.name, "qdisc", "add", "dev", net.senderInterface, "root", "netem", "delay", "20ms"])
        try #require(r.status == 0, "tc: \(r.stderr)")
        let port: UInt16 = 7313
        let monitor = try Self.monitor(port: port)
        let (client, server, listener) = try Self.transfer(net, port: port, up: 200_000, down: 1000)
        let c = try #require(try Self.flow(monitor, netns: try Self.netns(net.sender), localPort: client.localPort))
        let cs = try #require(try SSInfo.read(netns: net.sender, localPort: client.localPort))
        #expect(cs.rttMillis >= 20)
        Self.expectMatchesSS(c, cs, "delayed client")
        client.close(); server.close(); listener.close()
    }

    /// UDP request and response with known sizes: bytes and datagrams each way, on both sockets.
    @Test(.enabled(if: available, skipReason))
    func udpRequestResponse() throws {
        let net = try VethNetwork("fu")
        defer { net.close() }
        let port: UInt16 = 7314
        let monitor = try Self.monitor(port: port)
        let server = try net.receiverSocket(port: port)
        let client = try net.senderSocket(to: port)
        for _ in 0..<3 {
            #expect(client.send([UInt8](repeating: 1, count: 100)))
            var from = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            var buffer = [UInt8](repeating: 0, count: 2048)
            try #require(Self.readable(server.fd), "the request did not arrive within 3 s")
            let n = withUnsafeMutablePointer(to: &from) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in buffer.withUnsafeMutableBytes { recvfrom(server.fd, $0.baseAddress, $0.count, 0, sa, &length) } }
            }
            #expect(n == 100)
            let reply = [UInt8](repeating: 2, count: 300)
            let sent = withUnsafePointer(to: &from) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in reply.withUnsafeBytes { sendto(server.fd, $0.baseAddress, $0.count, 0, sa, length) } }
            }
            #expect(sent == 300)
            var back = [UInt8](repeating: 0, count: 2048)
            try #require(Self.readable(client.fd), "the response did not arrive within 3 s")
            #expect(back.withUnsafeMutableBytes { recv(client.fd, $0.baseAddress, $0.count, 0) } == 300)
        }
        usleep(100_000)
        let flows = try monitor.refresh().flows.filter { $0.transport == .udp }
        let c = try #require(flows.first { $0.local.port == client.port && $0.remote == Endpoint(address: VethNetwork.receiverAddress, port: port) })
        let s = try #require(flows.first { $0.local.port == port && $0.remote == Endpoint(address: VethNetwork.senderAddress, port: client.port) })
        #expect(c.bytesSent == 300 && c.packetsSent == 3 && c.bytesReceived == 900 && c.packetsReceived == 3, "client \(c)")
        #expect(s.bytesSent == 900 && s.packetsSent == 3 && s.bytesReceived == 300 && s.packetsReceived == 3, "server \(s)")
        #expect(c.direction == .outgoing && s.direction == .incoming)
        #expect(c.owner?.pid == UInt32(getpid()) && s.owner?.pid == UInt32(getpid()))
    }

    /// A UDP socket's owner is the process that made it (cgroup/sock_create), so a pid filter
    /// keeps this process's datagrams and another pid's filter keeps none of them.
    @Test(.enabled(if: available, skipReason))
    func udpOwnerFromSocketCreationAndPidFilter() throws {
        let net = try VethNetwork("fp")
        defer { net.close() }
        let port: UInt16 = 7315
        var mine = FlowMonitor.Options(), other = FlowMonitor.Options()
        mine.filter = FlowFilter(pid: UInt32(getpid()), port: port)
        other.filter = FlowFilter(pid: 1, port: port)
        let own = try FlowMonitor(options: mine)
        let foreign = try FlowMonitor(options: other)
        let server = try net.receiverSocket(port: port)
        let client = try net.senderSocket(to: port)
        #expect(client.send([UInt8](repeating: 3, count: 64)))
        var buffer = [UInt8](repeating: 0, count: 2048)
        try #require(Self.readable(server.fd), "the datagram did not arrive within 3 s")
        #expect(buffer.withUnsafeMutableBytes { recv(server.fd, $0.baseAddress, $0.count, 0) } == 64)
        let flows = try own.refresh().flows.filter { $0.transport == .udp }
        let c = try #require(flows.first { $0.local.port == client.port }, "client flow in \(flows)")
        let s = try #require(flows.first { $0.local.port == port }, "server flow in \(flows)")
        #expect(c.owner?.pid == UInt32(getpid()) && s.owner?.pid == UInt32(getpid()))
        #expect(c.bytesSent == 64 && s.bytesReceived == 64)
        let seen = try foreign.refresh().flows.filter { $0.transport == .udp && ($0.local.port == port || $0.remote.port == port) }
        #expect(seen.isEmpty, "pid 1's filter shows \(seen)")
    }

    /// Connections opened before the monitor started are reported (the TCP socket iterator),
    /// with exact payload bytes, direction from the listener, and the owner found in /proc.
    @Test(.enabled(if: available, skipReason))
    func preexistingConnectionsAreReported() throws {
        let listener = try TCPPeer.listen("127.0.0.1", port: 0)
        let port = listener.localPort
        let client = try TCPPeer.connect("127.0.0.1", port: port)
        let server = try listener.accept()
        try client.send(count: 12_345)
        try server.receive(count: 12_345)
        try server.send(count: 678)
        try client.receive(count: 678)
        usleep(100_000)
        let monitor = try Self.monitor()
        let flows = try monitor.refresh().flows.filter { $0.transport == .tcp && $0.local.address == "127.0.0.1" }
        let c = try #require(flows.first { $0.local.port == client.localPort && $0.remote.port == port })
        let s = try #require(flows.first { $0.local.port == port && $0.remote.port == client.localPort })
        #expect(c.preexisting && s.preexisting)
        #expect(c.direction == .outgoing && s.direction == .incoming)
        #expect(c.bytesSent == 12_345 && c.bytesReceived == 678 && s.bytesSent == 678 && s.bytesReceived == 12_345,
                "client \(c.bytesSent)/\(c.bytesReceived) server \(s.bytesSent)/\(s.bytesReceived)")
        #expect(c.owner?.pid == UInt32(getpid()))
        // Closing is seen too (tp_btf/inet_sock_set_state), with the final figures.
        try client.send(count: 5)
        try server.receive(count: 5)
        client.close(); server.close(); listener.close()
        let closed = try Self.closed(monitor, count: 2) { $0.local.address == "127.0.0.1" && ($0.local.port == port || $0.remote.port == port) }
        #expect(closed.count == 2)
        #expect(closed.first { $0.local.port != port }?.bytesSent == 12_350)
    }

    /// A client in one namespace calling two servers: the topology has exactly the client
    /// process, the two server endpoints and the client address (seen by the servers' side),
    /// with the right bytes on every edge; JSON, DOT and SVG show them.
    @Test(.enabled(if: available, skipReason))
    func topologyOfAClientCallingTwoServers() throws {
        let net = try VethNetwork("ft")
        defer { net.close() }
        let monitor = try Self.monitor()
        let (c1, s1, l1) = try Self.transfer(net, port: 7321, up: 10_000, down: 20_000)
        let (c2, s2, l2) = try Self.transfer(net, port: 7322, up: 30_000, down: 40_000)
        for p in [c1, s1, c2, s2] { p.shutdownWrite() }
        for p in [c1, s1, c2, s2] { try p.receive(count: 1) }
        for p in [c1, s1, c2, s2, l1, l2] { p.close() }
        let namespaces = [try Self.netns(net.sender), try Self.netns(net.receiver)]
        let closed = try Self.closed(monitor, count: 4) { namespaces.contains($0.netns) }
        #expect(closed.count == 4)
        var topology = Topology()
        topology.add(closed)
        let pid = getpid()
        let a = "remote:\(VethNetwork.receiverAddress)"
        #expect(Set(topology.nodes.keys) == ["proc:\(pid)", "\(a):7321", "\(a):7322", "remote:\(VethNetwork.senderAddress)"])
        let edges = topology.edges.map { "\($0.from) -> \($0.to) \($0.bytes) \($0.connections)" }
        #expect(Set(edges) == ["proc:\(pid) -> \(a):7321 30000 1", "proc:\(pid) -> \(a):7322 70000 1",
                               "remote:\(VethNetwork.senderAddress) -> proc:\(pid) 100000 2"], "\(edges)")
        #expect(topology.json().contains("\"bytes\":70000"))
        #expect(topology.dot().contains("-> \"\(a):7322\""))
        let svg = topology.svg()
        #expect(svg.hasPrefix("<svg") && svg.contains("\(VethNetwork.receiverAddress):7321") && svg.contains("marker-end"))
    }

    /// DNS through dnsmasq in the receiver namespace serving a test zone: the name, the answer,
    /// the latency and the asking process; NXDOMAIN for a missing name; and a later connection
    /// to the answered address labelled with the name.
    @Test(.enabled(if: available && dnsmasq != nil, "needs dnsmasq (Debian's dnsmasq-base) as the resolver"))
    func dnsQueriesAnswersAndLabels() throws {
        let net = try VethNetwork("fn")
        defer { net.close() }
        let dns = Process()
        dns.executableURL = URL(fileURLWithPath: NetworkNamespace.ip!)
        dns.arguments = ["netns", "exec", net.receiver.name, Self.dnsmasq!, "--keep-in-foreground", "--no-resolv", "--no-hosts",
                         "--user=root", "--pid-file=", "--listen-address=\(VethNetwork.receiverAddress)", "--bind-interfaces",
                         "--local=/internal/", "--local-ttl=300", "--host-record=api.internal,\(VethNetwork.receiverAddress)"]
        dns.standardOutput = FileHandle.nullDevice
        dns.standardError = FileHandle.nullDevice
        try dns.run()
        defer {
            // SIGKILL and reap by pid: Foundation's waitUntilExit can wait forever here.
            kill(dns.processIdentifier, SIGKILL)
            var status: Int32 = 0
            waitpid(dns.processIdentifier, &status, 0)
        }
        let monitor = try Self.monitor()
        let resolver = try net.senderSocket(to: 53)
        func query(_ name: String, id: UInt16) -> [UInt8] {
            var q: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xff), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
            for label in name.split(separator: ".") { q += [UInt8(label.utf8.count)] + Array(label.utf8) }
            return q + [0, 0, 1, 0, 1]
        }
        // dnsmasq takes a moment to listen: ask until it answers.
        var answered = false
        for attempt in 0..<50 where !answered {
            resolver.send(query("api.internal", id: UInt16(0x4200 + attempt)))
            var p = pollfd(fd: resolver.fd, events: Int16(POLLIN), revents: 0)
            if poll(&p, 1, 100) == 1 {
                var buffer = [UInt8](repeating: 0, count: 512)
                answered = buffer.withUnsafeMutableBytes { recv(resolver.fd, $0.baseAddress, $0.count, 0) } > 0
            }
        }
        try #require(answered, "dnsmasq did not answer")
        resolver.send(query("missing.internal", id: 0x7777))
        var buffer = [UInt8](repeating: 0, count: 512)
        try #require(Self.readable(resolver.fd), "dnsmasq did not answer the missing name within 3 s")
        _ = buffer.withUnsafeMutableBytes { recv(resolver.fd, $0.baseAddress, $0.count, 0) }

        var packets: [DNSPacket] = []
        let (client, server, listener) = try Self.transfer(net, port: 7330, up: 1000, down: 1000)
        _ = try Self.closed(monitor, count: 0, dns: &packets) { _ in false }
        try monitor.poll(timeoutMilliseconds: 200) { if case let .dns(p) = $0 { packets.append(p) } }
        var tracker = DNSTracker()
        let events = packets.filter { $0.source.port == resolver.port || $0.destination.port == resolver.port }.compactMap { tracker.take($0) }
        let api = try #require(events.last { $0.name == "api.internal" }, "no api.internal exchange in \(events)")
        #expect(api.type == "A" && api.responseCode == "NOERROR" && api.answers == [VethNetwork.receiverAddress])
        #expect(api.owner?.pid == UInt32(getpid()) && (api.latencyMicros ?? 0) > 0 && (api.latencyMicros ?? .max) < 1_000_000, "\(api)")
        let missing = try #require(events.first { $0.name == "missing.internal" }, "no missing.internal exchange in \(events)")
        #expect(missing.responseCode == "NXDOMAIN" && missing.answers.isEmpty)
        var flows = try monitor.refresh().flows
        tracker.label(&flows, nowNanos: FlowMonitor.monotonicNanos())
        let labelled = try #require(flows.first { $0.netns == (try? Self.netns(net.sender)) && $0.remote.port == 7330 })
        #expect(labelled.remoteName == "api.internal")
        client.close(); server.close(); listener.close()
    }

    /// Over the cap, the idlest connections are evicted and counted; bad options fail clearly.
    @Test(.enabled(if: available, skipReason))
    func capEvictsAndCountsAndBadOptionsFail() throws {
        var options = FlowMonitor.Options()
        options.maxFlows = 20
        options.filter.remote = try IPPrefix(parsing: "127.0.0.0/8")
        let monitor = try FlowMonitor(options: options)
        let listener = try TCPPeer.listen("127.0.0.1", port: 0)
        var peers: [TCPPeer] = []
        for _ in 0..<30 {
            peers.append(try TCPPeer.connect("127.0.0.1", port: listener.localPort))
            peers.append(try listener.accept())
        }
        let (flows, _) = try monitor.refresh()
        let stats = try monitor.stats()
        #expect(flows.count <= 20 && stats.tcpMapFull > 0 && stats.evicted > 0, "flows \(flows.count), stats \(stats)")
        peers.forEach { $0.close() }
        options.maxFlows = 2
        #expect(throws: FlowMonitorError.self) { try FlowMonitor(options: options) }
        options.maxFlows = 100
        options.filter.comm = "a-name-longer-than-fifteen"
        #expect(throws: FlowMonitorError.self) { try FlowMonitor(options: options) }
        options.filter.comm = nil
        options.filter.cgroupPath = "/nonexistent/cgroup"
        #expect(throws: FlowMonitorError.self) { try FlowMonitor(options: options) }
    }
}
