import Foundation
import Logging
import Synchronization
import Testing
@testable import SwiftBPFAgent

/// An agent running in the test process (API on an ephemeral loopback port unless the config
/// says otherwise), with its log captured.
final class RunningAgent: Sendable {
    let agent: Agent
    let server: AgentServer
    let task: Task<Void, any Error>
    let port: Int
    let log: LogCapture

    init(_ config: AgentConfig) async throws {
        var config = config
        if config.listen.port == 9464 { config.listen.port = 0 }
        let log = LogCapture()
        let logger = Logger(label: "agent-test") { _ in log.handler() }
        agent = try Agent(config: config, logger: logger)
        server = AgentServer(agent: agent, logger: logger, handleSignals: false)
        let server = self.server
        task = Task { try await server.run() }
        port = await server.listeningPort(timeout: .seconds(30))
        self.log = log
        guard port != 0 else {
            await Self.stop(server: server, task: task)
            throw TestError("the agent's API did not listen within 30 s: \(log.text.suffix(1500))")
        }
        // The ticker starts the collectors next to the HTTP server: wait until every configured
        // one has started (or failed), so that the test's workload happens after attachment.
        let agent = self.agent
        let started = await eventually(timeout: 60, every: 0.05) { () -> Bool? in
            agent.collectors.snapshot.count >= config.enabledCollectors.count
                && agent.userMetrics.status.count >= config.userMetrics.count ? true : nil
        }
        guard started == true else {
            await Self.stop(server: server, task: task)
            throw TestError("the agent's collectors did not start within 60 s: \(log.text.suffix(1500))")
        }
    }

    /// Runs `body` with an agent on `config`, stopping the agent afterwards also when `body`
    /// throws (so that no test leaves its collectors attached for the next ones).
    static func with<T>(_ config: AgentConfig, _ body: (RunningAgent) async throws -> T) async throws -> T {
        let running = try await RunningAgent(config)
        do {
            let result = try await body(running)
            await running.stop()
            return result
        } catch {
            await running.stop()
            throw error
        }
    }

    /// Shuts the agent down gracefully and waits for it, at most 30 s (a graceful shutdown
    /// that hangs, e.g. on an open live stream, is a test failure, not a stalled run).
    func stop() async {
        await Self.stop(server: server, task: task)
    }

    private static func stop(server: AgentServer, task: Task<Void, any Error>) async {
        await server.shutdown()
        do {
            _ = try await withDeadline(30, "the agent's graceful shutdown") { await task.result }
        } catch {
            Issue.record("\(error); cancelling it")
            task.cancel()
            _ = try? await withDeadline(10, "the agent's cancellation") { await task.result }
        }
    }
}

/// Keeps every log line (level and message with metadata) for the test to search.
final class LogCapture: Sendable {
    let lines = Mutex<[String]>([])

    func handler() -> CaptureHandler { CaptureHandler(capture: self) }

    var text: String { lines.locked { $0.joined(separator: "\n") } }

    struct CaptureHandler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let meta = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            capture.lines.locked { $0.append("\(event.level) \(event.message) \(meta)") }
        }
    }
}

extension AgentConfig {
    /// A config with only `collectors` (default settings each), the API on an ephemeral port.
    static func testing(_ collectors: [String], _ edit: (inout AgentConfig) -> Void = { _ in }) -> AgentConfig {
        var c = AgentConfig()
        c.listen = ListenAddress(host: "127.0.0.1", port: 0)
        for name in collectors {
            var cc = CollectorConfig()
            cc.intervalSeconds = 1
            c.collectors[name] = cc
        }
        edit(&c)
        return c
    }
}
