import BPF
import Glibc

/// The XDP firewall of one network interface, as pinned in bpffs (see `FirewallLocation`):
/// install it with `install`, open it again from another process with `open`, change its rules
/// and blocklist, read its counters, and remove it with `uninstall`.
///
/// Every map is reached through the typed bindings of firewall.bpf.c (`FirewallObject`), which
/// also drive its Swift twin, firewall_swift.bpf.swift (`BPFProgramLanguage`).
public struct Firewall: Sendable {
    /// How the program is attached.
    public enum Mode: String, Sendable, CaseIterable, Codable {
        /// Driver XDP (`XDP_FLAGS_DRV_MODE`): before the stack allocates a socket buffer.
        case native
        /// Generic XDP (`XDP_FLAGS_SKB_MODE`): works on every device, after the skb exists.
        case generic

        var flags: XDPFlags { self == .native ? .driverMode : .skbMode }
        var code: UInt32 { self == .native ? 1 : 2 }
        init?(code: UInt32) {
            switch code {
            case 1: self = .native
            case 2: self = .generic
            default: return nil
            }
        }
    }

    /// Where the firewall is pinned.
    public let location: FirewallLocation
    let bpf: FirewallObject

    /// Loads the firewall on `interface`, with the rules and default policy of `ruleSet`
    /// (`defaultAction` overrides the file's; allow if neither says), attaches it in `mode` and
    /// pins the program, the link and the maps under `root`. With `dryRun`, every deny (rules,
    /// default policy, blocklist) only counts. All or nothing: on any error every pin made is
    /// removed and the interface is left as it was. With `lockoutGuard`, a policy that would
    /// drop a connection the guard protects is refused before anything is loaded.
    /// `trackSources` counts drops per source address (`status`'s top dropped sources).
    /// `language` picks the XDP program: firewall.bpf.c or its Swift twin (by default, the
    /// build's choice).
    public static func install(
        interface: String, mode: Mode = .native, ruleSet: FirewallRuleParser.RuleSet = .init(),
        defaultAction: FirewallAction? = nil, dryRun: Bool = false, trackSources: Bool = true,
        guard lockoutGuard: LockoutGuard? = nil, root: String = FirewallLocation.defaultRoot,
        language: BPFProgramLanguage = .buildDefault
    ) throws(FirewallError) -> Firewall {
        let location = try FirewallLocation(interface: interface, root: root)
        guard let index = try? Syscalls.interfaceIndex(name: interface) else { throw FirewallError("no network interface '\(interface)'") }
        guard !location.isInstalled else {
            throw FirewallError("a firewall is already loaded on \(interface) (pins in \(location.directory)); unload it first")
        }
        let policy = defaultAction ?? ruleSet.defaultAction ?? .allow
        guard policy == .allow || policy == .deny else { throw FirewallError("the default policy is allow or deny") }
        for (i, r) in ruleSet.rules.enumerated() {
            if let other = ruleSet.rules[..<i].first(where: { $0.conflicts(with: r) }) {
                throw FirewallError("rule '\(r)' overlaps '\(other)'")
            }
        }
        if let lockoutGuard, !dryRun {
            try lockoutGuard.check(FirewallPolicy(rules: ruleSet.rules, defaultAction: policy), change: "to load this policy")
        }
        guard ruleSet.rules.count < Int(FirewallABI.maxRules) else {
            throw FirewallError("\(ruleSet.rules.count) rules; the firewall holds at most \(FirewallABI.maxRules - 1)")
        }
        do {
            try location.makeDirectory()
        } catch {
            throw .kernel("cannot make the pin directory \(location.directory)", error)
        }
        do {
            var options = LoadOptions()
            options.pinRoot = location.directory
            let bpf = try FirewallObject.load(language: language, options: options)
            let firewall = Firewall(location: location, bpf: bpf)
            var config = FirewallObject.FwConfig()
            config.defaultAction = UInt32(FirewallABI.code(dryRun && policy == .deny ? .count : policy))
            config.blocklistAction = UInt32(FirewallABI.code(dryRun ? .count : .deny))
            config.xdpMode = mode.code
            config.stages = FirewallABI.Stages(ruleSet.rules).rawValue
            config.trackSources = trackSources ? 1 : 0
            try bpf.configMap.set(config, at: 0)
            for r in ruleSet.rules { _ = try firewall.write(r, id: try firewall.freeID(), dryRun: dryRun) }
            let link = try bpf.firewall.attach(interfaceIndex: index, flags: mode.flags)
            try link.pin(location.linkPin)
            try bpf.firewall.program.pin(location.programPin)
            return firewall
        } catch let error as BPFError {
            location.removeAll()
            if case let .syscall(_, e) = error, e.rawValue == EOPNOTSUPP || e == .EINVAL, mode == .native {
                throw .kernel("cannot attach in native mode to \(interface) (its driver may lack XDP; try --mode generic)", error)
            }
            throw .kernel("cannot load the firewall on \(interface)", error)
        } catch let error as FirewallError {
            location.removeAll()
            throw error
        } catch {
            location.removeAll()
            throw FirewallError("cannot load the firewall on \(interface): \(error)")
        }
    }

