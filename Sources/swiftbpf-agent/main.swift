import Foundation
import Logging
import SwiftBPFAgent

MallocTuning.limitArenas()

/// swiftbpf-agent [--config FILE] [--print-default-config] [--check-config]
let usage = """
usage: swiftbpf-agent [--config FILE] [--check-config] [--print-default-config]
  --config FILE            YAML configuration (default: the built-in one, --print-default-config)
  --check-config           parse the configuration, print the result and exit
  --print-default-config   print the built-in configuration and exit
"""

var configPath: String?
var checkOnly = false
var args = CommandLine.arguments.dropFirst()
while let a = args.popFirst() {
    switch a {
    case "--config":
        guard let p = args.popFirst() else { FileHandle.standardError.write(Data("--config needs a file\n".utf8)); exit(2) }
        configPath = p
    case "--print-default-config":
        print(DefaultConfig.yaml, terminator: "")
        exit(0)
    case "--check-config": checkOnly = true
    case "--bench-store":
        // --bench-store PATH COUNT (Benchmarks/agent.sh)
        guard let path = args.popFirst(), let n = args.popFirst().flatMap(Int.init) else { exit(2) }
        do { print(try AgentBenchmarks.store(path: path, count: n)) } catch { print("store benchmark failed: \(error)"); exit(1) }
        exit(0)
    case "--bench-metrics":
        // --bench-metrics SERIES (Benchmarks/agent.sh)
        guard let n = args.popFirst().flatMap(Int.init) else { exit(2) }
        print(AgentBenchmarks.metrics(series: n))
        exit(0)
    case "-h", "--help":
        print(usage)
        exit(0)
    default:
        FileHandle.standardError.write(Data("unknown argument \(a)\n\(usage)\n".utf8))
        exit(2)
    }
}

let config: AgentConfig
do {
    config = try configPath.map { p throws(ConfigError) in try AgentConfig.load(path: p) } ?? .builtIn
} catch {
    FileHandle.standardError.write(Data("swiftbpf-agent: \(error)\n".utf8))
    exit(2)
}
if checkOnly {
    print("ok: \(config.enabledCollectors.map(\.name).joined(separator: ",")) on \(config.listen)")
    exit(0)
}

LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = Logger.Level(rawValue: config.logLevel) ?? .info
    return handler
}
let logger = Logger(label: "swiftbpf-agent")
do {
    let agent = try Agent(config: config, logger: logger)
    let server = AgentServer(agent: agent, logger: logger, configPath: configPath)
    logger.info("starting", metadata: ["listen": "\(config.listen)", "collectors": "\(config.enabledCollectors.map(\.name))"])
    try await server.run()
} catch {
    logger.critical("swiftbpf-agent: \(error)")
    exit(1)
}
