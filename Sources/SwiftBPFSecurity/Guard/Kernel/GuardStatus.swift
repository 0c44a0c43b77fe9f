import BPF

/// The guard instances loaded in the kernel (found by their `guard_exec` program) with their
/// rules, read back from the instance's own maps: what `guard status` prints.
public struct GuardStatus: Sendable {
    public struct Rule: Sendable {
        public var index: Int
        public var name: String
        public var kinds: [GuardEventKind]
        public var action: GuardAction
        public var mode: GuardMode
        public var matched: UInt64
        public var acted: UInt64
    }

    public var programID: UInt32
    public var rules: [Rule]
    public var cachedProcesses: Int

    public static func loaded() throws(BPFError) -> [GuardStatus] {
        var out: [GuardStatus] = []
        for id in try Program.allIDs() {
            guard let program = try? Program.open(id: id), let info = try? program.info(), info.name == "guard_exec" else { continue }
            var maps: [String: Map] = [:]
            for mapID in info.mapIDs {
                if let m = try? Map.open(id: mapID), let name = try? m.info().name { maps[name] = m }
            }
            guard let rulesMap = maps["guard_rules"], let countersMap = maps["guard_counters"], let procsMap = maps["guard_procs"] else { continue }
            let ruleTable = try ArrayMap<GuardKernelObject.GuardRule>(rulesMap)
            let counters = try PerCPUArrayMap<GuardKernelObject.GuardCounter>(countersMap)
            var rules: [Rule] = []
            for i in 0..<UInt32(GuardPolicy.maxRules) {
                let r = try ruleTable.value(at: i)
                guard r.kinds != 0 else { continue }
                let c = try counters.values(at: i)
                let name = withUnsafeBytes(of: r.name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
                rules.append(Rule(index: Int(i), name: name,
                                  kinds: GuardEventKind.allCases.filter { r.kinds & (1 << $0.rawValue) != 0 },
                                  action: GuardAction(rawValue: r.action) ?? .none, mode: r.enforce != 0 ? .enforce : .monitor,
                                  matched: c.reduce(0) { $0 + $1.matched }, acted: c.reduce(0) { $0 + $1.acted }))
            }
            let procs = try HashMap<UInt32, GuardKernelObject.GuardProc>(procsMap)
            out.append(GuardStatus(programID: id, rules: rules, cachedProcesses: (try? procs.keys().count) ?? 0))
        }
        return out
    }
}
