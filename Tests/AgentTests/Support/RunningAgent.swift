import Foundation
import Logging
import Synchronization
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
        port = await server.listeningPort()
        self.log = log
        guard port != 0 else { throw TestError("the agent's API did not start listening") }
        // The ticker starts the collectors next to the HTTP server: wait until every configured
        // one has started (or failed), so that the test's workload happens after attachment.
        let agent = self.agent
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline,
              agent.collectors.snapshot.count < config.enabledCollectors.count
                || agent.userMetrics.status.count < config.userMetrics.count {
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func stop() async {
        await server.shutdown()
        _ = await task.result
    }
}

/// Keeps every log line (level and message with metadata) for the test to search.
final class LogCapture: Sendable {
    let lines = Mutex<[String]>([])

    func handler() -> CaptureHandler { CaptureHandler(capture: self) }

    var text: String { lines.withLock { $0.joined(separator: "\n") } }

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
            capture.lines.withLock { $0.append("\(event.level) \(event.message) \(meta)") }
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
