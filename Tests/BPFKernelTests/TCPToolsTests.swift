import BPF
import Dispatch
import Foundation
import Glibc
import Testing
@testable import SwiftBPFTools
import ToolText

/// A TCP conversation over 127.0.0.1 or ::1 that the test makes itself: a listener on an
/// ephemeral port, one connection, a known number of bytes each way, then an orderly close
/// (client first, the server after reading EOF).
final class LoopbackTCP {
    let v6: Bool
    let listener: Int32
    let port: UInt16
    var address: String { v6 ? "::1" : "127.0.0.1" }

    init(v6: Bool) throws {
        let fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0, "socket: errno \(errno)")
        let bound = Self.withAddress(v6: v6, port: 0) { bind(fd, $0, $1) } == 0 && Glibc.listen(fd, 4) == 0
        let port = bound ? Self.localPort(fd) : nil
        guard let port else {
            close(fd)
            throw LoopbackError.setup("bind/listen on loopback: errno \(errno)")
        }
        self.v6 = v6
        self.listener = fd
        self.port = port
    }

    deinit { close(listener) }

    static func withAddress<R>(v6: Bool, port: UInt16, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        if v6 {
            var a = sockaddr_in6()
            a.sin6_family = sa_family_t(AF_INET6)
            a.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &a.sin6_addr) { $0[15] = 1 }
            return withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        }
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = port.bigEndian
        a.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    }

    static func localPort(_ fd: Int32) -> UInt16? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        guard rc == 0 else { return nil }
        // sin_port and sin6_port sit at the same offset, 2.
        return withUnsafeBytes(of: &storage) { UInt16(bigEndian: $0.loadUnaligned(fromByteOffset: 2, as: UInt16.self)) }
    }

    static func sendAll(_ fd: Int32, _ count: Int, byte: UInt8) -> Bool {
        let data = [UInt8](repeating: byte, count: count)
        var sent = 0
        while sent < count {
            let n = data.withUnsafeBytes { send(fd, $0.baseAddress! + sent, count - sent, 0) }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    /// Reads until `count` bytes arrived (or EOF when `count` is nil); returns the bytes read.
    static func receive(_ fd: Int32, _ count: Int?) -> Int {
        var buffer = [UInt8](repeating: 0, count: 65536)
        var got = 0
        while count.map({ got < $0 }) ?? true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            got += n
        }
        return got
    }

    /// Connects a new client (the listener's backlog completes the handshake) and returns its fd and port.
    func connectClient() throws -> (fd: Int32, port: UInt16) {
        let fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        try #require(Self.withAddress(v6: v6, port: port) { Glibc.connect(fd, $0, $1) } == 0, "connect: errno \(errno)")
        return (fd, try #require(Self.localPort(fd)))
    }

    /// Connect, accept, `clientBytes` to the server and `serverBytes` back, close. Returns the client's port.
    func exchange(clientBytes: Int, serverBytes: Int) throws -> UInt16 {
        let client = try connectClient()
        let server = accept(listener, nil, nil)
        try #require(server >= 0, "accept: errno \(errno)")
        try #require(Self.sendAll(client.fd, clientBytes, byte: 0x61))
        #expect(Self.receive(server, clientBytes) == clientBytes)
        try #require(Self.sendAll(server, serverBytes, byte: 0x62))
        #expect(Self.receive(client.fd, serverBytes) == serverBytes)
        close(client.fd)
        #expect(Self.receive(server, nil) == 0)  // the client's FIN
        close(server)
        return client.port
    }
}

enum LoopbackError: Error {
    case setup(String)
}

/// glibc functions that Swift's Glibc module does not show (they need _GNU_SOURCE).
enum GNULibc {
    static func function<T>(_ name: String, as type: T.Type) -> T? {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, name) else { return nil }
        return unsafeBitCast(symbol, to: type)
    }

    /// The calling thread's id.
    static func gettid() -> UInt32 {
        UInt32(function("gettid", as: (@convention(c) () -> Int32).self)?() ?? -1)
    }

    /// unshare(2) for the calling thread; -1 when unavailable.
    static func unshare(_ flags: Int32) -> Int32 {
        function("unshare", as: (@convention(c) (Int32) -> Int32).self)?(flags) ?? -1
    }
}

/// The name of the calling thread (what bpf_get_current_comm sees).
func currentThreadComm() -> String {
    let path = "/proc/self/task/\(GNULibc.gettid())/comm"
    return ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").trimmingCharacters(in: .newlines)
}

