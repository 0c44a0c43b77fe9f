import BPF

/// A guard instance loaded in the kernel with its rules and counters, read back from the
/// instance's own maps: what `guard status` prints. Instances are found by their `guard_exec`
/// program (`loaded()`: every one, pinned or run by a `guard run`) or by their pins (`pinned()`).
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
    /// Events lost because the ring buffer was full (a pinned guard has no reader, so every
    /// alert past the buffer's size counts here).
    public var lostEvents: UInt64
    /// Where it is pinned; nil for a guard that lives as long as its `guard run`.
    public var pinned: GuardPinLocation?

    /// Every guard instance in the kernel; those pinned under `root` carry their location.
    public static func loaded(root: String = GuardPinLocation.defaultRoot) throws(BPFError) -> [GuardStatus] {
        var pinnedByProgram: [UInt32: GuardPinLocation] = [:]
        for location in GuardPinLocation.installed(root: root) {
            if let id = try? Program.open(pinned: location.programPin("guard_exec")).id { pinnedByProgram[id] = location }
        }
        var out: [GuardStatus] = []
        for id in try Program.allIDs() {
            guard let program = try? Program.open(id: id), let info = try? program.info(), info.name == "guard_exec" else { continue }
            var maps: [String: Map] = [:]
            for mapID in info.mapIDs {
                if let m = try? Map.open(id: mapID), let name = try? m.info().name { maps[name] = m }
            }
            guard var status = try read(maps: maps, programID: id) else { continue }
            status.pinned = pinnedByProgram[id]
            out.append(status)
        }
        return out
    }

    /// The guards pinned under `root`, read from their pinned maps.
    /// - Throws: `GuardPinError` naming the first guard that cannot be read.
    public static func pinned(root: String = GuardPinLocation.defaultRoot) throws(GuardPinError) -> [GuardStatus] {
        var out: [GuardStatus] = []
        for location in GuardPinLocation.installed(root: root) { out.append(try pinned(at: location)) }
        return out
    }

    /// The guard pinned at `location`, read from its pinned maps.
    /// - Throws: `GuardPinError` when a pin is missing or is not what guard pins there (a load
    ///   that was killed halfway: `guard unload` removes it).
    public static func pinned(at location: GuardPinLocation) throws(GuardPinError) -> GuardStatus {
        do {
            let program = try Program.open(pinned: location.programPin("guard_exec"))
            var maps: [String: Map] = [:]
            // The kernel's map names are cut at 15 bytes; the pins carry the whole name.
            for name in ["guard_rules", "guard_counters", "guard_procs", "guard_dropped"] {
                maps[name] = try Map.open(pinned: location.mapPin(name))
            }
            guard var status = try read(maps: maps, programID: program.id) else {
                throw GuardPinError("\(location.directory): its maps are not guard's")
            }
            status.pinned = location
            return status
        } catch let error as GuardPinError {
            throw error
        } catch {
            throw GuardPinError("cannot read the guard pinned at \(location.directory) (\(error)); 'guard unload \(location.name)' removes it")
        }
    }

    /// Reads an instance from its maps by (kernel) name; nil when a map is missing.
    static func read(maps: [String: Map], programID: UInt32) throws(BPFError) -> GuardStatus? {
        guard let rulesMap = maps["guard_rules"], let countersMap = maps["guard_counters"], let procsMap = maps["guard_procs"] else { return nil }
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
        var lost: UInt64 = 0
        if let droppedMap = maps["guard_dropped"], let dropped = try? PerCPUArrayMap<UInt64>(droppedMap) {
            lost = (try? dropped.values(at: 0).reduce(0, +)) ?? 0
        }
        return GuardStatus(programID: programID, rules: rules, cachedProcesses: (try? procs.keys().count) ?? 0, lostEvents: lost, pinned: nil)
    }
}
