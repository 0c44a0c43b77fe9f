/// Masks secrets in what the HTTP tools print: the values of credential headers, and the
/// values of query parameters. On by default for `swiftbpf http`. Pure.
public enum HTTPRedaction {
    /// Header names whose values are replaced (lower case).
    public static let sensitiveHeaders: Set<String> = [
        "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-auth-token",
        "x-csrf-token", "x-xsrf-token", "api-key",
    ]

    public static let mask = "[REDACTED]"

    /// `headers` with the values of sensitive ones masked.
    public static func headers(_ headers: [HTTPHeader]) -> [HTTPHeader] {
        headers.map { sensitiveHeaders.contains($0.name.lowercased()) ? HTTPHeader($0.name, mask) : $0 }
    }

    /// `target` with every query value masked: `/a?token=abc&x` → `/a?token=[REDACTED]&x`.
    public static func target(_ target: String) -> String {
        guard let q = target.firstIndex(of: "?") else { return target }
        let path = String(target[..<q])
        let query = String(target[target.index(after: q)...])
        let parts = query.split(separator: "&", omittingEmptySubsequences: false).map { (p: Substring) -> String in
            guard let eq = p.firstIndex(of: "=") else { return String(p) }
            return String(p[p.startIndex..<eq]) + "=" + mask
        }
        return path + "?" + parts.joined(separator: "&")
    }

    /// Text of a captured payload with the values of sensitive header lines masked (for
    /// sslsniff --redact): a line `Name: value` whose name is sensitive keeps only its name.
    public static func payload(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var lineStart = 0
        var i = 0
        while i <= bytes.count {
            if i == bytes.count || bytes[i] == 0x0A {
                let line = bytes[lineStart..<i]
                if let colon = line.firstIndex(of: UInt8(ascii: ":")), colon - lineStart <= 64,
                   sensitiveHeaders.contains(String(decoding: line[lineStart..<colon], as: UTF8.self).lowercased()) {
                    out += line[lineStart...colon]
                    out += Array((" " + mask).utf8)
                    if line.last == 0x0D { out.append(0x0D) }
                } else {
                    out += line
                }
                if i < bytes.count { out.append(0x0A) }
                lineStart = i + 1
            }
            i += 1
        }
        return out
    }
}
