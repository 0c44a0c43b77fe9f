/// Parses the head of an HTTP/1.x message (start line and headers, RFC 9112) from bytes that
/// may come from anyone: every field is checked, nothing is trusted to be ASCII or bounded
/// beyond the limits given, and anything ambiguous (line folding, conflicting lengths) is
/// rejected rather than guessed. Pure.
public enum HTTPHeadParser {
    /// Why a head was rejected.
    public struct Failure: Error, Equatable, CustomStringConvertible {
        public var description: String
        init(_ d: String) { description = d }
    }

    /// How the body after a head is delimited.
    public enum BodyFraming: Equatable, Sendable {
        case none
        case length(Int)
        case chunked
        /// Until the connection closes (a response with neither length nor chunking).
        case untilClose
        /// The connection switched protocols (101): what follows is not HTTP/1.x.
        case switched
    }

    /// The most headers a message may have.
    public static let maxHeaders = 128
    /// The largest Content-Length accepted (1 TiB): larger values are treated as hostile.
    public static let maxContentLength = 1 << 40

    /// Parses `bytes`, a complete head ending with an empty line.
    public static func parse(_ bytes: ArraySlice<UInt8>) throws(Failure) -> HTTPHead {
        var lines: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        var i = bytes.startIndex
        while i < bytes.endIndex {
            if bytes[i] == 0x0A {
                var end = i
                if end > start, bytes[end - 1] == 0x0D { end -= 1 }
                lines.append(bytes[start..<end])
                start = i + 1
            }
            i += 1
        }
        // The last line is the empty one that ends the head.
        guard let last = lines.last, last.isEmpty, lines.count >= 2 else { throw Failure("the head does not end with an empty line") }
        lines.removeLast()
        guard lines.count - 1 <= maxHeaders else { throw Failure("more than \(maxHeaders) header lines") }
        var headers: [HTTPHeader] = []
        headers.reserveCapacity(lines.count - 1)
        for line in lines.dropFirst() { headers.append(try header(line)) }
        let first = lines[0]
        if first.starts(with: Array("HTTP/".utf8)) {
            let (version, status, reason) = try statusLine(first)
            return .response(version: version, status: status, reason: reason, headers: headers)
        }
        let (method, target, version) = try requestLine(first)
        return .request(method: method, target: target, version: version, headers: headers)
    }

