import Foundation
import Glibc
import Testing
@testable import SwiftBPFAgent

/// User-defined metrics from a CO-RE object of the test's own (bpf/user_connects.bpf.c,
/// compiled here with clang): its map's key layout comes from the object's BTF; one label is
/// decoded as an IPv4 address, one as a kernel symbol. Reload adds and removes the object.
@Suite(.serialized, .enabled(if: isRoot, "loading BPF programs needs root"), .timeLimit(.minutes(3)))
struct UserMetricsTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static func compile(into dir: TempDir) throws -> String {
        let out = dir.path + "/user_connects.bpf.o"
        let status = shell("clang -target bpf -g -O2 -I\(repo)/BPFInclude -c \(repo)/Tests/AgentTests/bpf/user_connects.bpf.c -o \(out)")
        guard status == 0 else { throw TestError("clang failed (\(status))") }
        return out
    }

    /// Connects to a listener on 127.0.0.1 `count` times.
    static func connectLoopback(_ count: Int) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &len) } }
        listen(listener, 16)
        for _ in 0..<count {
            let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(s, $0, len) } }
            close(s)
            guard rc == 0 else { throw TestError("connect: errno \(errno)") }
        }
    }

    static func config(object: String) -> UserMetricConfig {
        UserMetricConfig(name: "conn", object: object, metrics: [
            UserMetricSpec(name: "connects", help: "IPv4 connects by destination", kind: .counter, map: "connects", labels: [
                LabelDecoderSpec(name: "daddr", field: "daddr", decoders: [.ipv4]),
                LabelDecoderSpec(name: "function", field: "func", decoders: [.ksym]),
            ]),
        ])
    }

    static func value(in metrics: String, _ prefix: String) -> Int? {
        for line in metrics.split(separator: "\n") where line.hasPrefix(prefix) {
            return line.split(separator: " ").last.flatMap { Int($0) }
        }
        return nil
    }

    @Test func addressAndKernelSymbolDecoders() async throws {
        let dir = TempDir("user")
        defer { dir.cleanup() }
        let object = try Self.compile(into: dir)
        try await RunningAgent.with(.testing([]) { $0.userMetrics = [Self.config(object: object)] }) { running in
            try Self.connectLoopback(3)
            let series = "swiftbpf_user_conn_connects_total{daddr=\"127.0.0.1\",function=\"tcp_v4_connect\"}"
            let count = await eventually(timeout: 15) { () -> Int? in
                let body = (try? await TestHTTP.get(running.port, "/metrics").body) ?? ""
                return Self.value(in: body, series).flatMap { $0 >= 3 ? $0 : nil }
            }
            let userLines = (try? await TestHTTP.get(running.port, "/metrics").body.split(separator: "\n").filter { $0.contains("user") }) ?? []
            #expect(count != nil, "no \(series) ≥ 3 in /metrics: \(userLines)")

            // Reload without the object: it unloads, the status no longer lists it.
            var config = running.agent.config
            config.userMetrics = []
            running.agent.reload(config)
            let status = try await TestHTTP.get(running.port, "/api/v1/status").body
            #expect(status.contains("\"user_metrics\":[]"))
        }
    }

    @Test func missingMapIsReportedNotFatal() async throws {
        let dir = TempDir("user-bad")
        defer { dir.cleanup() }
        let object = try Self.compile(into: dir)
        var bad = Self.config(object: object)
        bad.metrics[0].map = "nosuchmap"
        try await RunningAgent.with(.testing([]) { $0.userMetrics = [bad] }) { running in
            let status = try await TestHTTP.get(running.port, "/api/v1/status").body
            #expect(status.contains("no map nosuchmap"), "\(status)")
        }
    }
}
