/// What a rule does with the packets it matches.
public enum FirewallAction: String, Sendable, Codable, CaseIterable {
    /// Pass the packet to the stack; later rules are not looked at.
    case allow
    /// Drop the packet in XDP.
    case deny
    /// A shadow rule: count the packet and go on as if the rule were not there.
    case count
    /// A rate limit per source: drop what is over it, and go on with the rest.
    case limit
}

/// An IP protocol a rule can name.
public struct IPProtocolNumber: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(_ rawValue: UInt8) { self.rawValue = rawValue }

    public static let icmp = IPProtocolNumber(1)
    public static let tcp = IPProtocolNumber(6)
    public static let udp = IPProtocolNumber(17)
    public static let icmpv6 = IPProtocolNumber(58)

    static let names: [(String, IPProtocolNumber)] = [("icmp", .icmp), ("tcp", .tcp), ("udp", .udp), ("icmpv6", .icmpv6)]

    /// `tcp`, `udp`, `icmp`, `icmpv6` or a number from 0 to 255.
    public init?(name: some StringProtocol) {
        let lower = name.lowercased()
        if let known = Self.names.first(where: { $0.0 == lower }) { self = known.1; return }
        guard let n = UInt8(lower) else { return nil }
        self.init(n)
    }

    /// Whether packets of this protocol carry ports the firewall matches (TCP, UDP).
    public var hasPorts: Bool { self == .tcp || self == .udp }
    /// Whether packets of this protocol carry a type the firewall matches (ICMP, ICMPv6).
    public var hasTypes: Bool { self == .icmp || self == .icmpv6 }

    public var description: String { Self.names.first { $0.1 == self }?.0 ?? String(rawValue) }
}

/// A destination port or an inclusive range of them (also used for ICMP types).
public struct PortRange: Hashable, Sendable, CustomStringConvertible {
    public let first: UInt16
    public let last: UInt16

    public init?(first: UInt16, last: UInt16) {
        guard first <= last else { return nil }
        self.first = first
        self.last = last
    }

    public var count: Int { Int(last) - Int(first) + 1 }
    public func overlaps(_ other: PortRange) -> Bool { first <= other.last && other.first <= last }
    public var description: String { first == last ? "\(first)" : "\(first)-\(last)" }
}

/// Which address of a packet a rule looks at.
public enum AddressSide: String, Sendable, Hashable {
    /// The source address (`from`).
    case source = "from"
    /// The destination address (`to`).
    case destination = "to"
}

/// What packets a rule matches.
public enum FirewallMatch: Hashable, Sendable, CustomStringConvertible {
    /// Packets whose source address is in the prefix (the longest matching prefix wins).
    case source(IPPrefix)
    /// Packets whose destination address is in the prefix (the longest matching prefix wins).
    case destination(IPPrefix)
    /// TCP or UDP packets to a destination port in the range.
    case ports(IPProtocolNumber, PortRange)
    /// TCP or UDP packets from (or to) one address and to a destination port in the range.
    case tuple(AddressSide, IPPrefix, IPProtocolNumber, PortRange)
    /// ICMP (or ICMPv6) packets of a type in the range.
    case icmpTypes(IPProtocolNumber, PortRange)
    /// Packets of an IP protocol (IPv6: the first next-header value).
    case proto(IPProtocolNumber)

    /// The rule text of the match: `from 10.0.0.0/8`, `to 192.0.2.1`, `udp port 53`,
    /// `from 192.0.2.7 tcp port 22`, `icmp type 8`, `icmp`.
    public var description: String {
        switch self {
        case let .source(p): "from \(p)"
        case let .destination(p): "to \(p)"
        case let .ports(proto, range): "\(proto) port \(range)"
        case let .tuple(side, address, proto, range): "\(side.rawValue) \(address) \(proto) port \(range)"
        case let .icmpTypes(proto, types): "\(proto) type \(types)"
        case let .proto(proto): "\(proto)"
        }
    }

