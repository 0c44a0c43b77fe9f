import Foundation
import Testing
@testable import SwiftBPFAgent

/// The exec and exit collectors count in the kernel and send at most `max_events_per_second`
/// events: a program of the test's own runs 60 times (40 exiting 0, 20 exiting 3); the counters
/// must be exact, the events few, and the events held back reported.
@Suite(.serialized, .enabled(if: isRoot, "loading BPF programs needs root"), .timeLimit(.minutes(3)))
struct ProcessCountsTests {
    static func value(_ line: Substring) -> Double? { line.split(separator: " ").last.flatMap { Double($0) } }

    @Test func execsAndExitsAreCountedExactlyWhileTheirEventsAreLimited() async throws {
        let dir = TempDir("procs")
        defer { dir.cleanup() }
        let name = "sbpc\(UInt32.random(in: 100_000...999_999))"
        let shell = dir.path + "/" + name
        try FileManager.default.copyItem(atPath: URL(fileURLWithPath: "/bin/sh").resolvingSymlinksInPath().path, toPath: shell)

        let config = AgentConfig.testing(["exec", "exit"]) { c in
            c.collectors["exec"]?.maxEventsPerSecond = 2
            c.collectors["exit"]?.maxEventsPerSecond = 2
        }
        try await RunningAgent.with(config) { running in
            for collector in ["exec", "exit"] {
                let state = running.agent.collectors.snapshot[collector]
                try #require(state?.state == .running, "\(collector) did not start: \(state?.error ?? "")")
            }
            let started = Date()
            for i in 0..<60 {
                let p = Process()
                p.executableURL = URL(fileURLWithPath: shell)
                p.arguments = ["-c", i < 40 ? "exit 0" : "exit 3"]
                try p.run()
                try waitForExit(p, timeout: 10, "\(name) run \(i)")
            }
            let seconds = Date().timeIntervalSince(started)

            func sample(_ prefix: String, _ extra: String = "") async -> Double? {
                let body = (try? await TestHTTP.get(running.port, "/metrics").body) ?? ""
                return body.split(separator: "\n").first {
                    $0.hasPrefix(prefix) && $0.contains("comm=\"\(name)\"") && (extra.isEmpty || $0.contains(extra))
                }.flatMap(Self.value)
            }
            let execs = await eventually(timeout: 15) { () -> Double? in await sample("swiftbpf_agent_execs_total{") == 60 ? 60 : nil }
            let execsSeen = (try? await TestHTTP.get(running.port, "/metrics").body)?.split(separator: "\n")
                .filter { $0.hasPrefix("swiftbpf_agent_execs_total{") } ?? []
            #expect(execs == 60, "execs of \(name) counted (made 60): \(execsSeen)")
            let ok = await eventually(timeout: 5) { () -> Double? in await sample("swiftbpf_agent_exits_total{", "outcome=\"ok\"") == 40 ? 40 : nil }
            #expect(ok == 40, "exits of \(name) with code 0")
            let failed = await sample("swiftbpf_agent_exits_total{", "outcome=\"error\"")
            #expect(failed == 20, "exits of \(name) with code 3: \(String(describing: failed))")

            // Two events a second (one per CPU on two CPUs) leave the kernel; the rest are counted
            // as held back, by collector.
            let cpus = Double(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
            let bound = Int(cpus * (seconds.rounded(.up) + 2))
            let execEvents = running.agent.hub.recent(EventQuery(kind: "exec", limit: 10_000)).filter { $0.comm == name }
            #expect((1...bound).contains(execEvents.count), "\(execEvents.count) exec events of 60 in \(seconds) s")
            let body = try await TestHTTP.get(running.port, "/metrics").body
            let held = body.split(separator: "\n").first { $0.hasPrefix("swiftbpf_agent_events_held_total{collector=\"exec\"}") }.flatMap(Self.value)
            #expect((held ?? 0) >= Double(60 - bound), "exec events held back: \(String(describing: held))")
        }
    }
}
