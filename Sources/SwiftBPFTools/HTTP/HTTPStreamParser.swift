/// Splits one direction of a connection (the bytes one side wrote, or read, in order) into
/// HTTP/1.x messages: keep-alive and pipelined messages one after another, a head split across
/// many reads reassembled (up to `maxHeadBytes`), bodies delimited by Content-Length, chunked
/// coding or the connection's end. Bytes the tracer saw but could not capture (`missing`) are
/// counted through a body; lost inside a head they drop that message. Anything that is not
/// HTTP/1.x is skipped up to the end of the read or write that carried it, and parsing starts
/// again at the next one. Pure; the memory it keeps is bounded by `maxHeadBytes`.
public struct HTTPStreamParser: Sendable {
    /// What parsing a segment produced.
    public enum Output: Sendable, Equatable {
        /// A message whose head was parsed (complete, or ended early: see `HTTPMessage.complete`).
        case message(HTTPMessage)
        /// A head that was not valid HTTP/1.x, or bytes lost inside one.
        case invalid(String)
    }

    enum State: Sendable, Equatable {
        case idle
        case head
        case body(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
        /// After a 101 or a CONNECT: no more HTTP/1.x on this connection.
        case opaque
    }

    /// The largest head (start line and headers) reassembled.
    public let maxHeadBytes: Int
    /// The longest chunk-size or trailer line.
    static let maxLineBytes = 4096

    var state = State.idle
    var buffer: [UInt8] = []
    var current: HTTPMessage?
    /// Set when a head arrives with bytes missing inside it: the rest of that message is dropped.
    public private(set) var invalidCount = 0

    public init(maxHeadBytes: Int = 32 * 1024) {
        self.maxHeadBytes = maxHeadBytes
    }

    /// Whether a message is in progress (its head started, its body not finished).
    public var isInMessage: Bool { state != .idle && state != .opaque }

    /// Feeds the bytes of one read or write: `bytes` as captured, then `missing` bytes that
    /// were moved but not captured, at `time`. `requestMethod` is called once per final
    /// response head and tells the method of the request it answers (nil when unknown).
    public mutating func feed(_ bytes: some Collection<UInt8>, missing: Int = 0, time: UInt64,
                              requestMethod: () -> String? = { nil }) -> [Output] {
        var out: [Output] = []
        let data = Array(bytes)
        var i = 0
        while i < data.count {
            switch state {
            case .opaque:
                return out
            case .idle:
                // Empty lines between messages are tolerated (RFC 9112 §2.2).
                if data[i] == 0x0D || data[i] == 0x0A { i += 1; continue }
                state = .head
                buffer.removeAll(keepingCapacity: true)
                current = HTTPMessage(head: .request(method: "", target: "", version: "", headers: []), headBytes: 0, bodyBytes: 0,
                                      firstByteTime: time, lastByteTime: time, complete: true)
            case .head:
                let before = buffer.count
                var end: Int?
                while i < data.count {
                    let c = data[i]
                    buffer.append(c)
                    i += 1
                    if c == 0x0A, endsHead(buffer) { end = buffer.count; break }
                    if buffer.count > maxHeadBytes { break }
                }
                if before < 32, !HTTPHeadParser.isPlausibleStart(buffer.prefix(32)) {
                    // Not HTTP: drop the rest of this segment.
                    drop(&out, nil)
                    return out
                }
                guard let end else {
                    if buffer.count > maxHeadBytes {
                        drop(&out, "head longer than \(maxHeadBytes) bytes")
                        return out
                    }
                    continue
                }
                do throws(HTTPHeadParser.Failure) {
                    let head = try HTTPHeadParser.parse(buffer[0..<end])
                    // Only a final response answers (and so takes) a request.
                    var method: String?
                    if case let .response(_, status, _, _) = head, status >= 200 { method = requestMethod() }
                    let framing = try HTTPHeadParser.framing(of: head, requestMethod: method)
                    current?.head = head
                    current?.headBytes = end
                    current?.lastByteTime = time
                    buffer.removeAll(keepingCapacity: true)
                    switch framing {
                    case .none: finish(&out, complete: true)
                    case let .length(n): state = .body(remaining: n)
                    case .chunked: state = .chunkSize
                    case .untilClose: state = .untilClose
                    case .switched:
                        finish(&out, complete: true)
                        state = .opaque
                    }
                } catch {
                    drop(&out, error.description)
                    return out
                }
            case let .body(remaining):
                let take = min(remaining, data.count - i)
                i += take
                current?.bodyBytes += take
                current?.lastByteTime = time
                if take == remaining { finish(&out, complete: true) } else { state = .body(remaining: remaining - take) }
            case .untilClose:
                current?.bodyBytes += data.count - i
                current?.lastByteTime = time
                i = data.count
            case let .chunkData(remaining):
                let take = min(remaining, data.count - i)
                i += take
                current?.bodyBytes += take
                current?.lastByteTime = time
                state = take == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - take)
            case .chunkSize, .chunkDataEnd, .trailers:
                // Line-based states: collect one line.
                var gotLine = false
                while i < data.count {
                    let c = data[i]
                    buffer.append(c)
                    i += 1
                    current?.bodyBytes += 1
                    if c == 0x0A { gotLine = true; break }
                    if buffer.count > Self.maxLineBytes { break }
                }
                current?.lastByteTime = time
                if !gotLine {
                    if buffer.count > Self.maxLineBytes {
                        finish(&out, complete: false)
                        drop(&out, "chunk line longer than \(Self.maxLineBytes) bytes")
                        return out
                    }
                    continue
                }
                var line = buffer[...].dropLast()
                if line.last == 0x0D { line = line.dropLast() }
                buffer.removeAll(keepingCapacity: true)
                switch state {
                case .chunkDataEnd:
                    guard line.isEmpty else {
                        finish(&out, complete: false)
                        drop(&out, "chunk data not followed by CRLF")
                        return out
                    }
                    state = .chunkSize
                case .chunkSize:
                    guard let size = Self.chunkSize(line) else {
                        finish(&out, complete: false)
                        drop(&out, "invalid chunk size line")
                        return out
                    }
                    state = size == 0 ? .trailers : .chunkData(remaining: size)
                default:  // trailers: until an empty line
                    if line.isEmpty { finish(&out, complete: true) }
                }
            }
        }
        if missing > 0 { lose(missing, &out) }
        return out
    }