    /// `tchar` of RFC 9110: the characters of a method or a header name.
    static func isTokenChar(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: Array("!#$%&'*+-.^_`|~".utf8).contains(c)
        }
    }

    /// Whether `prefix` (the first bytes of a message) can still begin a request or status line:
    /// a method token followed by a space, or `HTTP/`. Lets a stream drop bytes that are not
    /// HTTP (ciphertext, another protocol) after a few bytes instead of buffering them.
    public static func isPlausibleStart(_ prefix: ArraySlice<UInt8>) -> Bool {
        let http = Array("HTTP/1.".utf8)
        if prefix.count <= http.count, prefix.elementsEqual(http.prefix(prefix.count)) { return true }
        if prefix.starts(with: http) {
            let minor = prefix[prefix.startIndex + http.count]
            return minor == UInt8(ascii: "0") || minor == UInt8(ascii: "1")
        }
        // A method: upper-case letters (every registered method is), then a space.
        var n = 0
        for c in prefix {
            if c == UInt8(ascii: " ") { return n > 0 }
            guard c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") else { return false }
            n += 1
            if n > 24 { return false }
        }
        return true
    }

    static func requestLine(_ line: ArraySlice<UInt8>) throws(Failure) -> (String, String, String) {
        let parts = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw Failure("a request line needs METHOD SP target SP version") }
        let method = parts[0], target = parts[1], version = parts[2]
        guard !method.isEmpty, method.count <= 24, method.allSatisfy(isTokenChar) else { throw Failure("invalid method") }
        guard !target.isEmpty, target.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else { throw Failure("invalid request target") }
        guard isVersion(version) else { throw Failure("not HTTP/1.0 or HTTP/1.1") }
        return (text(method), text(target), text(version))
    }

    static func statusLine(_ line: ArraySlice<UInt8>) throws(Failure) -> (String, Int, String) {
        // HTTP/1.x SP 3DIGIT SP reason (the reason may be empty, and the space before it is
        // sometimes left out).
        guard line.count >= 12 else { throw Failure("status line too short") }
        let s = line.startIndex
        let version = line[s..<s + 8]
        guard isVersion(version), line[s + 8] == UInt8(ascii: " ") else { throw Failure("not HTTP/1.0 or HTTP/1.1") }
        let digits = line[s + 9..<s + 12]
        guard digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { throw Failure("status is not three digits") }
        let status = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        guard status >= 100 && status <= 599 else { throw Failure("status \(status) is out of range") }
        var reason = line[(s + 12)...]
        if let f = reason.first {
            guard f == UInt8(ascii: " ") else { throw Failure("no space after the status") }
            reason = reason.dropFirst()
        }
        guard reason.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else { throw Failure("control character in the reason") }
        return (text(version), status, text(reason))
    }

    static func isVersion(_ v: ArraySlice<UInt8>) -> Bool {
        v.elementsEqual(Array("HTTP/1.1".utf8)) || v.elementsEqual(Array("HTTP/1.0".utf8))
    }

    static func header(_ line: ArraySlice<UInt8>) throws(Failure) -> HTTPHeader {
        guard let first = line.first else { throw Failure("empty header line") }
        // obs-fold: a continuation line. Rejected (RFC 9112 §5.2 lets a recipient do so).
        guard first != 0x20, first != 0x09 else { throw Failure("folded header line") }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw Failure("header line without a colon") }
        let name = line[line.startIndex..<colon]
        guard !name.isEmpty, name.allSatisfy(isTokenChar) else { throw Failure("invalid header name") }
        var value = line[(colon + 1)...]
        while let c = value.first, c == 0x20 || c == 0x09 { value = value.dropFirst() }
        while let c = value.last, c == 0x20 || c == 0x09 { value = value.dropLast() }
        guard value.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else { throw Failure("control character in header \(text(name))") }
        return HTTPHeader(text(name), text(value))
    }

    /// How the body of `head` is delimited. `requestMethod` is the method of the request a
    /// response answers, when known (a response to HEAD has no body).
    public static func framing(of head: HTTPHead, requestMethod: String? = nil) throws(Failure) -> BodyFraming {
        var chunked = false
        var length: Int?
        for h in head.headers {
            switch h.name.lowercased() {
            case "transfer-encoding":
                // The last coding decides; chunked must be last when present.
                let codings = h.value.lowercased().split(separator: ",").map { $0.trimmingSpaces() }
                chunked = codings.last == "chunked"
            case "content-length":
                for part in h.value.split(separator: ",", omittingEmptySubsequences: false) {
                    let p = part.trimmingSpaces()
                    guard !p.isEmpty, p.count <= 13, p.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                          let n = Int(p), n <= maxContentLength else { throw Failure("invalid Content-Length '\(h.value)'") }
                    if let length, length != n { throw Failure("conflicting Content-Length values") }
                    length = n
                }
            default: break
            }
        }
        switch head {
        case .request:
            if chunked { return .chunked }
            return length.map { $0 == 0 ? .none : .length($0) } ?? .none
        case let .response(_, status, _, _):
            if status == 101 { return .switched }
            if status < 200 || status == 204 || status == 304 || requestMethod == "HEAD" { return .none }
            if requestMethod == "CONNECT" && status < 300 { return .switched }
            if chunked { return .chunked }
            if let length { return length == 0 ? .none : .length(length) }
            return .untilClose
        }
    }

    static func text(_ b: ArraySlice<UInt8>) -> String { String(decoding: b, as: UTF8.self) }
}

extension Substring {
    func trimmingSpaces() -> String {
        var s = self[...]
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return String(s)
    }
}
