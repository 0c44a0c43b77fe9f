import Foundation
import Glibc
import Testing
@testable import SwiftBPFAgent

/// The `http` and `sslsniff` collectors with real TLS traffic on loopback: curl (OpenSSL's
/// libssl) against the kernel tests' HTTPS server (Python's ssl over the same libssl), both
/// sides seen. (Not `openssl s_server -www`: it reads and writes through its SSL BIO, which in
/// OpenSSL 3.0 calls libssl's internal read/write functions; no probed call of it was seen here.)
@Suite(.serialized, .enabled(if: isRoot, "loading BPF programs needs root"),
       .enabled(if: TLSTools.available, "\(TLSTools.missing ?? "")"), .timeLimit(.minutes(2)))
struct TLSCollectorTests {
    static func value(_ line: Substring) -> Double? { line.split(separator: " ").last.flatMap { Double($0) } }

    /// The value of the series `prefix` (the whole name with its labels) once it reaches `atLeast`.
    static func series(_ running: RunningAgent, _ prefix: String, atLeast: Double, timeout: Double = 15) async -> Double? {
        await eventually(timeout: timeout) { () -> Double? in
            let body = (try? await TestHTTP.get(running.port, "/metrics").body) ?? ""
            return body.split(separator: "\n").first { $0.hasPrefix(prefix + " ") }.flatMap(Self.value).flatMap { $0 >= atLeast ? $0 : nil }
        }
    }

    @Test func httpsRequestsBecomeMetricsAndEvents() async throws {
        let dir = TempDir("http")
        defer { dir.cleanup() }
        let server = try await TLSHTTPServer(try TestCertificate(dir))
        defer { server.stop() }
        // TLS only: plain sockets of everything else on the machine are not this test's.
        let config = AgentConfig.testing(["http"]) { $0.collectors["http"]?.options["plain"] = "false" }
        try await RunningAgent.with(config) { running in
            let state = running.agent.collectors.snapshot["http"]
            try #require(state?.state == .running, "http did not start: \(state?.error ?? "")")
            let marker = "sbagent\(UInt32.random(in: 100_000...999_999))"
            let paths = ["/\(marker)/17", "/\(marker)/42?token=secret", "/status/404"]
            // One connection, three requests (keep-alive).
            let status = shell("'\(TLSTools.curl!)' -sk --http1.1 --max-time 10 -o /dev/null -o /dev/null -o /dev/null "
                               + paths.map { "'https://127.0.0.1:\(server.port)\($0)'" }.joined(separator: " "), timeout: 20)
            #expect(status == 0, "curl failed: \(status)")
            let route = "/\(marker)/{id}"
            let client = #"swiftbpf_agent_http_requests_total{service="curl",role="client",method="GET",route="\#(route)",status_class="2xx"}"#
            #expect(await Self.series(running, client, atLeast: 2) == 2, "\(client) should be 2")
            let serverSide = #"swiftbpf_agent_http_requests_total{service="python3",role="server",method="GET",route="\#(route)",status_class="2xx"}"#
            #expect(await Self.series(running, serverSide, atLeast: 2) == 2, "\(serverSide) should be 2")
            let notFound = #"swiftbpf_agent_http_requests_total{service="curl",role="client",method="GET",route="/status/{id}",status_class="4xx"}"#
            #expect(await Self.series(running, notFound, atLeast: 1) != nil, "no \(notFound)")
            let latency = #"swiftbpf_agent_http_latency_microseconds_count{service="curl",role="client",route="\#(route)"}"#
            #expect(await Self.series(running, latency, atLeast: 2) == 2, "\(latency): two observations")

            // The events: redacted target, the status and sizes the server logged.
            let events = running.agent.hub.recent(EventQuery(kind: "http_request", limit: 10_000))
                .filter { $0.fields["route"] == route && $0.fields["role"] == "client" }
            #expect(events.count == 2)
            let logged = server.log.first { $0.count == 5 && $0[1] == paths[1] }
            let second = events.first { $0.fields["target"]?.hasPrefix("/\(marker)/42") == true }
            #expect(second?.fields["target"] == "/\(marker)/42?token=[REDACTED]", "query values are masked: \(second?.fields ?? [:])")
            #expect(second?.fields["status"] == "200" && second?.fields["tls"] == "true")
            #expect(logged != nil && second?.fields["response_bytes"] == logged?[4], "response bytes \(second?.fields ?? [:]) vs the server's \(logged ?? [])")
            #expect(second?.fields["remote"] == "127.0.0.1:\(server.port)")
            let metrics = try await TestHTTP.get(running.port, "/metrics").body
            #expect(metrics.contains(#"swiftbpf_agent_events_lost_total{collector="http"}"#), "losses are reported, also when 0")
            #expect(metrics.contains("swiftbpf_agent_http_connections "), "the connections gauge, set at the reader's first round")
        }
    }

