import Foundation
import Testing
@testable import SwiftBPFAgent

/// A real Prometheus server (Debian's `prometheus`, installed by .ci/run) scrapes the agent on
/// loopback; the test asks Prometheus's HTTP API for the exec counter of a marker binary it ran
/// and for the run-queue latency histogram.
@Suite(.serialized, .enabled(if: isRoot, "loading BPF programs needs root"), .timeLimit(.minutes(3)))
struct PrometheusScrapeTests {
    static let prometheus = which("prometheus", extra: ["/usr/bin/prometheus"])

    @Test(.enabled(if: prometheus != nil, "prometheus is not installed (apt-get install prometheus; .ci/run does)"))
    func prometheusScrapesExecCounterAndHistogram() async throws {
        let dir = TempDir("prom")
        defer { dir.cleanup() }
        try await RunningAgent.with(.testing(["exec", "runqlat"])) { running in
            let promPort = freePort()
            try """
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: swiftbpf-agent
                static_configs:
                  - targets: ["127.0.0.1:\(running.port)"]
            """.write(toFile: dir.path + "/prometheus.yml", atomically: true, encoding: .utf8)
            let server = try Child(Self.prometheus!, [
                "--config.file=\(dir.path)/prometheus.yml", "--storage.tsdb.path=\(dir.path)/data",
                "--web.listen-address=127.0.0.1:\(promPort)",
            ], log: dir.path + "/prometheus.log")
            defer { server.stop() }
            try await server.waitReady("prometheus", timeout: 30) {
                (try? await TestHTTP.get(promPort, "/-/ready", timeout: 2))?.status == 200
            }

            let marker = try MarkerBinary(in: dir)
            try marker.run(7)

            func query(_ q: String) async -> String? {
                let encoded = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? q
                let reply = try? await TestHTTP.get(promPort, "/api/v1/query?query=\(encoded)")
                guard let reply, reply.status == 200 else { return nil }
                return reply.body
            }
            // The counter as Prometheus stored it: exactly the marker's seven execs.
            let counter = await eventually(timeout: 40) { () -> String? in
                guard let body = await query("swiftbpf_agent_execs_total{comm=\"\(marker.name)\"}") else { return nil }
                return body.contains("\"7\"") ? body : nil
            }
            #expect(counter != nil, "Prometheus never showed 7 execs of \(marker.name); prometheus log: \(server.log.suffix(800))")
            // The histogram: observations in its _count and cumulative buckets.
            let histogram = await eventually(timeout: 30) { () -> String? in
                guard let body = await query("swiftbpf_agent_runqlat_microseconds_count > 0") else { return nil }
                return body.contains("\"result\":[{") ? body : nil
            }
            #expect(histogram != nil, "no run-queue latency observations in Prometheus")
            let buckets = await query("count(last_over_time(swiftbpf_agent_runqlat_microseconds_bucket[1m]))")
            #expect(buckets?.contains("\"28\"") == true, "expected 28 buckets (le 0..2^26-1 and +Inf): \(buckets ?? "nil")")
            // Self-metrics arrive too. Queried over the last minute: a scrape that timed out on
            // a loaded machine marks every series stale, and an instant query then finds none.
            let rss = await query("last_over_time(swiftbpf_agent_resident_memory_bytes[1m])")
            #expect(rss?.contains("\"result\":[{") == true)
            let events = await query("last_over_time(swiftbpf_agent_events_total{collector=\"exec\"}[1m])")
            #expect(events?.contains("\"result\":[{") == true)
        }
    }
}
