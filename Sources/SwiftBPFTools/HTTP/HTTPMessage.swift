/// One header line of an HTTP/1.x message, as sent (the name keeps its case).
public struct HTTPHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// The start line and headers of an HTTP/1.x message.
public enum HTTPHead: Sendable, Equatable {
    /// `METHOD target HTTP/1.x`.
    case request(method: String, target: String, version: String, headers: [HTTPHeader])
    /// `HTTP/1.x status reason`.
    case response(version: String, status: Int, reason: String, headers: [HTTPHeader])

    public var headers: [HTTPHeader] {
        switch self {
        case let .request(_, _, _, headers), let .response(_, _, _, headers): headers
        }
    }

    public var isRequest: Bool {
        if case .request = self { return true }
        return false
    }

    /// The value of the first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }
}

/// One HTTP/1.x message seen on one direction of a connection.
public struct HTTPMessage: Sendable, Equatable {
    public var head: HTTPHead
    /// Bytes of the start line and headers, with the blank line ending them.
    public var headBytes: Int
    /// Bytes of the body as sent (chunked framing included).
    public var bodyBytes: Int
    /// When the call that carried the message's first byte returned (CLOCK_MONOTONIC ns).
    public var firstByteTime: UInt64
    /// When the call that carried its last byte returned.
    public var lastByteTime: UInt64
    /// False when bytes of the body were lost (not captured) or the body ran until the
    /// connection closed: `bodyBytes` then counts what was seen.
    public var complete: Bool

    /// Head and body.
    public var totalBytes: Int { headBytes + bodyBytes }
}
