/// Runs a compiled policy over recorded events with the pure matcher (the algorithm of the
/// kernel's `decide()`), and groups what it would have done by rule. Records are added one at a
/// time, so a recording of any length replays in bounded memory (`keepsDecisions: false`).
public struct GuardReplay: Sendable {
    /// One rule's share of a replay.
    public struct RuleOutcome: Sendable {
        public var index: Int
        public var name: String
        public var action: GuardAction
        public var mode: GuardMode
        /// Events this rule decided.
        public var count = 0
        /// The first few, in recording order: their positions among the records, and their text.
        public var samples: [Int] = []
        public var sampleSummaries: [String] = []
    }

    public var rules: [RuleOutcome]
    /// Per record: the deciding rule's index, or nil (empty unless `keepsDecisions`).
    public private(set) var decisions: [Int?] = []
    public private(set) var events = 0
    public var matched: Int { rules.reduce(0) { $0 + $1.count } }
    let matcher: GuardMatcher
    let position: [Int: Int]
    let samplesPerRule: Int
    let keepsDecisions: Bool

    /// An empty replay of `policy`; each rule keeps its first `samples` events.
    public init(policy: CompiledGuardPolicy, samples: Int = 5, keepsDecisions: Bool = true) {
        matcher = GuardMatcher(policy)
        rules = policy.rules.map { RuleOutcome(index: $0.index, name: $0.rule.name, action: $0.rule.action, mode: $0.rule.mode) }
        var position: [Int: Int] = [:]
        for (i, r) in rules.enumerated() { position[r.index] = i }
        self.position = position
        samplesPerRule = samples
        self.keepsDecisions = keepsDecisions
    }

    /// Replays `records` under `policy`, keeping every decision.
    public init(policy: CompiledGuardPolicy, records: [GuardRecord], samples: Int = 5) {
        self.init(policy: policy, samples: samples)
        decisions.reserveCapacity(records.count)
        for r in records { add(r) }
    }

    /// Decides one more record.
    public mutating func add(_ record: GuardRecord) {
        let d = matcher.decide(record.facts)
        if keepsDecisions { decisions.append(d.rule) }
        if let rule = d.rule, let i = position[rule] {
            rules[i].count += 1
            if rules[i].samples.count < samplesPerRule {
                rules[i].samples.append(events)
                rules[i].sampleSummaries.append(record.summary)
            }
        }
        events += 1
    }

    /// What a rule would have done, in words: `would kill`, `would deny`, `would alert`.
    public static func verb(_ action: GuardAction, _ mode: GuardMode) -> String {
        let word = action == .alert ? "alert on" : action.name
        return mode == .monitor ? "monitor (would \(word))" : "would \(word)"
    }

    /// The report `guard replay` prints.
    public func report() -> String {
        var lines: [String] = []
        for r in rules {
            lines.append("rule \(r.name): \(Self.verb(r.action, r.mode)) \(r.count) event\(r.count == 1 ? "" : "s")")
            for summary in r.sampleSummaries { lines.append("    " + summary) }
            if r.count > r.samples.count { lines.append("    ... and \(r.count - r.samples.count) more") }
        }
        lines.append("\(events) events replayed, \(matched) matched a rule, \(events - matched) passed")
        return lines.joined(separator: "\n")
    }
}

/// What changes between two policies over the same events.
public struct GuardPolicyDiff: Sendable {
    public struct Change: Sendable {
        public var record: Int
        public var old: (rule: String, action: GuardAction, mode: GuardMode)?
        public var new: (rule: String, action: GuardAction, mode: GuardMode)?
    }

    public var changes: [Change] = []

    public init(old: CompiledGuardPolicy, new: CompiledGuardPolicy, records: [GuardRecord]) {
        let a = GuardMatcher(old), b = GuardMatcher(new)
        func outcome(_ p: CompiledGuardPolicy, _ d: GuardDecision) -> (rule: String, action: GuardAction, mode: GuardMode)? {
            guard let i = d.rule, let r = p.rules.first(where: { $0.index == i }) else { return nil }
            return (r.rule.name, r.rule.action, r.rule.mode)
        }
        for (n, record) in records.enumerated() {
            let x = outcome(old, a.decide(record.facts)), y = outcome(new, b.decide(record.facts))
            if x?.rule != y?.rule || x?.action != y?.action || x?.mode != y?.mode {
                changes.append(Change(record: n, old: x, new: y))
            }
        }
    }

    /// Grouped by transition (`- rule a (kill)` → `+ rule b (alert)`), first few events each.
    public func report(records: [GuardRecord], samples: Int = 5) -> String {
        func text(_ o: (rule: String, action: GuardAction, mode: GuardMode)?) -> String {
            guard let o else { return "nothing" }
            return "\(o.rule) (\(o.mode == .monitor ? "monitor " : "")\(o.action.name))"
        }
        var groups: [(key: String, items: [Int])] = []
        var index: [String: Int] = [:]
        for c in changes {
            let key = "\(text(c.old)) -> \(text(c.new))"
            if let i = index[key] { groups[i].items.append(c.record) } else {
                index[key] = groups.count
                groups.append((key, [c.record]))
            }
        }
        var lines: [String] = []
        for g in groups {
            lines.append("\(g.key): \(g.items.count) event\(g.items.count == 1 ? "" : "s")")
            for n in g.items.prefix(samples) { lines.append("    " + records[n].summary) }
            if g.items.count > samples { lines.append("    ... and \(g.items.count - samples) more") }
        }
        lines.append("\(records.count) events, \(changes.count) decided differently")
        return lines.joined(separator: "\n")
    }
}