    /// The connection ended: a body that runs until the close is complete now.
    public mutating func close() -> [Output] {
        var out: [Output] = []
        if state == .untilClose { finish(&out, complete: true) } else if current != nil, state != .head, state != .idle {
            finish(&out, complete: false)
        }
        state = .idle
        buffer.removeAll()
        current = nil
        return out
    }

    /// `missing` bytes were moved but not captured.
    mutating func lose(_ missing: Int, _ out: inout [Output]) {
        switch state {
        case .opaque:
            return
        case .idle:
            // A message (or its start) we cannot parse; the next segment starts afresh.
            return
        case let .body(remaining):
            if missing < remaining {
                state = .body(remaining: remaining - missing)
                current?.bodyBytes += missing
            } else {
                current?.bodyBytes += remaining
                finish(&out, complete: true)
                // Bytes past the body belong to messages we lost.
            }
        case .untilClose:
            current?.bodyBytes += missing
        case let .chunkData(remaining) where missing < remaining:
            state = .chunkData(remaining: remaining - missing)
            current?.bodyBytes += missing
        case .head:
            drop(&out, "bytes lost inside a head")
        default:
            current?.bodyBytes += missing
            finish(&out, complete: false)
        }
    }

    mutating func finish(_ out: inout [Output], complete: Bool) {
        if var m = current {
            m.complete = complete
            out.append(.message(m))
        }
        current = nil
        buffer.removeAll(keepingCapacity: true)
        state = .idle
    }

    mutating func drop(_ out: inout [Output], _ reason: String?) {
        if let reason {
            out.append(.invalid(reason))
            invalidCount += 1
        }
        current = nil
        buffer.removeAll(keepingCapacity: true)
        state = .idle
    }

    /// True when `b` ends with an empty line (CRLF CRLF, or LF LF as some peers send).
    func endsHead(_ b: [UInt8]) -> Bool {
        let n = b.count
        if n >= 4, b[n - 4] == 0x0D, b[n - 3] == 0x0A, b[n - 2] == 0x0D { return true }
        if n >= 2, b[n - 2] == 0x0A { return true }
        if n >= 3, b[n - 3] == 0x0A, b[n - 2] == 0x0D { return true }
        return false
    }

    /// A chunk-size line: hex digits, then optional `;extensions`. Nil if invalid or too large.
    static func chunkSize(_ line: ArraySlice<UInt8>) -> Int? {
        var size = 0
        var digits = 0
        for c in line {
            let v: Int
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = Int(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = Int(c - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = Int(c - UInt8(ascii: "A")) + 10
            case UInt8(ascii: ";"), UInt8(ascii: " "), UInt8(ascii: "\t"):
                return digits > 0 ? size : nil
            default: return nil
            }
            digits += 1
            guard digits <= 12 else { return nil }  // 2^48: larger is hostile
            size = size * 16 + v
        }
        return digits > 0 ? size : nil
    }
}