/// Polls `session` for up to ~3 s and returns every event that `match` accepts.
func collectTCPEvents(_ session: ToolSession, rounds: Int = 15, until done: ([TCPEvent]) -> Bool = { !$0.isEmpty },
                      where match: (TCPEvent) -> Bool) throws -> [TCPEvent] {
    var found: [TCPEvent] = []
    for _ in 0..<rounds {
        _ = try session.poll(timeoutMilliseconds: 200) { record in
            if let e = TCPEvent(record: record), match(e) { found.append(e) }
        }
        if done(found) { break }
    }
    return found
}

/// tcpconnect, tcpaccept, tcplife and tcpretrans against connections the test makes itself.
@Suite(.serialized, .enabled(if: isRoot, "the TCP tools need root"))
struct TCPToolsTests {
    let me = UInt32(getpid())

    @Test(arguments: [false, true])
    func tcpconnectReportsOurConnection(v6: Bool) throws {
        let session = try TCPTool.connect.start(filter: ToolFilter(pid: me))
        let pair = try LoopbackTCP(v6: v6)
        let comm = currentThreadComm()
        let clientPort = try pair.exchange(clientBytes: 10, serverBytes: 10)
        let events = try collectTCPEvents(session) { $0.remotePort == pair.port }
        let e = try #require(events.first, "no tcpconnect event")
        #expect(events.count == 1)
        #expect(e.family == (v6 ? 6 : 4))
        #expect(e.localAddress == pair.address)
        #expect(e.remoteAddress == pair.address)
        #expect(e.localPort == clientPort)
        #expect(e.task.tgid == me)
        #expect(e.task.pid == GNULibc.gettid())
        #expect(e.task.ppid == UInt32(getppid()))
        #expect(e.task.uid == getuid())
        #expect(e.task.comm == comm)
        #expect(e.attributed)
        let line = TCPFormat.line(.connect, e)
        #expect(line.hasPrefix(Columns.pad(String(me), 7) + " "))
        #expect(line.hasSuffix(" \(pair.port)"))
        #expect(line.contains(" \(v6 ? 6 : 4)  \(pair.address)"))
    }

    @Test(arguments: [false, true])
    func tcpacceptReportsTheAcceptingProcess(v6: Bool) throws {
        let session = try TCPTool.accept.start(filter: ToolFilter(pid: me))
        let pair = try LoopbackTCP(v6: v6)
        let comm = currentThreadComm()
        let clientPort = try pair.exchange(clientBytes: 1, serverBytes: 1)
        let events = try collectTCPEvents(session) { $0.localPort == pair.port }
        let e = try #require(events.first, "no tcpaccept event")
        #expect(events.count == 1)
        #expect(e.family == (v6 ? 6 : 4))
        #expect(e.localAddress == pair.address)
        #expect(e.remoteAddress == pair.address)
        #expect(e.remotePort == clientPort)
        #expect(e.task.tgid == me)
        #expect(e.task.pid == GNULibc.gettid())
        #expect(e.task.comm == comm)
        #expect(e.attributed)
    }

