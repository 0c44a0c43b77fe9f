/// What a rule does with the packets it matches.
public enum FirewallAction: String, Sendable, Codable, CaseIterable {
    /// Pass the packet to the stack; later rules are not looked at.
    case allow
    /// Drop the packet in XDP.
    case deny
    /// A shadow rule: count the packet and go on as if the rule were not there.
    case count
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

    public var description: String { Self.names.first { $0.1 == self }?.0 ?? String(rawValue) }
}

/// A destination port or an inclusive range of them.
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

/// What packets a rule matches.
public enum FirewallMatch: Hashable, Sendable, CustomStringConvertible {
    /// Packets whose source address is in the prefix (the longest matching prefix wins).
    case source(IPPrefix)
    /// TCP or UDP packets to a destination port in the range.
    case ports(IPProtocolNumber, PortRange)
    /// Packets of an IP protocol (IPv6: the first next-header value).
    case proto(IPProtocolNumber)

    /// The rule text of the match: `from 10.0.0.0/8`, `udp port 53`, `tcp port 1000-2000`, `icmp`.
    public var description: String {
        switch self {
        case let .source(p): "from \(p)"
        case let .ports(proto, range): "\(proto) port \(range)"
        case let .proto(proto): "\(proto)"
        }
    }

    /// Whether two matches would claim the same packets at the same stage (the same prefix,
    /// overlapping ports of one protocol, or the same protocol): the firewall refuses that.
    public func conflicts(with other: FirewallMatch) -> Bool {
        switch (self, other) {
        case let (.source(a), .source(b)): a == b
        case let (.ports(p, a), .ports(q, b)): p == q && a.overlaps(b)
        case let (.proto(p), .proto(q)): p == q
        default: false
        }
    }
}

/// One firewall rule: an action and a match, e.g. `deny from 203.0.113.0/24`.
public struct FirewallRule: Hashable, Sendable, CustomStringConvertible {
    public var action: FirewallAction
    public var match: FirewallMatch

    public init(_ action: FirewallAction, _ match: FirewallMatch) {
        self.action = action
        self.match = match
    }

    /// The rule in the text format `FirewallRuleParser` reads.
    public var description: String { "\(action) \(match)" }
}
