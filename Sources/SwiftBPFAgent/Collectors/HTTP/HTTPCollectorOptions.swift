import SwiftBPFTools

/// The `http` collector's options, read and checked from its config.
struct HTTPCollectorOptions: Sendable {
    /// Trace TLS plaintext (uprobes on OpenSSL and GnuTLS).
    var tls = true
    /// Trace plain TCP sockets (read/write/sendto/recvfrom payloads).
    var plain = true
    /// Bytes captured per call: a message's head must fit.
    var maxBytes = HTTPTracer.defaultCaptureBytes
    /// More files to probe for TLS (programs that link OpenSSL or GnuTLS statically).
    var binaries: [String] = []
    /// Route templates such as `/users/{id}/posts`, matched before ids are collapsed.
    var templates: [String] = []
    var collapseIDs = true
    /// Mask query values in the events' `target`.
    var redact = true
    /// Connections idle this long are forgotten (a response running until the close ends there).
    var idleSeconds: Double = 30
    /// Latency histogram series (service, role, route) at most; beyond, the route is `{other}`.
    var maxHistograms = 500

    init(_ c: CollectorConfig) throws(ConfigError) {
        let n = "http"
        tls = try c.boolOption(n, "tls") ?? tls
        plain = try c.boolOption(n, "plain") ?? plain
        guard tls || plain else { throw ConfigError("collectors.http.options: tls and plain are both false; nothing to trace") }
        if let bytes = try c.intOption(n, "max_bytes", in: 64...Int(SSLSniff.maximumCaptureBytes)) { maxBytes = UInt32(bytes) }
        binaries = c.listOption("binaries")
        templates = c.listOption("templates")
        collapseIDs = try c.boolOption(n, "collapse_ids") ?? collapseIDs
        redact = try c.boolOption(n, "redact") ?? redact
        idleSeconds = try c.secondsOption(n, "idle_seconds", in: 1...3600) ?? idleSeconds
        maxHistograms = try c.intOption(n, "max_histograms", in: 1...100_000) ?? maxHistograms
        do {
            _ = try RouteTemplates(templates: templates)
        } catch {
            throw ConfigError("collectors.http.options.templates: \(error)")
        }
    }
}
