import Foundation
import Testing
@testable import SwiftBPFAgent

/// The open collector counts every open in the kernel and sends only a sample of them as
/// events: a program of the test's own opens a known number of files (and of missing ones)
/// under a directory the collector's path prefix selects; the counter must be exact, and the
/// events about one in `sample`.
@Suite(.serialized, .enabled(if: isRoot, "loading BPF programs needs root"), .timeLimit(.minutes(3)))
struct OpenCountsTests {
    static func value(_ line: Substring) -> Double? { line.split(separator: " ").last.flatMap { Double($0) } }

    @Test func opensAreCountedExactlyAndTheirEventsSampledInTheKernel() async throws {
        let dir = TempDir("opens")
        defer { dir.cleanup() }
        let name = "sbop\(UInt32.random(in: 100_000...999_999))"
        let cat = dir.path + "/" + name
        try FileManager.default.copyItem(atPath: "/bin/cat", toPath: cat)
        let present = (0..<300).map { dir.path + "/f\($0)" }
        for path in present { try Data("x".utf8).write(to: URL(fileURLWithPath: path)) }
        let missing = (0..<20).map { dir.path + "/missing\($0)" }

        let config = AgentConfig.testing(["open"]) { c in
            c.collectors["open"]?.sample = 100
            c.collectors["open"]?.options["path_prefix"] = dir.path
        }
        try await RunningAgent.with(config) { running in
            let state = running.agent.collectors.snapshot["open"]
            try #require(state?.state == .running, "open did not start: \(state?.error ?? "")")
            let p = Process()
            p.executableURL = URL(fileURLWithPath: cat)
            p.arguments = present + missing
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            try waitForExit(p, timeout: 10, "\(name) reading 320 paths")

            func count(_ result: String) async -> Double? {
                let body = (try? await TestHTTP.get(running.port, "/metrics").body) ?? ""
                return body.split(separator: "\n").first {
                    $0.hasPrefix("swiftbpf_agent_opens_total{") && $0.contains("comm=\"\(name)\"") && $0.contains("result=\"\(result)\"")
                }.flatMap(Self.value)
            }
            let ok = await eventually(timeout: 15) { () -> Double? in await count("ok") == 300 ? 300 : nil }
            let okSeen = await count("ok")
            #expect(ok == 300, "opens of \(name) counted: \(String(describing: okSeen)), made 300")
            let failed = await eventually(timeout: 5) { () -> Double? in await count("error") == 20 ? 20 : nil }
            let failedSeen = await count("error")
            #expect(failed == 20, "failed opens of \(name) counted: \(String(describing: failedSeen)), made 20")

            // One in a hundred of each CPU's opens is sent: 320 opens give 1 to 6 events.
            let events = running.agent.hub.recent(EventQuery(kind: "open", limit: 10_000)).filter { $0.comm == name }
            #expect((1...6).contains(events.count), "\(events.count) open events of \(name) kept of 320 opens")
            #expect(events.allSatisfy { ($0.fields["path"] ?? "").hasPrefix(dir.path) }, "events carry their paths")
        }
    }
}
