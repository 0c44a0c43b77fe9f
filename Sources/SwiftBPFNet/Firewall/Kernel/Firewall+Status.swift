import BPF

/// Packets and bytes a rule (or the default policy, or the blocklist) matched, summed over CPUs.
public struct FirewallCounter: Sendable, Equatable {
    public var packets: UInt64 = 0
    public var bytes: UInt64 = 0
    public init(packets: UInt64 = 0, bytes: UInt64 = 0) {
        self.packets = packets
        self.bytes = bytes
    }
}

/// A firewall's state: its policy, rules with their counters, the blocklist, and the sources
/// it dropped and limited.
public struct FirewallStatus: Sendable {
    public struct Rule: Sendable {
        public let rule: InstalledRule
        public let counter: FirewallCounter
    }

    public let interface: String
    public let mode: Firewall.Mode?
    public let defaultAction: FirewallAction
    public let isDryRun: Bool
    public let rules: [Rule]
    /// Packets no rule decided, which the default policy took.
    public let defaultCounter: FirewallCounter
    public let blocklistIPv4Entries: Int
    public let blocklistIPv6Entries: Int
    /// Packets whose source was in the blocklist.
    public let blocklistCounter: FirewallCounter
    /// The sources with the most drops, and the sources the rate limits limited.
    public let topDroppedSources: [SourceCount]
    public let limitedSources: [LimitedSource]
}

extension Firewall {
    /// The summed per-CPU counter of slot `slot` (a rule id, or the default/blocklist slot).
    func counter(slot: UInt32) throws(FirewallError) -> FirewallCounter {
        do {
            return try bpf.counters.values(at: slot).reduce(into: FirewallCounter()) {
                $0.packets += $1.packets
                $0.bytes += $1.bytes
            }
        } catch {
            throw .kernel("cannot read counter \(slot)", error)
        }
    }

    /// The counter of rule `id` (for a limit rule: the packets it limited).
    public func counter(ruleID id: UInt32) throws(FirewallError) -> FirewallCounter { try counter(slot: id) }

    /// Packets the default policy took.
    public func defaultCounter() throws(FirewallError) -> FirewallCounter { try counter(slot: FirewallABI.defaultSlot) }

    /// Packets the blocklist matched.
    public func blocklistCounter() throws(FirewallError) -> FirewallCounter { try counter(slot: FirewallABI.blocklistSlot) }

    /// Everything `firewall status` shows; `top` sources of each list (0: the source tables,
    /// up to 16,384 entries each, are not walked; a periodic reader of the counters wants that).
    public func status(top: Int = 10) throws(FirewallError) -> FirewallStatus {
        let c = try config()
        let dryRun = try isDryRun()
        var rules: [FirewallStatus.Rule] = []
        for r in try self.rules() { rules.append(.init(rule: r, counter: try counter(slot: r.id))) }
        let policy = FirewallABI.action(c.defaultAction) ?? .allow
        return FirewallStatus(
            interface: location.interface, mode: Mode(code: c.xdpMode),
            defaultAction: dryRun && policy == .count ? .deny : policy, isDryRun: dryRun, rules: rules,
            defaultCounter: try defaultCounter(), blocklistIPv4Entries: Int(c.blocklist4Entries),
            blocklistIPv6Entries: Int(c.blocklist6Entries), blocklistCounter: try blocklistCounter(),
            topDroppedSources: top > 0 ? try topDroppedSources(limit: top) : [],
            limitedSources: top > 0 ? try limitedSources(limit: top) : [])
    }
}