    @Test func tlsCallsBecomeEventsWithMaskedPlaintext() async throws {
        let dir = TempDir("sslsniff")
        defer { dir.cleanup() }
        let server = try await TLSHTTPServer(try TestCertificate(dir))
        defer { server.stop() }
        let config = AgentConfig.testing(["sslsniff"]) { $0.collectors["sslsniff"]?.options["max_bytes"] = "512" }
        try await RunningAgent.with(config) { running in
            let state = running.agent.collectors.snapshot["sslsniff"]
            try #require(state?.state == .running, "sslsniff did not start: \(state?.error ?? "")")
            let marker = "sbtls\(UInt32.random(in: 100_000...999_999))"
            let status = shell("'\(TLSTools.curl!)' -sk --http1.1 --max-time 10 -o /dev/null -H 'Authorization: Bearer sekrit-\(marker)' "
                               + "'https://127.0.0.1:\(server.port)/\(marker)'", timeout: 20)
            #expect(status == 0, "curl failed: \(status)")
            // The request as curl wrote it (SSL_write) and as the server read it (SSL_read_ex).
            let request = { (e: AgentEvent) in e.fields["data"]?.hasPrefix("GET /\(marker) ") == true }
            let serverPID = UInt32(server.child.process.processIdentifier)
            let found = await eventually(timeout: 15) { () -> (AgentEvent, AgentEvent)? in
                let all = running.agent.hub.recent(EventQuery(limit: 10_000))
                guard let write = all.first(where: { $0.kind == "tls_write" && $0.comm == "curl" && request($0) }),
                      let read = all.first(where: { $0.kind == "tls_read" && $0.pid == serverPID && request($0) }) else { return nil }
                return (write, read)
            }
            let seen = Dictionary(grouping: running.agent.hub.recent(EventQuery(limit: 10_000)), by: { "\($0.kind) \($0.comm)" }).mapValues(\.count)
            try #require(found != nil, "no tls_write of curl and tls_read of the server carrying GET /\(marker); events: \(seen)")
            let (write, read) = found!
            #expect(write.fields["library"] == "openssl" && write.fields["len"] == read.fields["len"], "\(write.fields) / \(read.fields)")
            #expect(write.fields["data"]?.contains("Authorization: [REDACTED]") == true, "credential headers are masked")
            #expect(write.fields["data"]?.contains("sekrit") == false && read.fields["data"]?.contains("sekrit") == false)
            #expect(write.fields["remote"] == "127.0.0.1:\(server.port)" && read.fields["local"] == "127.0.0.1:\(server.port)")
            let length = Double(write.fields["len"] ?? "") ?? 1
            let bytes = #"swiftbpf_agent_tls_bytes_total{comm="curl",library="openssl",direction="write"}"#
            #expect(await Self.series(running, bytes, atLeast: length) != nil, "\(bytes) should count the request's \(Int(length)) bytes")
            let handshakes = #"swiftbpf_agent_tls_handshakes_total{comm="curl",library="openssl"}"#
            #expect(await Self.series(running, handshakes, atLeast: 1) != nil, "curl's completed handshake: \(seen)")
            let metrics = try await TestHTTP.get(running.port, "/metrics").body
            #expect(metrics.contains(#"swiftbpf_agent_events_lost_total{collector="sslsniff"}"#))
            #expect(metrics.contains("swiftbpf_agent_tls_libraries_probed"))
        }
    }
}
