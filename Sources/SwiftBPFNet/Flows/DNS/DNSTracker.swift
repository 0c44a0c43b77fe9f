import DNSWire

/// One DNS exchange as `swiftbpf flows --dns` reports it.
public struct DNSEvent: Sendable, Equatable, Codable {
    public var name: String
    /// "A", "AAAA", ...
    public var type: String
    /// "NOERROR", "NXDOMAIN", ...; nil for a query with no answer (yet).
    public var responseCode: String?
    /// The addresses (A, AAAA) and aliases (CNAME) answered.
    public var answers: [String]
    /// From the query leaving to the answer arriving.
    public var latencyMicros: UInt64?
    public var server: Endpoint
    /// The process that asked.
    public var owner: Flow.Owner?
    public var timestampNanos: UInt64
}

/// Pairs queries with their answers (same client socket and query id), reports each exchange,
/// and feeds the name cache from the A and AAAA answers (labelled with the question's name).
public struct DNSTracker: Sendable {
    struct Pending: Sendable {
        var timestampNanos: UInt64
        var owner: Flow.Owner?
    }
    struct Key: Hashable, Sendable {
        var cookie: UInt64
        var id: UInt16
    }
    private var pending: [Key: Pending] = [:]
    public var cache = DNSNameCache()
    /// Queries with no answer after this long are reported unanswered.
    public var timeoutNanos: UInt64 = 5_000_000_000
    /// Messages that did not parse.
    public private(set) var malformed = 0

    public init() {}

    /// Takes in one message; returns the exchange it completes (an answer), if any.
    public mutating func take(_ packet: DNSPacket) -> DNSEvent? {
        guard let message = try? DNSMessage(parsing: packet.bytes) else {
            malformed += 1
            return nil
        }
        let key = Key(cookie: packet.cookie, id: message.id)
        if !packet.isResponse {
            if pending.count > 10_000 { pending.removeAll() }   // bounded: a flood of unanswered queries
            pending[key] = Pending(timestampNanos: packet.timestampNanos, owner: packet.owner)
            return nil
        }
        let query = pending.removeValue(forKey: key)
        var answers: [String] = []
        for record in message.answers {
            switch record.data {
            case let .address(bytes):
                let text = IPPrefix.text(bytes, family: bytes.count == 4 ? .ipv4 : .ipv6)
                answers.append(text)
                cache.insert(address: text, name: message.name, ttl: record.ttl, nowNanos: packet.timestampNanos)
            case let .cname(target):
                answers.append(target)
            case .other:
                break
            }
        }
        return DNSEvent(name: message.name, type: DNSMessage.typeName(message.type), responseCode: message.responseCodeName,
                        answers: answers,
                        latencyMicros: query.map { (packet.timestampNanos &- $0.timestampNanos) / 1000 },
                        server: packet.source, owner: query?.owner, timestampNanos: packet.timestampNanos)
    }

    /// Labels each flow's remote address with the name the cache holds for it.
    public func label(_ flows: inout [Flow], nowNanos: UInt64) {
        for i in flows.indices where flows[i].remoteName == nil {
            flows[i].remoteName = cache.name(for: flows[i].remote.address, nowNanos: nowNanos)
        }
    }
}
