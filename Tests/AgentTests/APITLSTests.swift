import Foundation
import Testing
@testable import SwiftBPFAgent

/// The API over HTTPS (`tls_cert_file`, `tls_key_file`) bound off loopback with a token: curl
/// verifies the agent's certificate and gets the status with the token, 401 without it; plain
/// HTTP on that port gets no answer; half a TLS setting and a file that is no PEM are refused
/// with the key's name.
@Suite(.serialized, .enabled(if: isRoot, "the agent's tests run as root"),
       .enabled(if: TLSTools.openssl != nil && TLSTools.curl != nil, "needs openssl and curl"), .timeLimit(.minutes(2)))
struct APITLSTests {
    /// curl's HTTP status and body for `url` (the certificate verified against `cacert`).
    static func curl(_ url: String, cacert: String, headers: [String] = [], dir: String) async throws -> (code: Int, body: String) {
        let body = dir + "/body-\(UInt32.random(in: 0...UInt32.max))"
        let args = ["-s", "--max-time", "10", "--cacert", cacert, "-o", body, "-w", "%{http_code}"] + headers.flatMap { ["-H", $0] } + [url]
        let code = try await offPool { output(of: TLSTools.curl!, args, timeout: 20) }
        return (Int(code ?? "") ?? 0, (try? String(contentsOfFile: body, encoding: .utf8)) ?? "")
    }

    @Test func httpsOffLoopbackWithToken() async throws {
        let dir = TempDir("api-tls")
        defer { dir.cleanup() }
        let certificate = try TestCertificate(dir)
        let token = "t0ken-\(UInt64.random(in: 0...UInt64.max))"
        try token.write(toFile: dir.path + "/token", atomically: true, encoding: .utf8)
        let config = AgentConfig.testing([]) {
            // Every address (a non-loopback bind); the test's own requests go to 127.0.0.1.
            $0.listen = ListenAddress(host: "0.0.0.0", port: 0)
            $0.tokenFile = dir.path + "/token"
            $0.tlsCertFile = certificate.cert
            $0.tlsKeyFile = certificate.key
        }
        try await RunningAgent.with(config) { running in
            let base = "https://127.0.0.1:\(running.port)"
            let with = try await Self.curl(base + "/api/v1/status", cacert: certificate.cert, headers: ["Authorization: Bearer \(token)"], dir: dir.path)
            #expect(with.code == 200, "HTTPS with the token: \(with)")
            #expect(with.body.contains("\"tls\":true") && with.body.contains("\"auth\":\"bearer\""), "\(with.body)")
            let metrics = try await Self.curl(base + "/metrics", cacert: certificate.cert, headers: ["Authorization: Bearer \(token)"], dir: dir.path)
            #expect(metrics.code == 200 && metrics.body.contains("swiftbpf_agent_resident_memory_bytes"))
            let without = try await Self.curl(base + "/api/v1/status", cacert: certificate.cert, dir: dir.path)
            #expect(without.code == 401, "HTTPS without the token: \(without.code)")
            #expect(running.log.text.contains("refused"), "the 401 is logged")
            // Plain HTTP to the HTTPS port: the TLS layer refuses it, no API answer comes back.
            let plain = try? await TestHTTP.get(running.port, "/api/v1/status", headers: ["Authorization": "Bearer \(token)"], timeout: 5)
            #expect(plain?.status != 200, "plain HTTP must not reach the API: \(plain.map { "\($0.status)" } ?? "no reply")")
        }
    }

    @Test func incompleteOrBadTLSSettingsAreRefused() throws {
        let dir = TempDir("api-tls-bad")
        defer { dir.cleanup() }
        #expect(throws: ConfigError.self) { try AgentConfig.parse(yaml: "tls_cert_file: /tmp/x.pem\n") }
        let parsed = try AgentConfig.parse(yaml: "tls_cert_file: /etc/a.pem\ntls_key_file: /etc/a.key\n")
        #expect(parsed.tlsCertFile == "/etc/a.pem" && parsed.tlsKeyFile == "/etc/a.key")
        try "not a certificate\n".write(toFile: dir.path + "/bad.pem", atomically: true, encoding: .utf8)
        var config = AgentConfig.testing([])
        config.tlsCertFile = dir.path + "/bad.pem"
        config.tlsKeyFile = dir.path + "/bad.pem"
        do {
            _ = try Agent(config: config, logger: .init(label: "t"))
            Issue.record("an agent with a certificate file that is not PEM must not start")
        } catch {
            #expect("\(error)".contains("tls_cert_file") && "\(error)".contains("bad.pem"), "\(error)")
        }
    }
}
