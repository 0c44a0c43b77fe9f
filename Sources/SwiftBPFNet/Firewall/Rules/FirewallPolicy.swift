/// A whole policy (rules, default, blocklist) and the decision the XDP program would take for
/// a packet, worked out in user space in the program's order. Pure: the lockout guard uses it
/// to see what a change would drop before anything is written.
public struct FirewallPolicy: Sendable {
    public var rules: [FirewallRule]
    public var defaultAction: FirewallAction
    public var blocklist: [IPPrefix]

    public init(rules: [FirewallRule], defaultAction: FirewallAction, blocklist: [IPPrefix] = []) {
        self.rules = rules
        self.defaultAction = defaultAction
        self.blocklist = blocklist
    }

    /// A packet as the program sees it. `proto` nil stands for every packet of the source
    /// (only rules that match whatever the protocol can decide it).
    public struct Packet: Sendable {
        public var source: IPPrefix
        public var destination: IPPrefix?
        public var proto: IPProtocolNumber?
        public var destinationPort: UInt16?
        public var icmpType: UInt16?

        public init(source: IPPrefix, destination: IPPrefix? = nil, proto: IPProtocolNumber? = nil,
                    destinationPort: UInt16? = nil, icmpType: UInt16? = nil) {
            self.source = source
            self.destination = destination
            self.proto = proto
            self.destinationPort = destinationPort
            self.icmpType = icmpType
        }
    }

    /// What decided a packet: the rule that allowed or dropped it, the blocklist, or the
    /// default policy.
    public enum Decision: Sendable, Equatable, CustomStringConvertible {
        case rule(FirewallRule)
        case blocklist(IPPrefix)
        case defaultPolicy(FirewallAction)

        public var drops: Bool {
            switch self {
            case let .rule(r): r.action == .deny
            case .blocklist: true
            case let .defaultPolicy(a): a == .deny
            }
        }

        public var description: String {
            switch self {
            case let .rule(r): "the rule '\(r)'"
            case let .blocklist(p): "the blocklist entry \(p)"
            case let .defaultPolicy(a): "the default policy (\(a))"
            }
        }
    }

    /// The decision for `packet`: tuples, source prefix, destination prefix, blocklist, port,
    /// ICMP type, protocol, default (limits and count rules never decide).
    public func decision(for packet: Packet) -> Decision {
        let deciding = rules.filter { $0.action == .allow || $0.action == .deny }
        func longest(_ prefixes: [(IPPrefix, FirewallRule)], containing address: IPPrefix?) -> FirewallRule? {
            guard let address else { return nil }
            return prefixes.filter { $0.0.contains(address) }.max { $0.0.length < $1.0.length }?.1
        }
        if let proto = packet.proto, let port = packet.destinationPort {
            for r in deciding {
                if case let .tuple(side, address, p, range) = r.match, p == proto, range.first <= port, port <= range.last,
                   address == (side == .source ? packet.source : packet.destination) {
                    return .rule(r)
                }
            }
        }
        let sources = deciding.compactMap { r -> (IPPrefix, FirewallRule)? in
            if case let .source(p) = r.match { return (p, r) }
            return nil
        }
        if let r = longest(sources, containing: packet.source) { return .rule(r) }
        let destinations = deciding.compactMap { r -> (IPPrefix, FirewallRule)? in
            if case let .destination(p) = r.match { return (p, r) }
            return nil
        }
        if let r = longest(destinations, containing: packet.destination) { return .rule(r) }
        if let hit = blocklist.first(where: { $0.contains(packet.source) }) { return .blocklist(hit) }
        if let proto = packet.proto {
            for r in deciding {
                switch r.match {
                case let .ports(p, range) where p == proto:
                    if let port = packet.destinationPort, range.first <= port, port <= range.last { return .rule(r) }
                case let .icmpTypes(p, types) where p == proto:
                    if let t = packet.icmpType, types.first <= t, t <= types.last { return .rule(r) }
                default: break
                }
            }
            if let r = deciding.first(where: { $0.match == .proto(proto) }) { return .rule(r) }
        }
        return .defaultPolicy(defaultAction)
    }
}
