import Foundation
import Testing
@testable import SwiftBPFAgent

/// The `guard` collector: execs of a marker binary arrive as `guard_exec` events (with the
/// binary's path) and in the capped counter by kind, rule, action and process.
@Suite(.serialized, .enabled(if: isRoot, "loading BPF programs needs root"), .timeLimit(.minutes(2)))
struct GuardCollectorTests {
    @Test func execsBecomeEventsAndCounts() async throws {
        let dir = TempDir("guard")
        defer { dir.cleanup() }
        let config = AgentConfig.testing(["guard"]) { $0.collectors["guard"]?.options["report"] = "exec" }
        try await RunningAgent.with(config) { running in
            let state = running.agent.collectors.snapshot["guard"]
            try #require(state?.state == .running, "guard did not start: \(state?.error ?? "")")
            let marker = try MarkerBinary(in: dir)
            try marker.run(3)
            let series = #"swiftbpf_agent_guard_events_total{kind="exec",rule="",action="none",comm="\#(marker.name)"}"#
            let count = await eventually(timeout: 15) { () -> Double? in
                let body = (try? await TestHTTP.get(running.port, "/metrics").body) ?? ""
                return body.split(separator: "\n").first { $0.hasPrefix(series + " ") }
                    .flatMap { $0.split(separator: " ").last.flatMap { Double($0) } }.flatMap { $0 >= 3 ? $0 : nil }
            }
            #expect(count == 3, "\(series) should be 3")
            let events = running.agent.hub.recent(EventQuery(kind: "guard_exec", comm: marker.name))
            #expect(events.count == 3)
            #expect(events.first?.fields["binary"] == marker.path || events.first?.fields["path"] == marker.path,
                    "the marker's path: \(events.first?.fields ?? [:])")
            let metrics = try await TestHTTP.get(running.port, "/metrics").body
            #expect(metrics.contains(#"swiftbpf_agent_events_lost_total{collector="guard"}"#))
        }
    }
}
