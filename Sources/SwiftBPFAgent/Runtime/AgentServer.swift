import Dispatch
import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import ServiceLifecycle
import Synchronization

/// Runs an agent as a service group: the collectors' ticker, the HTTP API and the OTLP
/// exporters. SIGTERM or SIGINT (with `handleSignals`) shuts it down gracefully: the API stops,
/// the collectors are released (nothing stays in the kernel), the store is flushed, the
/// exporters flush. SIGHUP re-reads `configPath` and applies it with `Agent.reload`.
public final class AgentServer: Sendable {
    public let agent: Agent
    private let logger: Logger
    private let configPath: String?
    private let handleSignals: Bool
    private let boundPort = PortBox()
    private let group = Mutex<ServiceGroup?>(nil)
    /// Set by `shutdown()`; a shutdown asked before `run()` made its group ends `run()` at once.
    private let shutdownRequested = Atomic<Bool>(false)
    /// How long a graceful shutdown may take before the services are cancelled.
    static let gracefulShutdownLimit: Duration = .seconds(15)

    public init(agent: Agent, logger: Logger, configPath: String? = nil, handleSignals: Bool = true) {
        self.agent = agent
        self.logger = logger
        self.configPath = configPath
        self.handleSignals = handleSignals
    }

    /// Runs until shutdown.
    public func run() async throws {
        let config = agent.config
        let router = APIRoutes.router(agent: agent, logger: logger)
        let port = boundPort
        let app = Application(
            router: router,
            server: try agent.tls.map { try .tls(.http1(), tlsConfiguration: $0) } ?? .http1(),
            configuration: .init(address: .hostname(config.listen.host, port: config.listen.port), serverName: "swiftbpf-agent"),
            onServerRunning: { channel in port.value.store(channel.localAddress?.port ?? 0, ordering: .relaxed) },
            logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let export = agent.export {
            for s in export.services { services.append(.init(service: s)) }
            services.append(.init(service: OTLPDrainService(export: export)))
        }
        services.append(.init(service: AgentTicker(agent: agent), successTerminationBehavior: .gracefullyShutdownGroup,
                              failureTerminationBehavior: .gracefullyShutdownGroup))
        services.append(.init(service: app, successTerminationBehavior: .gracefullyShutdownGroup,
                              failureTerminationBehavior: .gracefullyShutdownGroup))
        // Last, so that it is the first to see the shutdown (services stop in reverse order):
        // it ends the live streams, which the HTTP server otherwise waits for as requests in
        // flight while the stream waits for the agent to stop.
        services.append(.init(service: LiveStreamCloser(hub: agent.hub)))
        var configuration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [], logger: logger)
        configuration.maximumGracefulShutdownDuration = Self.gracefulShutdownLimit
        configuration.maximumCancellationDuration = .seconds(5)
        let group = ServiceGroup(configuration: configuration)
        self.group.locked { $0 = group }
        if shutdownRequested.load(ordering: .relaxed) { await group.triggerGracefulShutdown() }
        let hup = handleSignals ? installReload() : nil
        defer { hup?.cancel() }
        try await group.run()
    }

    /// The port the API listens on, once it does (waits up to `timeout`); 0 if it never did.
    public func listeningPort(timeout: Duration = .seconds(30)) async -> Int {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let p = boundPort.value.load(ordering: .relaxed)
            if p != 0 { return p }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return 0
    }

    /// Starts the graceful shutdown (as SIGTERM does).
    public func shutdown() async {
        shutdownRequested.store(true, ordering: .relaxed)
        await group.locked { $0 }?.triggerGracefulShutdown()
    }

    /// SIGHUP: re-read the configuration file and reload; a bad file is logged and ignored.
    private func installReload() -> (any DispatchSourceSignal)? {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        let agent = self.agent, logger = self.logger, path = configPath
        source.setEventHandler {
            guard let path else {
                logger.warning("SIGHUP: running on the built-in configuration; nothing to reload")
                return
            }
            do {
                agent.reload(try AgentConfig.load(path: path))
            } catch {
                logger.error("SIGHUP: configuration not reloaded", metadata: ["error": "\(error)"])
            }
        }
        source.resume()
        return source
    }
}

/// Starts the agent, ticks it every second, stops it at shutdown.
struct AgentTicker: Service {
    let agent: Agent
    func run() async throws {
        agent.start()
        // Loading parsed the kernel's BTF and the objects: give the freed memory back.
        MallocTuning.trim()
        var ticks = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            agent.tick()
            ticks += 1
            if ticks % 15 == 0 { agent.hub.heartbeat() }
            if ticks % 300 == 0 { MallocTuning.trim() }
        }
        agent.stop()
    }
}

/// Ends the live event streams when the graceful shutdown begins.
struct LiveStreamCloser: Service {
    let hub: EventHub
    func run() async throws {
        try? await gracefulShutdown()
        hub.finish()
    }
}

/// The bound port, shared with the server's start callback.
final class PortBox: Sendable {
    let value = Atomic<Int>(0)
}
