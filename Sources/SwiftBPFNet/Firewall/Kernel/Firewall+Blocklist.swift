import BPF
import Glibc

/// What a blocklist load did.
public struct BlocklistLoadReport: Sendable {
    /// Distinct prefixes now in each list.
    public let ipv4Entries: Int
    public let ipv6Entries: Int
    /// Time to build both new tries and swap them in.
    public let seconds: Double
}

extension Firewall {
    /// Replaces the whole blocklist with `prefixes`. Each family's list is built in a new LPM
    /// trie beside the old one (one `BPF_MAP_UPDATE_BATCH` where the kernel has batch updates
    /// for LPM tries), and only when both are complete each is swapped into its
    /// array-of-maps slot with one `BPF_MAP_UPDATE_ELEM`: a packet looks up either the old
    /// trie or the new one, never a half-filled one. The old tries are freed when the last
    /// program run using them ends (RCU). On failure the old lists stay. With `lockoutGuard`,
    /// a list that would drop a connection the guard protects is refused.
    @discardableResult
    public func loadBlocklist(_ prefixes: [IPPrefix], guard lockoutGuard: LockoutGuard? = nil) throws(FirewallError) -> BlocklistLoadReport {
        let start = Self.now()
        try check(lockoutGuard, rules: try rules().map(\.rule), blocklist: prefixes, change: "to load this blocklist")
        // Duplicates go first (the entry counts are distinct prefixes); an IPv4 prefix packs into
        // one integer, which hashes far faster than the key struct's bytes.
        var packed4 = Set<UInt64>(minimumCapacity: prefixes.count)
        var distinct6 = Set<IPPrefix>()
        for p in prefixes {
            if p.family == .ipv4 {
                let a = p.address
                packed4.insert(UInt64(a[0]) << 40 | UInt64(a[1]) << 32 | UInt64(a[2]) << 24 | UInt64(a[3]) << 16 | UInt64(p.length))
            } else {
                distinct6.insert(p)
            }
        }
        let v4 = packed4.map { v in
            FirewallObject.FwLpm4Key(prefixlen: UInt32(v & 0xff), addr: [UInt8(v >> 40 & 0xff), UInt8(v >> 32 & 0xff), UInt8(v >> 24 & 0xff), UInt8(v >> 16 & 0xff)])
        }
        let v6 = distinct6.map(FirewallObject.FwLpm6Key.init)
        for (count, family) in [(v4.count, "IPv4"), (v6.count, "IPv6")] where count > FirewallABI.blocklistCapacity {
            throw FirewallError("\(count) \(family) prefixes; a blocklist holds at most \(FirewallABI.blocklistCapacity)")
        }
        let inner4: Map, inner6: Map
        do {
            inner4 = try bpf.object.makeInnerMap(for: bpf.blocklist4.map.name, name: "fw_block4")
            inner6 = try bpf.object.makeInnerMap(for: bpf.blocklist6.map.name, name: "fw_block6")
            try Self.fill(LPMTrieMap<FirewallObject.FwLpm4Key, UInt32>(inner4), v4)
            try Self.fill(LPMTrieMap<FirewallObject.FwLpm6Key, UInt32>(inner6), v6)
        } catch {
            throw .kernel("cannot build the new blocklist (the old one stays)", error)
        }
        do {
            try bpf.blocklist4.map.update(key: UInt32(0), innerMap: inner4)
            try bpf.blocklist6.map.update(key: UInt32(0), innerMap: inner6)
        } catch {
            throw .kernel("cannot swap the new blocklist in", error)
        }
        var c = try config()
        c.blocklist4Entries = UInt32(v4.count)
        c.blocklist6Entries = UInt32(v6.count)
        try setConfig(c)
        return BlocklistLoadReport(ipv4Entries: v4.count, ipv6Entries: v6.count, seconds: Self.now() - start)
    }

    /// Writes `keys` (value 1) into a new trie: one batch call, or element by element where
    /// the kernel has no batch update for LPM tries.
    static func fill<Key>(_ trie: LPMTrieMap<Key, UInt32>, _ keys: [Key]) throws(BPFError) {
        guard !keys.isEmpty else { return }
        do {
            try trie.updateBatch(keys: keys, values: Array(repeating: 1, count: keys.count))
        } catch {
            guard case let .syscall(_, e) = error, e == .EINVAL || e == .ENOTSUPP || e.rawValue == EOPNOTSUPP else { throw error }
            for k in keys { try trie.update(key: k, value: 1) }
        }
    }

    /// CLOCK_MONOTONIC in seconds.
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
