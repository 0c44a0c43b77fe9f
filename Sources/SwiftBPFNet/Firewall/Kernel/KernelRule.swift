import BPF

/// The C constants of firewall.bpf.c that user space shares with it.
enum FirewallABI {
    static let maxRules: UInt32 = 1024
    static let defaultSlot: UInt32 = maxRules
    static let blocklistSlot: UInt32 = maxRules + 1
    static let eventsSentSlot: UInt32 = maxRules + 2
    static let eventsLostSlot: UInt32 = maxRules + 3
    static let eventsSuppressedSlot: UInt32 = maxRules + 4
    static let blocklistCapacity = 1 << 20
    static let tupleCapacity = 65536
    /// `fw_rule.flags` bit 0: a deny (or limit) that `--dry-run` turned into count.
    static let dryRunFlag: UInt8 = 1
    /// `fw_rule.flags` bit 1: one bucket for the whole prefix.
    static let perPrefixFlag: UInt8 = 2

    /// `fw_rule.kind`.
    enum Kind: UInt8 {
        case source4 = 1, source6 = 2, ports = 3, proto = 4, destination4 = 5, destination6 = 6
        case tupleFrom = 7, tupleTo = 8, icmpTypes = 9, limit4 = 10, limit6 = 11
    }

    /// `enum fw_stage`: the stages the program walks.
    struct Stages: OptionSet {
        let rawValue: UInt32
        static let limit = Stages(rawValue: 1)
        static let tupleSource = Stages(rawValue: 2)
        static let tupleDestination = Stages(rawValue: 4)
        static let source = Stages(rawValue: 8)
        static let destination = Stages(rawValue: 16)
        static let ports = Stages(rawValue: 32)
        static let icmp = Stages(rawValue: 64)
        static let proto = Stages(rawValue: 128)

        /// The stages `rules` need.
        init(_ rules: [FirewallRule]) {
            var s: Stages = []
            for r in rules {
                switch r.match {
                case _ where r.action == .limit: s.insert(.limit)
                case .source: s.insert(.source)
                case .destination: s.insert(.destination)
                case .ports: s.insert(.ports)
                case .tuple(.source, _, _, _): s.insert(.tupleSource)
                case .tuple(.destination, _, _, _): s.insert(.tupleDestination)
                case .icmpTypes: s.insert(.icmp)
                case .proto: s.insert(.proto)
                }
            }
            self = s
        }
        init(rawValue: UInt32) { self.rawValue = rawValue }
    }

    /// `enum fw_action`.
    static func code(_ action: FirewallAction) -> UInt8 {
        switch action {
        case .allow: 1
        case .deny: 2
        case .count: 3
        case .limit: 4
        }
    }

    static func action(_ code: UInt32) -> FirewallAction? {
        switch code {
        case 1: .allow
        case 2: .deny
        case 3: .count
        case 4: .limit
        default: nil
        }
    }

    /// `ports[]` slot of a TCP or UDP port.
    static func portSlot(_ proto: IPProtocolNumber, _ port: UInt16) -> UInt32 {
        (proto == .udp ? 65536 : 0) + UInt32(port)
    }

    /// `icmp_types[]` slot of an ICMP or ICMPv6 type.
    static func icmpSlot(_ proto: IPProtocolNumber, _ type: UInt16) -> UInt32 {
        (proto == .icmpv6 ? 256 : 0) + UInt32(type)
    }

    static let nanosecondsPerSecond: UInt64 = 1_000_000_000
}

/// A rule as the kernel's rule table holds it: its id (the table index and counter slot), the
/// rule, and whether `--dry-run` made a deny of it a count.
public struct InstalledRule: Sendable, Equatable {
    public let id: UInt32
    public let rule: FirewallRule
    public let isDryRun: Bool
}

