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
    /// same prefix, overlapping ports, the same protocol) is refused, and nothing is written;
    /// so is one that `lockoutGuard` finds would cut a connection it protects.
    @discardableResult
    public func add(_ rule: FirewallRule, guard lockoutGuard: LockoutGuard? = nil) throws(FirewallError) -> UInt32 {
        let current = try rules()
        if let other = current.first(where: { $0.rule.conflicts(with: rule) }) {
            throw FirewallError("'\(rule)' overlaps rule \(other.id) '\(other.rule)'; delete that one first")
        }
        try check(lockoutGuard, rules: current.map(\.rule) + [rule], change: "to add '\(rule)'")
        let id = try write(rule, id: try freeID(), dryRun: try isDryRun())
        try updateStages()
        return id
    }

    /// Deletes rule `id`; returns it. With `lockoutGuard`, deleting an allow that keeps a
    /// protected connection alive is refused.
    @discardableResult
    public func delete(id: UInt32, guard lockoutGuard: LockoutGuard? = nil) throws(FirewallError) -> FirewallRule {
        let current = try rules()
        guard let installed = current.first(where: { $0.id == id }) else { throw FirewallError("no rule \(id)") }
        try check(lockoutGuard, rules: current.filter { $0.id != id }.map(\.rule), change: "to delete rule \(id) '\(installed.rule)'")
        do {
            try clearMatch(installed.rule)
            try bpf.rules.set(CLayout.zero(), at: id)
        } catch {
            throw .kernel("cannot delete rule \(id)", error)
        }
        try updateStages()
        return installed.rule
    }

    /// Deletes the rule whose text is `rule`'s (same action and match); returns its id.
    @discardableResult
    public func delete(_ rule: FirewallRule, guard lockoutGuard: LockoutGuard? = nil) throws(FirewallError) -> UInt32 {
        guard let installed = try rules().first(where: { $0.rule == rule }) else { throw FirewallError("no rule '\(rule)'") }
        try delete(id: installed.id, guard: lockoutGuard)
        return installed.id
    }

    /// Runs `lockoutGuard` (if any) over the policy the change would make: `rules`, the
    /// current default policy, and `blocklist` (nil: the current one is left out, as a
    /// connection it cut would not be running).
    func check(_ lockoutGuard: LockoutGuard?, rules: [FirewallRule], defaultAction: FirewallAction? = nil,
               blocklist: [IPPrefix] = [], change: String) throws(FirewallError) {
        guard let lockoutGuard, !(try isDryRun()) else { return }
        let action: FirewallAction
        if let defaultAction { action = defaultAction } else { action = try currentDefault() }
        let policy = FirewallPolicy(rules: rules, defaultAction: action, blocklist: blocklist)
        try lockoutGuard.check(policy, change: change)
    }

    /// The default policy as set (a dry-run deny reads as deny).
    func currentDefault() throws(FirewallError) -> FirewallAction {
        let a = FirewallABI.action(try config().defaultAction) ?? .allow
        return a == .count ? .deny : a
    }

    /// Tells the program which stages have rules (`config.stages`).
    func updateStages() throws(FirewallError) {
        var c = try config()
        c.stages = FirewallABI.Stages(try rules().map(\.rule)).rawValue
        try setConfig(c)
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
            try setMatch(rule, id: id)
            return id
        } catch {
            try? clearMatch(rule)
            try? bpf.rules.set(CLayout.zero(), at: id)
            throw .kernel("cannot add rule '\(rule)'", error)
        }
    }

    private func setMatch(_ rule: FirewallRule, id: UInt32) throws(BPFError) {
        switch rule.match {
        case let .source(p) where rule.action == .limit:
            if p.family == .ipv4 {
                try bpf.limit4.update(key: FirewallObject.FwLpm4Key(p), value: id, flags: .noExist)
            } else {
                try bpf.limit6.update(key: FirewallObject.FwLpm6Key(p), value: id, flags: .noExist)
            }
        case let .source(p) where p.family == .ipv4:
            try bpf.src4.update(key: FirewallObject.FwLpm4Key(p), value: id, flags: .noExist)
        case let .source(p):
            try bpf.src6.update(key: FirewallObject.FwLpm6Key(p), value: id, flags: .noExist)
        case let .destination(p) where p.family == .ipv4:
            try bpf.dst4.update(key: FirewallObject.FwLpm4Key(p), value: id, flags: .noExist)
        case let .destination(p):
            try bpf.dst6.update(key: FirewallObject.FwLpm6Key(p), value: id, flags: .noExist)
        case let .ports(proto, range):
            let slots = (range.first...range.last).map { FirewallABI.portSlot(proto, $0) }
            try bpf.ports.updateBatch(keys: slots, values: Array(repeating: id, count: slots.count))
        case let .tuple(side, address, proto, range):
            for port in range.first...range.last {
                try bpf.tuples.update(key: FirewallObject.FwTupleKey(side, address, proto, port: port), value: id, flags: .noExist)
            }
        case let .icmpTypes(proto, types):
            let slots = (types.first...types.last).map { FirewallABI.icmpSlot(proto, $0) }
            try bpf.icmpTypes.updateBatch(keys: slots, values: Array(repeating: id, count: slots.count))
        case let .proto(proto):
            try bpf.protocols.set(id, at: UInt32(proto.rawValue))
        }
    }

    private func clearMatch(_ rule: FirewallRule) throws(BPFError) {
        switch rule.match {
        case let .source(p) where rule.action == .limit:
            if p.family == .ipv4 {
                try bpf.limit4.delete(key: FirewallObject.FwLpm4Key(p))
            } else {
                try bpf.limit6.delete(key: FirewallObject.FwLpm6Key(p))
            }
        case let .source(p) where p.family == .ipv4:
            try bpf.src4.delete(key: FirewallObject.FwLpm4Key(p))
        case let .source(p):
            try bpf.src6.delete(key: FirewallObject.FwLpm6Key(p))
        case let .destination(p) where p.family == .ipv4:
            try bpf.dst4.delete(key: FirewallObject.FwLpm4Key(p))
        case let .destination(p):
            try bpf.dst6.delete(key: FirewallObject.FwLpm6Key(p))
        case let .ports(proto, range):
            let slots = (range.first...range.last).map { FirewallABI.portSlot(proto, $0) }
            try bpf.ports.updateBatch(keys: slots, values: Array(repeating: UInt32(0), count: slots.count))
        case let .tuple(side, address, proto, range):
            for port in range.first...range.last {
                _ = try bpf.tuples.delete(key: FirewallObject.FwTupleKey(side, address, proto, port: port))
            }
        case let .icmpTypes(proto, types):
            let slots = (types.first...types.last).map { FirewallABI.icmpSlot(proto, $0) }
            try bpf.icmpTypes.updateBatch(keys: slots, values: Array(repeating: UInt32(0), count: slots.count))
        case let .proto(proto):
            try bpf.protocols.set(0, at: UInt32(proto.rawValue))
        }
    }
}
