import BPF

/// The C constants of firewall.bpf.c that user space shares with it.
enum FirewallABI {
    static let maxRules: UInt32 = 1024
    static let defaultSlot: UInt32 = maxRules
    static let blocklistSlot: UInt32 = maxRules + 1
    static let blocklistCapacity = 1 << 20
    /// `fw_rule.flags` bit 0: a deny that `--dry-run` turned into count.
    static let dryRunFlag: UInt8 = 1

    enum Kind: UInt8 { case source4 = 1, source6 = 2, ports = 3, proto = 4 }

    /// `enum fw_action`.
    static func code(_ action: FirewallAction) -> UInt8 {
        switch action {
        case .allow: 1
        case .deny: 2
        case .count: 3
        }
    }

    static func action(_ code: UInt32) -> FirewallAction? {
        switch code {
        case 1: .allow
        case 2: .deny
        case 3: .count
        default: nil
        }
    }

    /// `ports[]` slot of a TCP or UDP port.
    static func portSlot(_ proto: IPProtocolNumber, _ port: UInt16) -> UInt32 {
        (proto == .udp ? 65536 : 0) + UInt32(port)
    }
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
        self.action = FirewallABI.code(action)
        switch rule.match {
        case let .source(prefix):
            kind = (prefix.family == .ipv4 ? FirewallABI.Kind.source4 : .source6).rawValue
            prefixlen = UInt8(prefix.length)
            for (i, b) in prefix.address.enumerated() { addr[i] = b }
        case let .ports(proto, range):
            kind = FirewallABI.Kind.ports.rawValue
            `protocol` = proto.rawValue
            portFirst = range.first
            portLast = range.last
        case let .proto(proto):
            kind = FirewallABI.Kind.proto.rawValue
            `protocol` = proto.rawValue
        }
    }

    /// The rule of a used slot, or nil for a free (or unreadable) one.
    func installed(id: UInt32) -> InstalledRule? {
        let isDryRun = flags & FirewallABI.dryRunFlag != 0
        guard var act = FirewallABI.action(UInt32(action)), let kind = FirewallABI.Kind(rawValue: kind) else { return nil }
        if isDryRun { act = .deny }
        let match: FirewallMatch
        switch kind {
        case .source4, .source6:
            let family: IPPrefix.Family = kind == .source4 ? .ipv4 : .ipv6
            let bytes = (0..<family.byteCount).map { addr[$0] }
            guard let p = IPPrefix(family: family, address: bytes, length: Int(prefixlen)) else { return nil }
            match = .source(p)
        case .ports:
            guard let r = PortRange(first: portFirst, last: portLast) else { return nil }
            match = .ports(IPProtocolNumber(`protocol`), r)
        case .proto:
            match = .proto(IPProtocolNumber(`protocol`))
        }
        return InstalledRule(id: id, rule: FirewallRule(act, match), isDryRun: isDryRun)
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
