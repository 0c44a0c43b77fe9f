import Foundation
import Glibc

/// What the TLS collector tests run: Debian's openssl (certificates, `s_server`), curl (the
/// client, linked with OpenSSL's libssl) and python3 with the HTTP/1.1 test server of the
/// kernel tests (`Tests/BPFKernelTests/TLSHelpers/http_test_server.py`).
enum TLSTools {
    static let openssl = which("openssl")
    static let curl = which("curl")
    /// Debian's python3 first (a pyenv shim is a script that execs another python).
    static let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : which("python3")
    static let serverScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("BPFKernelTests/TLSHelpers/http_test_server.py").path

    /// Nil when everything is there, else what is missing (the reason of a skip).
    static var missing: String? {
        var gone: [String] = []
        if openssl == nil { gone.append("openssl") }
        if curl == nil { gone.append("curl") }
        if python == nil { gone.append("python3") }
        if !FileManager.default.fileExists(atPath: serverScript) { gone.append(serverScript) }
        return gone.isEmpty ? nil : "needs " + gone.joined(separator: ", ") + " (Scripts/setup-host.sh installs openssl, curl and python3)"
    }

    static var available: Bool { missing == nil }
}

/// A self-signed certificate for 127.0.0.1 in a temporary folder.
struct TestCertificate {
    let dir: TempDir
    var cert: String { dir.path + "/cert.pem" }
    var key: String { dir.path + "/key.pem" }

    init(_ dir: TempDir) throws {
        self.dir = dir
        let status = shell("'\(TLSTools.openssl!)' req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
                           + "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout '\(dir.path)/key.pem' "
                           + "-out '\(dir.path)/cert.pem' >/dev/null 2>&1", timeout: 30)
        guard status == 0 else { throw TestError("openssl req failed (status \(status))") }
    }
}

/// The kernel tests' HTTP/1.1 server over TLS on 127.0.0.1 (keep-alive; /status/S answers S,
/// anything else 200), logging "METHOD TARGET STATUS REQUEST_BYTES RESPONSE_BYTES" per response.
final class TLSHTTPServer: Sendable {
    let child: Child
    let port: Int
    let outdir: String

    init(_ certificate: TestCertificate) async throws {
        outdir = certificate.dir.path
        let child = try Child(TLSTools.python!, [TLSTools.serverScript, "--outdir", outdir, "--cert", certificate.cert,
                                                 "--key", certificate.key], log: outdir + "/server.out")
        self.child = child
        // It prints its port first.
        var found = 0
        try await child.waitReady("the TLS test server", timeout: 20) {
            guard let line = child.log.split(separator: "\n").first, let p = Int(line) else { return false }
            found = p
            return true
        }
        port = found
    }

    /// The server's log lines, split into fields.
    var log: [[String]] {
        ((try? String(contentsOfFile: outdir + "/log", encoding: .utf8)) ?? "").split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
    }

    func stop() { child.stop() }
}
