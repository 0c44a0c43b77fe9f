import Foundation
import Testing
@testable import SwiftBPFAgent

/// The HTTP API on a real socket: loopback without a token, the token rule off loopback, 401
/// (logged) without the token, the OpenAPI document, and the live stream delivering an exec
/// the test triggers.
@Suite(.serialized, .enabled(if: isRoot, "loading BPF programs needs root"), .timeLimit(.minutes(3)))
struct APITests {
    @Test func loopbackWithoutTokenServesStatusAndOpenAPI() async throws {
        try await RunningAgent.with(.testing([])) { running in
            let health = try await TestHTTP.get(running.port, "/healthz")
            #expect(health.status == 200 && health.body.contains("ok"))
            let status = try await TestHTTP.get(running.port, "/api/v1/status")
            #expect(status.status == 200 && status.body.contains("\"auth\":\"none\""))
            let doc = try await TestHTTP.get(running.port, "/api/v1/openapi.json")
            let parsed = try JSONSerialization.jsonObject(with: Data(doc.body.utf8)) as? [String: Any]
            let paths = (parsed?["paths"] as? [String: Any])?.keys.sorted() ?? []
            #expect(paths.contains("/api/v1/events/stream") && paths.contains("/metrics"), "paths: \(paths)")
            let bad = try await TestHTTP.get(running.port, "/api/v1/events?limit=zero")
            #expect(bad.status == 400 && bad.body.contains("limit"))
        }
    }

    @Test func nonLoopbackWithoutTokenIsRefusedAtStart() throws {
        let yaml = "listen: \"0.0.0.0:9464\"\n"
        #expect(throws: ConfigError.self) { try AgentConfig.parse(yaml: yaml) }
        var config = AgentConfig.testing([])
        config.listen = ListenAddress(host: "0.0.0.0", port: 0)
        do {
            _ = try Agent(config: config, logger: .init(label: "t"))
            Issue.record("an agent on 0.0.0.0 without a token must not start")
        } catch {
            #expect("\(error)".contains("token_file"))
        }
    }

    @Test func tokenRequiredAndRefusalLogged() async throws {
        let dir = TempDir("token")
        defer { dir.cleanup() }
        let token = "t0ken-\(UInt64.random(in: 0...UInt64.max))"
        try token.write(toFile: dir.path + "/token", atomically: true, encoding: .utf8)
        try await RunningAgent.with(.testing([]) { $0.tokenFile = dir.path + "/token" }) { running in
            let without = try await TestHTTP.get(running.port, "/api/v1/status")
            #expect(without.status == 401)
            let wrong = try await TestHTTP.get(running.port, "/metrics", headers: ["Authorization": "Bearer nope"])
            #expect(wrong.status == 401)
            let with = try await TestHTTP.get(running.port, "/api/v1/status", headers: ["Authorization": "Bearer \(token)"])
            #expect(with.status == 200 && with.body.contains("\"auth\":\"bearer\""))
            #expect(running.log.text.contains("refused"), "the 401s must be logged")
            let metrics = try await TestHTTP.get(running.port, "/metrics", headers: ["Authorization": "Bearer \(token)"])
            #expect(metrics.body.contains("swiftbpf_agent_api_unauthorized_total 2"))
        }
    }

    @Test func liveStreamDeliversTriggeredExec() async throws {
        let dir = TempDir("sse")
        defer { dir.cleanup() }
        try await RunningAgent.with(.testing(["exec"])) { running in
            let marker = try MarkerBinary(in: dir)
            let port = running.port
            let name = marker.name
            let reader = Task {
                try await TestHTTP.stream(port, "/api/v1/events/stream?kind=exec", timeout: 20) { $0.contains("\"comm\":\"\(name)\"") }
            }
            try await Task.sleep(for: .milliseconds(500))
            let deadline = Date().addingTimeInterval(15)
            while Date() < deadline {
                try marker.run(1)
                if running.agent.hub.recent(EventQuery(comm: name)).count > 0 { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            let text = try await withDeadline(30, "the live stream reader") { try await reader.value }
            #expect(text.contains("event: exec") && text.contains("\"comm\":\"\(name)\""), "stream: \(text.prefix(500))")
            let recent = try await TestHTTP.get(port, "/api/v1/events?kind=exec&comm=\(name)")
            #expect(recent.body.contains(name))
        }
    }

    /// A client still connected to the live stream must not hold the shutdown: the stream ends
    /// when the shutdown begins (the HTTP server waits for requests in flight).
    @Test func shutdownEndsAnOpenLiveStream() async throws {
        let running = try await RunningAgent(.testing([]))
        let port = running.port
        // A filter nothing matches: the stream stays silent, the client stays connected.
        let reader = Task {
            try await TestHTTP.stream(port, "/api/v1/events/stream?kind=none", timeout: 60) { _ in false }
        }
        let subscribed = await eventually(timeout: 10) { running.agent.hub.subscriberCount > 0 ? true : nil }
        #expect(subscribed == true, "the stream never subscribed")
        let start = Date()
        await running.stop()
        let stopSeconds = Date().timeIntervalSince(start)
        #expect(stopSeconds < Double(AgentServer.gracefulShutdownLimit.components.seconds),
                "the shutdown took \(stopSeconds) s: it waited for the open stream")
        let text = try await withDeadline(10, "the stream's end after the shutdown") { try await reader.value }
        #expect(text.contains("live events"), "the stream's opening comment: \(text.prefix(300))")
    }
}
