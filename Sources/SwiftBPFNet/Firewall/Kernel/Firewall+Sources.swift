import BPF

/// Drops counted for one source address.
public struct SourceCount: Sendable, Equatable {
    public let source: IPPrefix
    public let counter: FirewallCounter
}

/// What a rate limit did to one source (or, for a per-prefix limit, to its whole prefix).
public struct LimitedSource: Sendable, Equatable {
    /// The limit rule.
    public let ruleID: UInt32
    /// The source address, or the rule's prefix for a per-prefix bucket.
    public let source: IPPrefix
    public let passedPackets: UInt64
    public let limitedPackets: UInt64
    public let limitedBytes: UInt64
}

extension Firewall {
    /// The sources with the most dropped packets (by every rule, the blocklist, the default
    /// policy and the limits), most first: the kernel counts drops per source address in an
    /// LRU map of 16,384 sources, so under a flood of more sources the least recent go.
    public func topDroppedSources(limit: Int = 10) throws(FirewallError) -> [SourceCount] {
        let entries: [(key: FirewallObject.FwSourceKey, value: FirewallObject.FwCounter)]
        do { entries = try bpf.droppedSources.entries() } catch { throw .kernel("cannot read the dropped sources", error) }
        let counts = entries.compactMap { e -> SourceCount? in
            let family: IPPrefix.Family = e.key.family == 4 ? .ipv4 : .ipv6
            guard let p = IPPrefix(family: family, address: (0..<family.byteCount).map { e.key.addr[$0] }, length: family.maxLength) else { return nil }
            return SourceCount(source: p, counter: FirewallCounter(packets: e.value.packets, bytes: e.value.bytes))
        }
        return Array(counts.sorted { ($0.counter.packets, $0.source.description) > ($1.counter.packets, $1.source.description) }.prefix(limit))
    }

    /// The sources the rate limits have limited, most limited first.
    public func limitedSources(limit: Int = 10) throws(FirewallError) -> [LimitedSource] {
        let rules = try self.rules()
        let entries: [(key: FirewallObject.FwLimitKey, value: FirewallObject.FwBucket)]
        do { entries = try bpf.buckets.entries() } catch { throw .kernel("cannot read the rate limits' buckets", error) }
        let out = entries.compactMap { e -> LimitedSource? in
            guard e.value.limitedPackets > 0, let rule = rules.first(where: { $0.id == e.key.rule }),
                  let prefix = rule.rule.match.sourcePrefix else { return nil }
            var source = prefix
            if rule.rule.limit?.perPrefix != true,
               let p = IPPrefix(family: prefix.family, address: (0..<prefix.family.byteCount).map { e.key.addr[$0] }, length: prefix.family.maxLength) {
                source = p
            }
            return LimitedSource(ruleID: e.key.rule, source: source, passedPackets: e.value.passedPackets,
                                 limitedPackets: e.value.limitedPackets, limitedBytes: e.value.limitedBytes)
        }
        return Array(out.sorted { $0.limitedPackets > $1.limitedPackets }.prefix(limit))
    }
}