extension FirewallObject.FwRule {
    /// The table entry of `rule`.
    init(_ rule: FirewallRule, dryRun: Bool) {
        self = CLayout.zero()
        var action = rule.action
        if dryRun && action == .deny {
            action = .count
            flags = FirewallABI.dryRunFlag
        }
        if dryRun && action == .limit { flags = FirewallABI.dryRunFlag }
        self.action = FirewallABI.code(action)
        func set(_ prefix: IPPrefix) {
            prefixlen = UInt8(prefix.length)
            for (i, b) in prefix.address.enumerated() { addr[i] = b }
        }
        switch rule.match {
        case let .source(prefix) where rule.action == .limit:
            kind = (prefix.family == .ipv4 ? FirewallABI.Kind.limit4 : .limit6).rawValue
            set(prefix)
            let limit = rule.limit ?? RateLimit()
            if limit.perPrefix { flags |= FirewallABI.perPrefixFlag }
            if let rate = limit.packetsPerSecond {
                ratePackets = rate
                burstPackets = limit.packetBurst ?? rate
                fillNsPackets = burstPackets * FirewallABI.nanosecondsPerSecond / rate
            }
            if let rate = limit.bytesPerSecond {
                rateBytes = rate
                burstBytes = limit.byteBurst ?? rate
                fillNsBytes = burstBytes * FirewallABI.nanosecondsPerSecond / rate
            }
        case let .source(prefix):
            kind = (prefix.family == .ipv4 ? FirewallABI.Kind.source4 : .source6).rawValue
            set(prefix)
        case let .destination(prefix):
            kind = (prefix.family == .ipv4 ? FirewallABI.Kind.destination4 : .destination6).rawValue
            set(prefix)
        case let .ports(proto, range):
            kind = FirewallABI.Kind.ports.rawValue
            `protocol` = proto.rawValue
            portFirst = range.first
            portLast = range.last
        case let .tuple(side, address, proto, range):
            kind = (side == .source ? FirewallABI.Kind.tupleFrom : .tupleTo).rawValue
            set(address)
            `protocol` = proto.rawValue
            portFirst = range.first
            portLast = range.last
        case let .icmpTypes(proto, types):
            kind = FirewallABI.Kind.icmpTypes.rawValue
            `protocol` = proto.rawValue
            portFirst = types.first
            portLast = types.last
        case let .proto(proto):
            kind = FirewallABI.Kind.proto.rawValue
            `protocol` = proto.rawValue
        }
    }

    /// The rule of a used slot, or nil for a free (or unreadable) one.
    func installed(id: UInt32) -> InstalledRule? {
        let isDryRun = flags & FirewallABI.dryRunFlag != 0
        guard var act = FirewallABI.action(UInt32(action)), let kind = FirewallABI.Kind(rawValue: kind) else { return nil }
        if isDryRun && act == .count { act = .deny }
        func prefix(_ family: IPPrefix.Family) -> IPPrefix? {
            IPPrefix(family: family, address: (0..<family.byteCount).map { addr[$0] }, length: Int(prefixlen))
        }
        let range = PortRange(first: portFirst, last: portLast)
        let proto = IPProtocolNumber(`protocol`)
        var limit: RateLimit?
        let match: FirewallMatch
        switch kind {
        case .source4, .source6:
            guard let p = prefix(kind == .source4 ? .ipv4 : .ipv6) else { return nil }
            match = .source(p)
        case .destination4, .destination6:
            guard let p = prefix(kind == .destination4 ? .ipv4 : .ipv6) else { return nil }
            match = .destination(p)
        case .limit4, .limit6:
            guard let p = prefix(kind == .limit4 ? .ipv4 : .ipv6) else { return nil }
            match = .source(p)
            limit = RateLimit(packetsPerSecond: ratePackets == 0 ? nil : ratePackets, packetBurst: ratePackets == 0 ? nil : burstPackets,
                              bytesPerSecond: rateBytes == 0 ? nil : rateBytes, byteBurst: rateBytes == 0 ? nil : burstBytes,
                              perPrefix: flags & FirewallABI.perPrefixFlag != 0)
        case .ports:
            guard let range else { return nil }
            match = .ports(proto, range)
        case .tupleFrom, .tupleTo:
            guard let range, let p = prefix(prefixlen == 32 ? .ipv4 : .ipv6) else { return nil }
            match = .tuple(kind == .tupleFrom ? .source : .destination, p, proto, range)
        case .icmpTypes:
            guard let range else { return nil }
            match = .icmpTypes(proto, range)
        case .proto:
            match = .proto(proto)
        }
        return InstalledRule(id: id, rule: FirewallRule(act, match, limit: limit), isDryRun: isDryRun)
    }
}

extension FirewallObject.FwLpm4Key {
    init(_ prefix: IPPrefix) {
        self.init(prefixlen: UInt32(prefix.length))
        for i in 0..<4 { addr[i] = prefix.address[i] }
    }
}

extension FirewallObject.FwLpm6Key {
    init(_ prefix: IPPrefix) {
        self.init(prefixlen: UInt32(prefix.length))
        for i in 0..<16 { addr[i] = prefix.address[i] }
    }
}

extension FirewallObject.FwTupleKey {
    /// The hash key of one port of a tuple rule.
    init(_ side: AddressSide, _ address: IPPrefix, _ proto: IPProtocolNumber, port: UInt16) {
        self = CLayout.zero()
        family = address.family == .ipv4 ? 4 : 6
        dir = side == .source ? 0 : 1
        `protocol` = proto.rawValue
        self.port = port
        for (i, b) in address.address.enumerated() { addr[i] = b }
    }
}
