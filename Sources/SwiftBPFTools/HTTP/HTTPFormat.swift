import ToolText
/// Output of `swiftbpf http`'s stream mode: one line (or JSON object) per request/response.
public enum HTTPFormat {
    public static func header() -> String {
        pad("COMM", 16) + leftPad("PID", 8) + " " + pad("ROLE", 7) + pad("TLS", 4) + pad("METHOD", 8) + leftPad("STATUS", 6) + leftPad("REQ_B", 9)
            + leftPad("RESP_B", 10) + leftPad("LAT(ms)", 10) + "  " + pad("REMOTE", 22) + "TARGET"
    }

    public static func line(_ e: HTTPExchange, redact: Bool) -> String {
        pad(e.comm, 16) + leftPad("\(e.tgid)", 8) + " " + pad(e.role.rawValue, 7) + pad(e.tls ? "yes" : "no", 4) + pad(e.method, 8)
            + leftPad("\(e.status)", 6) + leftPad("\(e.request.totalBytes)", 9) + leftPad("\(e.response.totalBytes)", 10)
            + leftPad(milliseconds(e.latencyNanoseconds), 10) + "  " + pad(e.remote ?? "-", 22)
            + (redact ? HTTPRedaction.target(e.target) : e.target)
    }

    /// One exchange as JSON: time (s), comm, pid, tid, role, tls, method, target, route, status,
    /// request_bytes, response_bytes (heads and bodies), latency_ns, local, remote, complete;
    /// with `headers`, request_headers and response_headers (redacted unless asked not to).
    public static func json(_ e: HTTPExchange, route: String, redact: Bool, headers: Bool, seconds: Double? = nil) -> String {
        var fields: [(String, String)] = []
        if let seconds { fields.append(("time", String(Double(Int(seconds * 1000)) / 1000))) }
        fields += [
            ("comm", JSON.string(e.comm)), ("pid", "\(e.tgid)"), ("tid", "\(e.tid)"), ("role", JSON.string(e.role.rawValue)),
            ("tls", "\(e.tls)"), ("method", JSON.string(e.method)),
            ("target", JSON.string(redact ? HTTPRedaction.target(e.target) : e.target)), ("route", JSON.string(route)),
            ("status", "\(e.status)"), ("request_bytes", "\(e.request.totalBytes)"), ("response_bytes", "\(e.response.totalBytes)"),
            ("request_body_bytes", "\(e.request.bodyBytes)"), ("response_body_bytes", "\(e.response.bodyBytes)"),
            ("latency_ns", "\(e.latencyNanoseconds)"), ("complete", "\(e.request.complete && e.response.complete)"),
        ]
        if let l = e.local { fields.append(("local", JSON.string(l))) }
        if let r = e.remote { fields.append(("remote", JSON.string(r))) }
        if headers {
            let show = { (h: [HTTPHeader]) -> String in
                "[" + (redact ? HTTPRedaction.headers(h) : h).map { "[\(JSON.string($0.name)),\(JSON.string($0.value))]" }.joined(separator: ",") + "]"
            }
            fields.append(("request_headers", show(e.request.head.headers)))
            fields.append(("response_headers", show(e.response.head.headers)))
        }
        return JSON.object(fields)
    }

    static func milliseconds(_ ns: UInt64) -> String {
        let us = ns / 1000
        let frac = String(us % 1000)
        return "\(us / 1000)." + String(repeating: "0", count: 3 - frac.count) + frac
    }

    static func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s + " " : s + String(repeating: " ", count: w - s.count) }
    static func leftPad(_ s: String, _ w: Int) -> String { s.count >= w ? " " + s : String(repeating: " ", count: w - s.count) + s }
}