    /// tcp_sock.bytes_acked and bytes_received count sequence space, as BCC's tcplife reports
    /// them: the client's SYN and FIN are acknowledged (+2 sent), each side receives the
    /// other's FIN (+1); the server's SYN-ACK is not counted (snd_una is set directly when the
    /// handshake's ACK arrives).
    @Test(arguments: [false, true])
    func tcplifeReportsExactBytesBothWays(v6: Bool) throws {
        let session = try TCPTool.life.start(filter: ToolFilter(pid: me))
        let pair = try LoopbackTCP(v6: v6)
        let up = 12_345, down = 54_321
        let started = MonotonicNow.nanoseconds()
        let clientPort = try pair.exchange(clientBytes: up, serverBytes: down)
        let elapsed = MonotonicNow.nanoseconds() - started
        let events = try collectTCPEvents(session, until: { $0.count >= 2 }) {
            ($0.localPort == pair.port && $0.remotePort == clientPort) || ($0.localPort == clientPort && $0.remotePort == pair.port)
        }
        try #require(events.count == 2, "tcplife events: \(events)")
        let client = try #require(events.first { $0.localPort == clientPort })
        let server = try #require(events.first { $0.localPort == pair.port })
        #expect(client.txBytes == UInt64(up + 2))
        #expect(client.rxBytes == UInt64(down + 1))
        #expect(server.txBytes == UInt64(down + 1))
        #expect(server.rxBytes == UInt64(up + 1))
        for e in [client, server] {
            #expect(e.family == (v6 ? 6 : 4))
            #expect(e.localAddress == pair.address && e.remoteAddress == pair.address)
            #expect(e.task.tgid == me)
            #expect(e.attributed)
            #expect(e.durationNanoseconds > 0 && e.durationNanoseconds <= elapsed)
        }
        let json = try #require(try JSONSerialization.jsonObject(with: Data(TCPFormat.json(.life, client).utf8)) as? [String: Any])
        #expect(Set(json.keys) == ["pid", "tgid", "ppid", "uid", "comm", "cgroup_id", "attributed", "family", "saddr", "sport",
                                   "daddr", "dport", "tx_bytes", "rx_bytes", "duration_ms"])
        #expect(json["saddr"] as? String == pair.address)
        #expect(json["sport"] as? Int == Int(clientPort))
        #expect(json["dport"] as? Int == Int(pair.port))
        #expect(json["family"] as? Int == (v6 ? 6 : 4))
        #expect(json["tx_bytes"] as? Int == up + 2)
        #expect(json["rx_bytes"] as? Int == down + 1)
        #expect(json["tgid"] as? Int == Int(me))
        // The cgroup path resolves to this process's own cgroup v2 (/proc/self/cgroup's "0::" line).
        let ownCgroup = try String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8).split(separator: "\n")
            .first { $0.hasPrefix("0::") }.map { String($0.dropFirst(3)) }
        let withPath = try JSONSerialization.jsonObject(with: Data(TCPFormat.json(.life, client, cgroups: CgroupPaths()).utf8)) as? [String: Any]
        #expect(withPath?["cgroup"] as? String == ownCgroup)
        let line = TCPFormat.line(.life, client)
        #expect(line.contains(" \(clientPort) "))
        #expect(line.contains(" \((up + 2) / 1024) "))
    }

    /// A refused connect goes SYN_SENT -> CLOSE: no event, and the socket is forgotten.
    @Test func refusedConnectGivesNoEventAndLeavesNoState() throws {
        let session = try TCPTool.connect.start(filter: ToolFilter(pid: me))
        // A bound socket that does not listen holds the port: a SYN to it gets a RST.
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(holder) }
        try #require(LoopbackTCP.withAddress(v6: false, port: 0) { bind(holder, $0, $1) } == 0)
        let port = try #require(LoopbackTCP.localPort(holder))
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        let rc = LoopbackTCP.withAddress(v6: false, port: port) { Glibc.connect(fd, $0, $1) }
        let err = errno
        #expect(rc == -1 && err == ECONNREFUSED)
        let seen = try collectTCPEvents(session, rounds: 3, until: { _ in false }) { $0.remotePort == port }
        #expect(seen.isEmpty)
        #expect(try session.object.map("connecting").nextKey(after: nil) == nil)
    }

    @Test func processFilterExcludesOtherProcesses() throws {
        // pid 1 is not us: none of our connections may pass the in-kernel filter.
        let connect = try TCPTool.connect.start(filter: ToolFilter(pid: 1))
        let life = try TCPTool.life.start(filter: ToolFilter(pid: 1))
        let accept = try TCPTool.accept.start(filter: ToolFilter(uid: 4_000_000))
        let pair = try LoopbackTCP(v6: false)
        _ = try pair.exchange(clientBytes: 5, serverBytes: 5)
        for session in [connect, life, accept] {
            let seen = try collectTCPEvents(session, rounds: 3, until: { _ in false }) { $0.localPort == pair.port || $0.remotePort == pair.port }
            #expect(seen.isEmpty)
        }
    }

    @Test func portFiltersRunInTheKernel() throws {
        let pair = try LoopbackTCP(v6: true)
        // tcplife with the listener's port as local port: only the server side's session.
        let life = try TCPTool.life.start(filter: ToolFilter(pid: me), ports: .init(local: pair.port))
        let wrongRemote = try TCPTool.connect.start(filter: ToolFilter(pid: me), ports: .init(remote: pair.port &+ 1))
        let rightRemote = try TCPTool.connect.start(filter: ToolFilter(pid: me), ports: .init(remote: pair.port))
        let clientPort = try pair.exchange(clientBytes: 100, serverBytes: 200)
        let lives = try collectTCPEvents(life, rounds: 5, until: { _ in false }) { _ in true }
        #expect(lives.count == 1)
        #expect(lives.first?.localPort == pair.port)
        #expect(lives.first?.remotePort == clientPort)
        #expect(try collectTCPEvents(wrongRemote, rounds: 2, until: { _ in false }) { _ in true }.isEmpty)
        #expect(try collectTCPEvents(rightRemote) { _ in true }.map(\.localPort) == [clientPort])
    }

    /// A retransmission needs a lost segment: in a network namespace of its own (on a thread made
    /// for it, so no other test shares it), the test connects over 127.0.0.1, takes `lo` down and
    /// sends: the segment is dropped and the retransmit timer resends it.
    @Test func tcpretransReportsARetransmission() throws {
        let session = try TCPTool.retrans.start()
        final class Result: @unchecked Sendable {
            var listenPort: UInt16 = 0
            var clientPort: UInt16 = 0
            var failure: String?
        }
        let result = Result()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            defer { done.signal() }
            guard GNULibc.unshare(0x4000_0000 /* CLONE_NEWNET */) == 0 else { result.failure = "unshare: errno \(errno)"; return }
            guard let ip = Command.which("ip"), spawnAndWait(ip, ["ip", "link", "set", "lo", "up"]).spawnError == 0 else {
                result.failure = "cannot run iproute2's ip, needed to take lo up and down"
                return
            }
            do {
                let pair = try LoopbackTCP(v6: false)
                let client = try pair.connectClient()
                let server = accept(pair.listener, nil, nil)
                result.listenPort = pair.port
                result.clientPort = client.port
                spawnAndWait(ip, ["ip", "link", "set", "lo", "down"])
                _ = LoopbackTCP.sendAll(client.fd, 100, byte: 0x63)
                usleep(1_200_000)  // RTO is at least 200 ms
                // Abortive close: nothing keeps retransmitting after the test.
                var off = linger(l_onoff: 1, l_linger: 0)
                for fd in [client.fd, server] {
                    setsockopt(fd, SOL_SOCKET, SO_LINGER, &off, socklen_t(MemoryLayout<linger>.size))
                    close(fd)
                }
            } catch {
                result.failure = "\(error)"
            }
        }
        thread.start()
        done.wait()
        try #require(result.failure == nil, "\(result.failure ?? "")")
        let events = try collectTCPEvents(session, rounds: 5) {
            $0.localPort == result.clientPort && $0.remotePort == result.listenPort
        }
        let e = try #require(events.first, "no retransmission seen")
        #expect(e.family == 4)
        #expect(e.localAddress == "127.0.0.1" && e.remoteAddress == "127.0.0.1")
        #expect(TCPState.name(e.state) == "ESTABLISHED")
        #expect(!e.attributed)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(TCPFormat.json(.retrans, e).utf8)) as? [String: Any])
        #expect(json["state"] as? String == "ESTABLISHED")
        #expect(json["sport"] as? Int == Int(result.clientPort))
        #expect(json["dport"] as? Int == Int(result.listenPort))
        #expect(json["err"] != nil)
        let line = TCPFormat.line(.retrans, e)
        #expect(line.contains("127.0.0.1:\(result.clientPort)"))
        #expect(line.contains(" R> 127.0.0.1:\(result.listenPort)"))
        #expect(line.hasSuffix(" ESTABLISHED"))
    }

    @Test func decoderRejectsShortAndUnknownRecords() {
        let short = [UInt8](repeating: 0, count: TCPEvent.size - 1)
        #expect(short.withUnsafeBytes { TCPEvent(record: $0) } == nil)
        var record = [UInt8](repeating: 0, count: TCPEvent.size)
        record[108] = 99  // no such family
        #expect(record.withUnsafeBytes { TCPEvent(record: $0) } == nil)
        record[108] = 10
        record[48 + 15] = 1
        record[64 + 10] = 0xff; record[64 + 11] = 0xff
        record[64 + 12] = 10; record[64 + 15] = 7
        record[104] = 0x50; record[105] = 0  // 80
        record[110] = 9
        let e = record.withUnsafeBytes { TCPEvent(record: $0) }
        #expect(e?.localAddress == "::1")
        #expect(e?.remoteAddress == "::ffff:10.0.0.7")
        #expect(e?.localPort == 80)
        #expect(e.map { TCPState.name($0.state) } == "LAST_ACK")
        #expect(TCPState.name(0) == "UNKNOWN(0)")
        #expect(TimeText.milliseconds(nanoseconds: 1_234_567) == "1.23")
        #expect(TimeText.milliseconds(nanoseconds: 5_000) == "0.01")
    }
}

enum MonotonicNow {
    static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
