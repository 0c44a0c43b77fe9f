import Foundation
import Glibc
import Testing
@testable import SwiftBPFAgent

/// The `flows` collector with real TCP connections on loopback: bytes counted by peer and
/// service port, the close event stored, the series cap holding a burst of ports into the
/// overflow series, and a full flow map reported as untracked connections.
@Suite(.serialized, .enabled(if: isRoot, "loading BPF programs needs root"), .timeLimit(.minutes(2)))
struct FlowsCollectorTests {
    /// A TCP socket with 5 s bounds on connect, send and receive.
    static func socket() throws -> Int32 {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestError("socket: errno \(errno)") }
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    static func loopback(port: UInt16) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
        return addr
    }

    /// A listener on 127.0.0.1 (an ephemeral port), a client connected to it and the accepted
    /// server side: (listener, client, server, port).
    static func connection() throws -> (listener: Int32, client: Int32, server: Int32, port: UInt16) {
        let listener = try socket()
        var addr = loopback(port: 0)
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, len) } }
        guard bound == 0, listen(listener, 64) == 0 else { close(listener); throw TestError("bind/listen: errno \(errno)") }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &len) } }
        let client = try socket()
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, len) } }
        guard rc == 0 else { close(client); close(listener); throw TestError("connect: errno \(errno)") }
        let server = accept(listener, nil, nil)
        guard server >= 0 else { close(client); close(listener); throw TestError("accept: errno \(errno)") }
        return (listener, client, server, UInt16(bigEndian: addr.sin_port))
    }

    /// Sends `bytes` from the client to the server in 16 KiB steps, each read before the next.
    static func transfer(_ c: (listener: Int32, client: Int32, server: Int32, port: UInt16), bytes: Int) throws {
        var chunk = [UInt8](repeating: 0x5A, count: 16384)
        var sent = 0
        while sent < bytes {
            let n = min(chunk.count, bytes - sent)
            guard send(c.client, &chunk, n, Int32(MSG_NOSIGNAL)) == n else { throw TestError("send: errno \(errno)") }
            var got = 0
            while got < n {
                let r = recv(c.server, &chunk, n - got, 0)
                guard r > 0 else { throw TestError("recv: errno \(errno)") }
                got += r
            }
            sent += n
        }
    }

    static func closeAll(_ c: (listener: Int32, client: Int32, server: Int32, port: UInt16)) {
        Glibc.close(c.client)
        Glibc.close(c.server)
        Glibc.close(c.listener)
    }

    static func value(_ line: Substring) -> Double? { line.split(separator: " ").last.flatMap { Double($0) } }

    static func flowsConfig(_ edit: (inout AgentConfig) -> Void = { _ in }) -> AgentConfig {
        .testing(["flows"]) { c in
            c.collectors["flows"]?.options["dns"] = "false"
            edit(&c)
        }
    }

    @Test func bytesByPeerAndPortAndTheCloseEvent() async throws {
        try await RunningAgent.with(Self.flowsConfig()) { running in
            let state = running.agent.collectors.snapshot["flows"]
            try #require(state?.state == .running, "flows did not start: \(state?.error ?? "")")
            let c = try Self.connection()
            try Self.transfer(c, bytes: 65536)
            Self.closeAll(c)
            let port = c.port
            let line = await eventually(timeout: 15) { () -> Substring? in
                let body = (try? await TestHTTP.get(running.port, "/metrics").body) ?? ""
                return body.split(separator: "\n").first {
                    $0.hasPrefix("swiftbpf_agent_flow_sent_bytes_total{") && $0.contains(#"direction="outgoing""#)
                        && $0.contains(#"peer="127.0.0.1""#) && $0.contains(#"port="\#(port)""#) && (Self.value($0) ?? 0) >= 65536
                }
            }
            #expect(line != nil, "no outgoing byte counter of 64 KiB to port \(port)")
            let closed = await eventually(timeout: 10) { () -> AgentEvent? in
                running.agent.hub.recent(EventQuery(kind: "flow_close", limit: 10_000)).first {
                    $0.fields["dport"] == "\(port)" && Int($0.fields["tx_bytes"] ?? "") ?? 0 >= 65536
                }
            }
            #expect(closed != nil, "no flow_close event of the client's connection to \(port)")
            #expect(closed?.pid == UInt32(getpid()), "the connection's owner is this process")
            let metrics = try await TestHTTP.get(running.port, "/metrics").body
            #expect(metrics.contains(#"swiftbpf_agent_flows_tracked{transport="tcp"}"#))
            #expect(metrics.contains(#"swiftbpf_agent_events_lost_total{collector="flows"}"#), "losses are reported, also when 0")
        }
    }

    @Test func portBurstIsCappedIntoTheOverflowSeries() async throws {
        try await RunningAgent.with(Self.flowsConfig { $0.metrics.maxSeriesPerFamily = 3 }) { running in
            let state = running.agent.collectors.snapshot["flows"]
            try #require(state?.state == .running, "flows did not start: \(state?.error ?? "")")
            // Twelve services (ports), twelve label sets per direction, against a cap of three.
            for _ in 0..<12 {
                let c = try Self.connection()
                try Self.transfer(c, bytes: 4096)
                Self.closeAll(c)
            }
            let overflow = #"swiftbpf_agent_series_overflow_total{family="swiftbpf_agent_flow_sent_bytes_total"}"#
            let text = await eventually(timeout: 15) { () -> String? in
                let body = (try? await TestHTTP.get(running.port, "/metrics").body) ?? ""
                return body.contains(overflow) ? body : nil
            }
            #expect(text != nil, "no \(overflow)")
            let sent = (text ?? "").split(separator: "\n").filter { $0.hasPrefix("swiftbpf_agent_flow_sent_bytes_total{") }
            #expect(sent.count <= 4, "3 series and the overflow one at most: \(sent)")
            #expect(sent.contains { $0.contains(#"comm="__overflow__""#) }, "the label sets over the cap count in the overflow series: \(sent)")
        }
    }

    @Test func fullFlowMapIsReported() async throws {
        try await RunningAgent.with(Self.flowsConfig { $0.collectors["flows"]?.options["max_flows"] = "16" }) { running in
            let state = running.agent.collectors.snapshot["flows"]
            try #require(state?.state == .running, "flows did not start: \(state?.error ?? "")")
            // 24 connections open at once: 48 sockets against a map of 16.
            var open: [(listener: Int32, client: Int32, server: Int32, port: UInt16)] = []
            defer { open.forEach(Self.closeAll) }
            for _ in 0..<24 {
                let c = try Self.connection()
                open.append(c)
                try Self.transfer(c, bytes: 4096)
            }
            let series = #"swiftbpf_agent_flows_untracked_total{reason="tcp_map_full"}"#
            let full = await eventually(timeout: 15) { () -> Double? in
                let body = (try? await TestHTTP.get(running.port, "/metrics").body) ?? ""
                return body.split(separator: "\n").first { $0.hasPrefix(series) }.flatMap(Self.value).flatMap { $0 > 0 ? $0 : nil }
            }
            #expect(full != nil, "a full flow map must be reported as \(series)")
        }
    }
}
