/// Which side of a connection a traced process is.
public enum HTTPRole: String, Sendable {
    /// It wrote the requests (and read the responses).
    case client
    /// It read the requests (and wrote the responses).
    case server
}

/// One request and its response, as one traced process saw them.
public struct HTTPExchange: Sendable, Equatable {
    public var tgid: UInt32
    /// The thread that carried the response.
    public var tid: UInt32
    public var comm: String
    public var role: HTTPRole
    /// True when the bytes came through a TLS library (plaintext), false for a plain socket.
    public var tls: Bool
    /// The connection's local and remote endpoints, when known.
    public var local: String?
    public var remote: String?
    public var request: HTTPMessage
    public var response: HTTPMessage

    public var method: String {
        if case let .request(method, _, _, _) = request.head { return method }
        return ""
    }

    /// The request target as sent (path and query).
    public var target: String {
        if case let .request(_, target, _, _) = request.head { return target }
        return ""
    }

    public var status: Int {
        if case let .response(_, status, _, _) = response.head { return status }
        return 0
    }

    /// From the request's last byte to the response's first byte, as this process saw them
    /// (for a server: its processing time; for a client: the round trip).
    public var latencyNanoseconds: UInt64 {
        response.firstByteTime > request.lastByteTime ? response.firstByteTime - request.lastByteTime : 0
    }
}

/// One read or write of a traced connection, as the tracker takes it.
public struct HTTPSegment {
    public var tgid: UInt32
    public var tid: UInt32
    public var comm: String
    /// The connection inside the process (the TLS object, or the socket).
    public var connection: UInt64
    public var tls: Bool
    public var isWrite: Bool
    public var time: UInt64
    public var local: String?
    public var remote: String?

    public init(tgid: UInt32, tid: UInt32, comm: String, connection: UInt64, tls: Bool, isWrite: Bool, time: UInt64,
                local: String? = nil, remote: String? = nil) {
        self.tgid = tgid
        self.tid = tid
        self.comm = comm
        self.connection = connection
        self.tls = tls
        self.isWrite = isWrite
        self.time = time
        self.local = local
        self.remote = remote
    }
}

/// Pairs the requests and responses of many connections: each connection's two directions go
/// through an `HTTPStreamParser`; the side that sends requests is learned from the first one;
/// responses answer the oldest unanswered request (pipelining). Bounded: at most
/// `maxConnections` connections (the least recently used are forgotten) and
/// `maxPendingRequests` unanswered requests per connection. Pure.
public struct HTTPConnectionTracker: Sendable {
    public struct Key: Hashable, Sendable {
        public var tgid: UInt32
        public var connection: UInt64
    }

    struct Connection: Sendable {
        var role: HTTPRole?
        var reads = HTTPStreamParser()
        var writes = HTTPStreamParser()
        var pending: [HTTPMessage] = []
        var lastSeen: UInt64 = 0
        var local: String?
        var remote: String?
        var comm = ""
        var tls = false
    }

    /// Counters of what could not be used.
    public struct Stats: Sendable, Equatable {
        /// Heads that were not HTTP/1.x, or were cut by lost bytes.
        public var invalid = 0
        /// Responses with no request to answer (tracing started mid-connection).
        public var unmatched = 0
        /// Requests forgotten: too many unanswered, or their connection was evicted.
        public var dropped = 0
        /// Connections forgotten to stay within `maxConnections`.
        public var evicted = 0
    }

    public let maxConnections: Int
    public let maxPendingRequests: Int
    var connections: [Key: Connection] = [:]
    public private(set) var stats = Stats()

    public init(maxConnections: Int = 4096, maxPendingRequests: Int = 64) {
        self.maxConnections = maxConnections
        self.maxPendingRequests = maxPendingRequests
    }

    public var connectionCount: Int { connections.count }

    /// Feeds one segment's captured bytes (then `missing` uncaptured ones) and returns the
    /// exchanges it completed.
    public mutating func feed(_ segment: HTTPSegment, bytes: some Collection<UInt8>, missing: Int = 0) -> [HTTPExchange] {
        let key = Key(tgid: segment.tgid, connection: segment.connection)
        if connections[key] == nil, connections.count >= maxConnections { evict() }
        var c = connections[key] ?? Connection()
        c.lastSeen = segment.time
        c.comm = segment.comm
        c.tls = segment.tls
        if segment.local != nil { c.local = segment.local }
        if segment.remote != nil { c.remote = segment.remote }
        // The n-th final response of this segment answers the n-th pending request.
        var answered = 0
        let pending = c.pending
        let pendingMethod: () -> String? = {
            defer { answered += 1 }
            guard answered < pending.count, case let .request(method, _, _, _) = pending[answered].head else { return nil }
            return method
        }
        let outputs = segment.isWrite
            ? c.writes.feed(bytes, missing: missing, time: segment.time, requestMethod: pendingMethod)
            : c.reads.feed(bytes, missing: missing, time: segment.time, requestMethod: pendingMethod)
        var exchanges: [HTTPExchange] = []
        for output in outputs {
            switch output {
            case .invalid:
                stats.invalid += 1
            case let .message(m):
                if m.head.isRequest {
                    let role: HTTPRole = segment.isWrite ? .client : .server
                    if c.role == nil { c.role = role }
                    guard c.role == role else { stats.invalid += 1; continue }
                    if c.pending.count >= maxPendingRequests {
                        c.pending.removeFirst()
                        stats.dropped += 1
                    }
                    c.pending.append(m)
                } else {
                    guard let role = c.role, role == (segment.isWrite ? .server : .client), !c.pending.isEmpty else {
                        stats.unmatched += 1
                        continue
                    }
                    if case let .response(_, status, _, _) = m.head, status < 200, status != 101 { continue }  // interim
                    let request = c.pending.removeFirst()
                    exchanges.append(HTTPExchange(tgid: segment.tgid, tid: segment.tid, comm: segment.comm, role: role, tls: segment.tls,
                                                  local: c.local, remote: c.remote, request: request, response: m))
                }
            }
        }
        connections[key] = c
        return exchanges
    }

    /// Forgets connections not seen since `before` (CLOCK_MONOTONIC ns), completing responses
    /// that ran until the connection's end. Returns those exchanges.
    public mutating func expire(before: UInt64) -> [HTTPExchange] {
        var out: [HTTPExchange] = []
        for (key, var c) in connections where c.lastSeen < before {
            let responses = (c.role == .client ? c.reads.close() : c.writes.close())
            for case let .message(m) in responses where !m.head.isRequest {
                guard let role = c.role, !c.pending.isEmpty else { continue }
                out.append(HTTPExchange(tgid: key.tgid, tid: key.tgid, comm: c.comm, role: role, tls: c.tls,
                                        local: c.local, remote: c.remote, request: c.pending.removeFirst(), response: m))
            }
            stats.dropped += c.pending.count
            connections[key] = nil
        }
        return out
    }

    /// Drops the least recently seen eighth of the connections.
    mutating func evict() {
        let victims = connections.sorted { $0.value.lastSeen < $1.value.lastSeen }.prefix(max(1, maxConnections / 8))
        for (key, c) in victims {
            stats.dropped += c.pending.count
            stats.evicted += 1
            connections[key] = nil
        }
    }
}
