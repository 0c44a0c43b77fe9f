import BPF
import Foundation
import Glibc
import Testing
@testable import SwiftBPFAgent

/// Cardinality governance (a label explosion is capped into an overflow series, stale series
/// are evicted, both reported as metrics) and the overhead governor (over budget it sheds the
/// collector of lowest priority, reported in the API and metrics; calm again, it restores it).
@Suite(.serialized, .timeLimit(.minutes(2)))
struct GovernanceTests {
    static func sample(_ text: String, _ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return line.split(separator: " ").last.flatMap { Double($0) }
        }
        return nil
    }

    @Test func labelExplosionIsCappedIntoOverflowAndReported() {
        var config = MetricsConfig()
        config.maxSeriesPerFamily = 50
        config.evictionGraceSeconds = 60
        let metrics = AgentMetrics(config: config)
        let t0: Int64 = 1_000_000_000_000
        // 1,000 distinct process names, as a fork bomb of random names would bring.
        for i in 0..<1000 {
            metrics.increment("swiftbpf_agent_execs_total", [("comm", "p\(i)"), ("unit", ""), ("container", "")], now: t0)
        }
        #expect(metrics.seriesCounts()["swiftbpf_agent_execs_total"] == 50)
        metrics.evictStale(now: t0)   // also publishes the series gauges
        let text = String(decoding: metrics.render(), as: UTF8.self)
        let execLines = text.split(separator: "\n").filter { $0.hasPrefix("swiftbpf_agent_execs_total{") }
        #expect(execLines.count == 51, "50 series and the overflow one, got \(execLines.count)")
        let overflow = #"swiftbpf_agent_execs_total{comm="__overflow__",unit="__overflow__",container="__overflow__"}"#
        #expect(Self.sample(text, overflow) == 950, "the 950 label sets over the cap count in the overflow series")
        #expect(Self.sample(text, #"swiftbpf_agent_series_overflow_total{family="swiftbpf_agent_execs_total"}"#) == 950)
        #expect(Self.sample(text, #"swiftbpf_agent_series{family="swiftbpf_agent_execs_total"}"#) == 50)
        // A series already present keeps counting in its own series, not the overflow.
        metrics.increment("swiftbpf_agent_execs_total", [("comm", "p7"), ("unit", ""), ("container", "")], now: t0)
        let again = String(decoding: metrics.render(), as: UTF8.self)
        #expect(Self.sample(again, #"swiftbpf_agent_execs_total{comm="p7",unit="",container=""}"#) == 2)

        // The processes are gone: past the grace period their series are evicted, counted, and
        // the family has room for new label sets again.
        let evicted = metrics.evictStale(now: t0 + 61_000_000_000)
        #expect(evicted == 50)
        #expect(metrics.seriesCounts()["swiftbpf_agent_execs_total"] == 0)
        metrics.increment("swiftbpf_agent_execs_total", [("comm", "newcomer"), ("unit", ""), ("container", "")], now: t0 + 62_000_000_000)
        let after = String(decoding: metrics.render(), as: UTF8.self)
        #expect(Self.sample(after, #"swiftbpf_agent_series_evicted_total{family="swiftbpf_agent_execs_total"}"#) == 50)
        #expect(Self.sample(after, #"swiftbpf_agent_execs_total{comm="newcomer",unit="",container=""}"#) == 1)
        #expect(!after.contains(#"comm="p7""#), "an evicted series leaves the exposition")
    }

    @Test(.enabled(if: isRoot, "loading BPF programs needs root"))
    func overBudgetShedsLowestPriorityAndCalmRestoresIt() async throws {
        let config = AgentConfig.testing(["exec", "exit"]) {
            $0.collectors["exec"]?.priority = 90
            $0.collectors["exit"]?.priority = 20
            // A budget whose checks only this test's synthetic readings reach (the agent's
            // own ticks come a million seconds too early).
            $0.governor.cpuPercent = 50
            $0.governor.intervalSeconds = 1_000_000
        }
        try await RunningAgent.with(config) { running in
            let agent = running.agent
            let exitIDs = agent.collectors.snapshot["exit"]?.collector?.programs.compactMap { try? $0.program.info().id } ?? []
            #expect(!exitIDs.isEmpty, "exit did not start: \(agent.collectors.snapshot["exit"]?.error ?? "")")
            let base = (Clocks.now(CLOCK_MONOTONIC) + 2_000_000 * 1_000_000_000, ProcessStats.read()?.cpuSeconds ?? 0)
            func observe(after seconds: Double, cpuSeconds: Double) {
                let stats = ProcessStats(residentBytes: 10 << 20, cpuSeconds: base.1 + cpuSeconds)
                agent.governor.observe(stats: stats, now: base.0 + Int64(seconds * 1e9), collectors: agent.collectors, metrics: agent.metrics)
            }
            observe(after: 0, cpuSeconds: 0)                       // the first reading: a baseline
            observe(after: 1_000_000, cpuSeconds: 900_000)         // 90 % of a core against 50 %
            #expect(agent.collectors.snapshot["exit"]?.state == .shed)
            #expect(agent.collectors.snapshot["exec"]?.state == .running, "the higher priority stays")
            let governor = try await TestHTTP.get(running.port, "/api/v1/governor").body
            #expect(governor.contains(#""shed":["exit"]"#) && governor.contains("cpu 90.00% > budget 50.00%"), "\(governor)")
            // Shedding released the collector's programs.
            let gone = await eventually(timeout: 10) { Set((try? Program.allIDs()) ?? exitIDs).isDisjoint(with: exitIDs) ? true : nil }
            #expect(gone == true, "the shed collector's programs stayed in the kernel")
            agent.tick()
            let metrics = try await TestHTTP.get(running.port, "/metrics").body
            #expect(Self.sample(metrics, #"swiftbpf_agent_collector_shed{collector="exit"}"#) == 1)
            #expect(Self.sample(metrics, #"swiftbpf_agent_governor_decisions_total{action="shed",collector="exit"}"#) == 1)

            // Three calm checks (under half the budget): exit comes back.
            for i in 2...4 { observe(after: Double(i) * 1_000_000, cpuSeconds: 900_000 + Double(i - 1) * 10_000) }
            #expect(agent.collectors.snapshot["exit"]?.state == .running)
            let decisions = agent.governor.decisions.map { "\($0.action) \($0.collector)" }
            #expect(decisions == ["shed exit", "restore exit"])
        }
    }

    @Test(.enabled(if: isRoot, "loading BPF programs needs root"))
    func mapOccupancyIsReported() async throws {
        try await RunningAgent.with(.testing(["exec"])) { running in
            // The first tick walks the hash maps; execsnoop's `pending` holds 4,096 execs.
            let capacity = #"swiftbpf_agent_map_capacity{collector="exec",map="pending"}"#
            let text = await eventually(timeout: 10) { () -> String? in
                let body = (try? await TestHTTP.get(running.port, "/metrics").body) ?? ""
                return body.contains(capacity) ? body : nil
            }
            #expect(text.flatMap { Self.sample($0, capacity) } == 4096, "no \(capacity) 4096")
            let entries = text.flatMap { Self.sample($0, #"swiftbpf_agent_map_entries{collector="exec",map="pending"}"#) }
            #expect(entries != nil && entries! >= 0 && entries! <= 4096)
        }
    }
}