    /// Opens the firewall pinned for `interface`, to read or change it. Either `language`'s
    /// object reuses the pinned maps, whichever program is attached.
    public static func open(interface: String, root: String = FirewallLocation.defaultRoot,
                            language: BPFProgramLanguage = .buildDefault) throws(FirewallError) -> Firewall {
        let location = try FirewallLocation(interface: interface, root: root)
        guard Syscalls.exists(location.linkPin) else {
            throw FirewallError("no firewall is loaded on \(interface) (nothing pinned at \(location.linkPin))")
        }
        do {
            var options = LoadOptions()
            options.pinRoot = location.directory
            // Loading again reuses every pinned map (LIBBPF_PIN_BY_NAME); the program loaded
            // with them is dropped, the pinned one stays attached.
            return Firewall(location: location, bpf: try FirewallObject.load(language: language, options: options))
        } catch {
            throw .kernel("cannot open the firewall of \(interface)", error)
        }
    }

    /// Detaches the firewall of `interface` and removes its pins; with them go the program,
    /// the link and every map. Returns the pins removed.
    @discardableResult
    public static func uninstall(interface: String, root: String = FirewallLocation.defaultRoot) throws(FirewallError) -> [String] {
        let location = try FirewallLocation(interface: interface, root: root)
        guard location.isInstalled else { throw FirewallError("no firewall is loaded on \(interface)") }
        // BPF_LINK_DETACH first, so the interface is free even if another process still holds
        // a descriptor of the link.
        if let link = try? Link.open(pinned: location.linkPin) { try? link.detach() }
        return location.removeAll()
    }

    // MARK: Configuration

    /// Whether denies only count (installed with `dryRun`).
    public func isDryRun() throws(FirewallError) -> Bool {
        try config().blocklistAction == UInt32(FirewallABI.code(.count))
    }

    func config() throws(FirewallError) -> FirewallObject.FwConfig {
        do { return try bpf.configMap.value(at: 0) } catch { throw .kernel("cannot read the firewall's configuration", error) }
    }

    func setConfig(_ c: FirewallObject.FwConfig) throws(FirewallError) {
        do { try bpf.configMap.set(c, at: 0) } catch { throw .kernel("cannot write the firewall's configuration", error) }
    }

    /// Sets the default policy (allow or deny; a deny only counts on a dry-run firewall).
    public func setDefault(_ action: FirewallAction, guard lockoutGuard: LockoutGuard? = nil) throws(FirewallError) {
        guard action == .allow || action == .deny else { throw FirewallError("the default policy is allow or deny") }
        try check(lockoutGuard, rules: try rules().map(\.rule), defaultAction: action, change: "to make the default \(action)")
        var c = try config()
        let dryRun = try isDryRun()
        c.defaultAction = UInt32(FirewallABI.code(action == .deny && dryRun ? .count : action))
        try setConfig(c)
    }
}