    /// Whether two matches would claim the same packets at the same stage (the same prefix,
    /// overlapping ports of one protocol, the same address and overlapping ports, overlapping
    /// ICMP types, or the same protocol): the firewall refuses that.
    public func conflicts(with other: FirewallMatch) -> Bool {
        switch (self, other) {
        case let (.source(a), .source(b)): a == b
        case let (.destination(a), .destination(b)): a == b
        case let (.ports(p, a), .ports(q, b)): p == q && a.overlaps(b)
        case let (.tuple(s, x, p, a), .tuple(t, y, q, b)): s == t && x == y && p == q && a.overlaps(b)
        case let (.icmpTypes(p, a), .icmpTypes(q, b)): p == q && a.overlaps(b)
        case let (.proto(p), .proto(q)): p == q
        default: false
        }
    }

    /// The source prefix a packet must come from to match, if the match names one.
    var sourcePrefix: IPPrefix? {
        switch self {
        case let .source(p): p
        case let .tuple(.source, a, _, _): a
        default: nil
        }
    }
}

/// A per-source rate limit: a token bucket of packets per second, of bytes per second, or
/// both (a packet passes only if both buckets hold its tokens).
public struct RateLimit: Hashable, Sendable, CustomStringConvertible {
    /// Packets per second, and the bucket's size (packets that may pass at once after a quiet
    /// spell; the rate if not given).
    public var packetsPerSecond: UInt64?
    public var packetBurst: UInt64?
    /// Bytes (of Ethernet frames) per second, and the bucket's size in bytes.
    public var bytesPerSecond: UInt64?
    public var byteBurst: UInt64?
    /// One bucket for the whole prefix instead of one per source address.
    public var perPrefix = false

    public init(packetsPerSecond: UInt64? = nil, packetBurst: UInt64? = nil, bytesPerSecond: UInt64? = nil,
                byteBurst: UInt64? = nil, perPrefix: Bool = false) {
        self.packetsPerSecond = packetsPerSecond
        self.packetBurst = packetBurst
        self.bytesPerSecond = bytesPerSecond
        self.byteBurst = byteBurst
        self.perPrefix = perPrefix
    }

    /// The largest rate or burst: the program keeps tokens * 1e9 in 64 bits.
    public static let maximum: UInt64 = 1 << 32

    /// `pps 1000 burst 200 bytes 1000000 burst 150000 per-prefix`.
    public var description: String {
        var words: [String] = []
        if let p = packetsPerSecond {
            words.append("pps \(p)")
            if let b = packetBurst, b != p { words.append("burst \(b)") }
        }
        if let r = bytesPerSecond {
            words.append("bytes \(r)")
            if let b = byteBurst, b != r { words.append("burst \(b)") }
        }
        if perPrefix { words.append("per-prefix") }
        return words.joined(separator: " ")
    }
}

/// One firewall rule: an action and a match, e.g. `deny from 203.0.113.0/24`; a `limit` rule
/// also has its rates (`limit from 0.0.0.0/0 pps 1000 burst 200`).
public struct FirewallRule: Hashable, Sendable, CustomStringConvertible {
    public var action: FirewallAction
    public var match: FirewallMatch
    /// The rates of a `limit` rule (nil for every other action).
    public var limit: RateLimit?

    public init(_ action: FirewallAction, _ match: FirewallMatch, limit: RateLimit? = nil) {
        self.action = action
        self.match = match
        self.limit = limit
    }

    /// Whether the two rules would claim the same packets at the same stage (limits have their
    /// own stage, before every other).
    public func conflicts(with other: FirewallRule) -> Bool {
        (action == .limit) == (other.action == .limit) && match.conflicts(with: other.match)
    }

    /// The rule in the text format `FirewallRuleParser` reads.
    public var description: String {
        guard let limit else { return "\(action) \(match)" }
        return "\(action) \(match) \(limit)"
    }
}
