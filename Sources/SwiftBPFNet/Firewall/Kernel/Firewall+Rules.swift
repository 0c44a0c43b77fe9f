import BPF

extension Firewall {
    /// Every rule in the table, by id.
    public func rules() throws(FirewallError) -> [InstalledRule] {
        do {
            return try bpf.rules.entries().compactMap { $0.value.installed(id: $0.key) }.sorted { $0.id < $1.id }
        } catch {
            throw .kernel("cannot read the rule table", error)
        }
    }

    /// Adds `rule`; returns its id. A rule that claims the packets of an existing one (the
    /// same prefix, overlapping ports, the same protocol) is refused, and nothing is written.
    @discardableResult
    public func add(_ rule: FirewallRule) throws(FirewallError) -> UInt32 {
        if let other = try rules().first(where: { $0.rule.match.conflicts(with: rule.match) }) {
            throw FirewallError("'\(rule)' overlaps rule \(other.id) '\(other.rule)'; delete that one first")
        }
        return try write(rule, id: try freeID(), dryRun: try isDryRun())
    }

    /// Deletes rule `id`; returns it.
    @discardableResult
    public func delete(id: UInt32) throws(FirewallError) -> FirewallRule {
        guard let installed = try rules().first(where: { $0.id == id }) else { throw FirewallError("no rule \(id)") }
        do {
            try clearMatch(installed.rule.match)
            try bpf.rules.set(CLayout.zero(), at: id)
        } catch {
            throw .kernel("cannot delete rule \(id)", error)
        }
        return installed.rule
    }

    /// Deletes the rule whose text is `rule`'s (same action and match); returns its id.
    @discardableResult
    public func delete(_ rule: FirewallRule) throws(FirewallError) -> UInt32 {
        guard let installed = try rules().first(where: { $0.rule == rule }) else { throw FirewallError("no rule '\(rule)'") }
        try delete(id: installed.id)
        return installed.id
    }

    /// The lowest free id (ids start at 1: 0 in `ports[]`/`protocols[]` means no rule).
    func freeID() throws(FirewallError) -> UInt32 {
        let used = Set(try rules().map(\.id))
        guard let id = (1..<FirewallABI.maxRules).first(where: { !used.contains($0) }) else {
            throw FirewallError("the rule table is full (\(FirewallABI.maxRules - 1) rules)")
        }
        return id
    }

    /// Writes the table entry, zeroes its counters, then the match (so the program never finds
    /// an id without its entry). On failure, what was written is undone.
    func write(_ rule: FirewallRule, id: UInt32, dryRun: Bool) throws(FirewallError) -> UInt32 {
        do {
            try bpf.counters.set(Array(repeating: CLayout.zero(), count: bpf.counters.cpuCount), at: id)
            try bpf.rules.set(FirewallObject.FwRule(rule, dryRun: dryRun), at: id)
            try setMatch(rule.match, id: id)
            return id
        } catch {
            try? clearMatch(rule.match)
            try? bpf.rules.set(CLayout.zero(), at: id)
            throw .kernel("cannot add rule '\(rule)'", error)
        }
    }

    private func setMatch(_ match: FirewallMatch, id: UInt32) throws(BPFError) {
        switch match {
        case let .source(p) where p.family == .ipv4:
            try bpf.src4.update(key: FirewallObject.FwLpm4Key(p), value: id, flags: .noExist)
        case let .source(p):
            try bpf.src6.update(key: FirewallObject.FwLpm6Key(p), value: id, flags: .noExist)
        case let .ports(proto, range):
            let slots = (range.first...range.last).map { FirewallABI.portSlot(proto, $0) }
            try bpf.ports.updateBatch(keys: slots, values: Array(repeating: id, count: slots.count))
        case let .proto(proto):
            try bpf.protocols.set(id, at: UInt32(proto.rawValue))
        }
    }

    private func clearMatch(_ match: FirewallMatch) throws(BPFError) {
        switch match {
        case let .source(p) where p.family == .ipv4:
            try bpf.src4.delete(key: FirewallObject.FwLpm4Key(p))
        case let .source(p):
            try bpf.src6.delete(key: FirewallObject.FwLpm6Key(p))
        case let .ports(proto, range):
            let slots = (range.first...range.last).map { FirewallABI.portSlot(proto, $0) }
            try bpf.ports.updateBatch(keys: slots, values: Array(repeating: UInt32(0), count: slots.count))
        case let .proto(proto):
            try bpf.protocols.set(0, at: UInt32(proto.rawValue))
        }
    }
}
