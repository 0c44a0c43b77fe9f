import Foundation
import Testing
@testable import SwiftBPFAgent

/// A real OpenTelemetry collector (rotel from PyPI, a single binary; .ci/run installs it)
/// receives the agent's OTLP/HTTP export; its debug exporter prints what arrived, where the
/// test finds the exec counter of its marker binary and the marker's exec log records.
@Suite(.serialized, .enabled(if: isRoot, "loading BPF programs needs root"), .timeLimit(.minutes(3)))
struct OTLPExportTests {
    /// `rotel-agent` from the rotel wheel (pip puts the binary inside the package).
    static let rotel: String? = {
        if let p = which("rotel-agent") { return p }
        let out = output(of: "/usr/bin/env", ["python3", "-c", "import rotel, os; print(os.path.join(os.path.dirname(rotel.__file__), 'rotel-agent'))"])
        let path = (out ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }()

    @Test(.enabled(if: rotel != nil, "rotel is not installed (pip install rotel; .ci/run does)"))
    func collectorReceivesMetricsAndEventLogs() async throws {
        let dir = TempDir("otlp")
        defer { dir.cleanup() }
        let http = freePort(), grpc = freePort()
        let collector = try Child(Self.rotel!, [
            "start", "--exporter", "blackhole", "--otlp-http-endpoint", "127.0.0.1:\(http)", "--otlp-grpc-endpoint", "127.0.0.1:\(grpc)",
            "--debug-log", "metrics", "--debug-log", "logs", "--debug-log-verbosity", "detailed",
        ], log: dir.path + "/rotel.log")
        defer { collector.stop() }
        try await collector.waitReady("rotel", timeout: 20) { collector.log.contains("Starting Rotel") }
        try await RunningAgent.with(.testing(["exec"]) {
            $0.otlp.endpoint = "http://127.0.0.1:\(http)"
            $0.otlp.exportIntervalSeconds = 1
        }) { running in
            let marker = try MarkerBinary(in: dir)
            try marker.run(3)
            let seen = await eventually(timeout: 30) { () -> Bool? in
                let log = collector.log
                return log.contains("swiftbpf_agent_execs_total") && log.contains("Str(exec \(marker.name))") ? true : nil
            }
            #expect(seen == true, "rotel's debug log lacks the metric or the log records: \(collector.log.suffix(1500))")
            let log = collector.log
            #expect(log.contains("process.command: Str(\(marker.name))"))
            #expect(log.contains("service.name: Str(swiftbpf-agent)"))
        }
    }

    @Test func boundedQueueCountsOverflow() throws {
        var c = OTLPConfig()
        c.queueSize = 10
        // Nothing listens on this port: the exporters fail, the queue still bounds memory.
        let export = try OTLPExport(config: c, endpoint: "http://127.0.0.1:\(freePort())", logger: .init(label: "t"))
        let events = StoreTests.events(25, at: 1)
        export.enqueue(events)
        #expect(export.queued == 10)
        #expect(export.counters.dropped.load(ordering: .relaxed) == 15)
        #expect(export.drain(max: 4) == 4)
        #expect(export.queued == 6)
    }
}
