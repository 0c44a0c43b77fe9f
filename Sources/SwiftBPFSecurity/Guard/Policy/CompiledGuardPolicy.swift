/// A policy with its names resolved (binaries and paths to inodes, cgroups to ids) and laid out
/// as the kernel program's tables: masks per kind, inode → rules, port → rules, prefix → rules.
/// A set of rules is a `UInt128`, bit i for rule i (`struct guard_mask` in the kernel).
/// Pure: `GuardPolicyCompiler` builds it with a `GuardResolver`; `GuardMatcher` and the
/// kernel loader both read it, which is what keeps replay and the kernel in agreement.
public struct CompiledGuardPolicy: Sendable {
    public struct Rule: Sendable {
        public var index: Int
        public var rule: GuardRule
        public var binaries: Set<FileID>
        public var parents: Set<FileID>
        /// The inodes of `paths` (files or directories).
        public var paths: Set<FileID>
        /// The inodes of `exceptBinaries` and `exceptPaths`: what the rule exempts.
        public var exceptBinaries: Set<FileID> = []
        public var exceptPaths: Set<FileID> = []
        public var cgroup: (id: UInt64, level: Int)?
        public var bit: UInt128 { 1 << UInt128(index) }
        /// Deny on an LSM-hooked kind, or paths on a file call other than open.
        public var needsLSM: Bool {
            (rule.action == .deny && rule.kinds.contains(where: \.isLSMHook)) ||
                (!rule.paths.isEmpty && rule.kinds.contains { $0.isPathCall && $0 != .open })
        }
    }

    /// The masks of `struct guard_config`.
    public struct Masks: Sendable, Equatable {
        public var kinds = [UInt128](repeating: 0, count: 32)
        public var noBinary: UInt128 = 0
        public var noParent: UInt128 = 0
        public var noPath: UInt128 = 0
        public var noPort: UInt128 = 0
        public var noAddress: UInt128 = 0
        public var writeOnly: UInt128 = 0
        public var fileless: UInt128 = 0
        /// Rules only a BPF LSM hook can carry out: deny on exec and file calls, and path
        /// conditions of unlink/rename/chmod/chown (matched by inode from the hook's dentry).
        public var lsm: UInt128 = 0
        /// exec rules with an argument condition.
        public var args: UInt128 = 0
        /// Rules with `except_peers`.
        public var exceptPeer: UInt128 = 0
        /// Rules without a socket `families` or `types` condition.
        public var noFamily: UInt128 = 0
        public var noType: UInt128 = 0
    }

    /// The three masks an inode carries (`struct guard_inode_rules`).
    public struct InodeRules: Sendable, Equatable {
        public var binary: UInt128 = 0
        public var parent: UInt128 = 0
        public var path: UInt128 = 0
        /// Rules that exempt a process running this binary, and opens of it or below it.
        public var binaryExcept: UInt128 = 0
        public var pathExcept: UInt128 = 0
    }

    public var rules: [Rule]
    public var masks = Masks()
    public var inodes: [FileID: InodeRules] = [:]
    public var ports: [UInt16: UInt128] = [:]
    /// Ports named by `except_ports` → the rules that do not apply to them.
    public var portExcept: [UInt16: UInt128] = [:]
    /// Socket conditions: a family, or `socketTypeKey | type` → the rules naming it
    /// (`guard_socket_args`).
    public var socketArgs: [UInt32: UInt128] = [:]
    public static let socketTypeKey: UInt32 = 0x10000
    /// Device conditions: (type, major or `GuardDevice.any`, minor or any) → the rules naming
    /// it, by access (index 0 mknod, 1 read, 2 write: the bits of `BPF_DEVCG_ACC_*`), as
    /// `guard_devices` holds them.
    public var devices: [DeviceKey: [UInt128]] = [:]
    public struct DeviceKey: Sendable, Hashable {
        public var type: UInt32
        public var major: UInt32
        public var minor: UInt32
    }
    /// Argument conditions: `GuardArgumentHash` of an argument → the rules naming it.
    public var arguments: [UInt64: UInt128] = [:]
    /// Each range with the rules of itself and of every range that contains it (the kernel's LPM
    /// trie returns only the longest match).
    public var addresses: [(range: GuardAddressRange, rules: UInt128)] = []
    /// `except_peers` with a port: each (port, range) with the rules of itself and of every
    /// range of the same port that contains it (the kernel's `guard_peer_except` trie).
    public var peerExcept: [(port: UInt16, range: GuardAddressRange, rules: UInt128)] = []
    /// `except_peers` without a port, laid out the same way (`guard_addr_except`).
    public var addressExcept: [(range: GuardAddressRange, rules: UInt128)] = []
    /// The entries each of the kernel's address tries holds (`max_entries` in guard_kernel.bpf.c).
    public static let maxAddressEntries = 4096
    /// Names that did not resolve and were left out, as warnings (a binary that is not installed).
    public var warnings: [String] = []

    /// A policy of `rules` with its tables laid out (no rules: events only, nothing matched).
    public init(rules: [Rule]) {
        self.rules = rules
        layOut()
    }

    /// The rules that need the BPF LSM, by name (none: the policy runs on any kernel guard loads on).
    public var rulesNeedingLSM: [String] { rules.filter(\.needsLSM).map(\.rule.name) }

    /// Every rule switched to monitor mode (`guard run --monitor`).
    public func monitoring() -> CompiledGuardPolicy {
        var copy = self
        for i in copy.rules.indices { copy.rules[i].rule.mode = .monitor }
        return copy
    }

    /// Rules whose selectors a process with this binary and parent binary passes, for `kind`
    /// (before the user, cgroup and condition checks).
    public func candidates(kind: GuardEventKind, binary: FileID?, parent: FileID?, fileless: Bool) -> UInt128 {
        var bin = masks.noBinary
        if let binary { bin |= inodes[binary]?.binary ?? 0 }
        if fileless { bin |= masks.fileless }
        var par = masks.noParent
        if let parent { par |= inodes[parent]?.parent ?? 0 }
        let except = binary.flatMap { inodes[$0]?.binaryExcept } ?? 0
        return masks.kinds[Int(kind.rawValue)] & bin & par & ~except
    }

    /// The rules whose `devices` cover an access (`BPF_DEVCG_ACC_*` bits) of `type` to
    /// `major:minor`: the four lookups the kernel makes (exact, any minor, any major, any).
    public func deviceRules(type: UInt32, major: UInt32, minor: UInt32, access: UInt32) -> UInt128 {
        var rules: UInt128 = 0
        for (ma, mi) in [(major, minor), (major, GuardDevice.any), (GuardDevice.any, minor), (GuardDevice.any, GuardDevice.any)] {
            guard let byAccess = devices[DeviceKey(type: type, major: ma, minor: mi)] else { continue }
            for bit in 0..<3 where access & (1 << bit) != 0 { rules |= byAccess[bit] }
        }
        return rules
    }

    /// The rules whose `families` and `types` conditions admit a socket of this family and type.
    public func socketRules(family: UInt32, type: UInt32) -> UInt128 {
        ((socketArgs[family] ?? 0) | masks.noFamily) & ((socketArgs[Self.socketTypeKey | type] ?? 0) | masks.noType)
    }

    /// The rules whose `except_peers` exempt a call to `address` on `port`: the longest match
    /// among the entries with that port, with the longest among those on any port, as the
    /// kernel's two tries answer.
    public func peerExemptions(address: [UInt8], port: UInt16) -> UInt128 {
        var withPort: UInt128 = 0
        var best = -1
        for e in peerExcept where e.port == port && e.range.prefixLength > best && e.range.contains(address) {
            best = e.range.prefixLength
            withPort = e.rules
        }
        return withPort | Self.longestMatch(addressExcept, address)
    }

    /// The rules of the longest range in `table` that contains `address` (0 when none does).
    static func longestMatch(_ table: [(range: GuardAddressRange, rules: UInt128)], _ address: [UInt8]) -> UInt128 {
        var rules: UInt128 = 0
        var best = -1
        for (range, bits) in table where range.prefixLength > best && range.contains(address) {
            best = range.prefixLength
            rules = bits
        }
        return rules
    }

    /// Each range with the rules of itself and of every range that contains it: what an LPM
    /// trie entry must hold, since a lookup returns only the longest match.
    static func enclosingUnions(_ ranges: [(GuardAddressRange, UInt128)]) -> [(range: GuardAddressRange, rules: UInt128)] {
        var merged: [(GuardAddressRange, UInt128)] = []
        for (a, bit) in ranges {
            if let i = merged.firstIndex(where: { $0.0 == a }) { merged[i].1 |= bit } else { merged.append((a, bit)) }
        }
        return merged.map { range, _ in
            var rules: UInt128 = 0
            for (other, bits) in merged where other.prefixLength <= range.prefixLength && other.contains(range.address) { rules |= bits }
            return (range, rules)
        }
    }
}

public enum GuardPolicyCompiler {
    /// Resolves and lays out `policy`. A rule whose every binary is missing is an error (it
    /// would otherwise match nothing, silently); single missing names are warnings.
    public static func compile(_ policy: GuardPolicy, resolver: some GuardResolver) throws(GuardPolicyError) -> CompiledGuardPolicy {
        var out = CompiledGuardPolicy(rules: [])
        for (index, rule) in policy.rules.enumerated() {
            func resolve(_ selectors: [GuardFileSelector], _ what: String) throws(GuardPolicyError) -> Set<FileID> {
                var ids = Set<FileID>()
                for s in selectors {
                    switch s {
                    case .inode(let id): ids.insert(id)
                    case .path(let p):
                        if let id = resolver.fileID(p) { ids.insert(id) } else { out.warnings.append("rule '\(rule.name)': \(what) \(p) does not exist; left out") }
                    }
                }
                if !selectors.isEmpty && ids.isEmpty {
                    throw GuardPolicyError("none of the \(what) names of rule '\(rule.name)' exists (\(selectors.map(\.description).joined(separator: ", "))): the rule would match nothing",
                                           at: rule.location, field: what)
                }
                return ids
            }
            let binaries = try resolve(rule.binaries, "binary")
            let parents = try resolve(rule.parents, "parent")
            var paths = Set<FileID>()
            for p in rule.paths {
                if let id = resolver.fileID(p) { paths.insert(id) } else { out.warnings.append("rule '\(rule.name)': path \(p) does not exist; left out") }
            }
            // Exemptions that do not exist exempt nothing: warnings, never errors.
            var exceptBinaries = Set<FileID>()
            for s in rule.exceptBinaries {
                switch s {
                case .inode(let id): exceptBinaries.insert(id)
                case .path(let p):
                    if let id = resolver.fileID(p) { exceptBinaries.insert(id) } else { out.warnings.append("rule '\(rule.name)': except_binary \(p) does not exist; left out") }
                }
            }
            var exceptPaths = Set<FileID>()
            for p in rule.exceptPaths {
                if let id = resolver.fileID(p) { exceptPaths.insert(id) } else { out.warnings.append("rule '\(rule.name)': except_paths \(p) does not exist; left out") }
            }
            if !rule.paths.isEmpty && paths.isEmpty {
                throw GuardPolicyError("none of the paths of rule '\(rule.name)' exists: paths are matched by inode, so they must exist when the policy loads",
                                       at: rule.location, field: "paths")
            }
            var cgroup: (id: UInt64, level: Int)?
            if let c = rule.cgroup {
                guard let resolved = resolver.cgroup(c) else {
                    throw GuardPolicyError("cgroup \(c) is not a cgroup v2 directory", at: rule.location, field: "cgroup")
                }
                cgroup = resolved
            }
            out.rules.append(.init(index: index, rule: rule, binaries: binaries, parents: parents, paths: paths,
                                   exceptBinaries: exceptBinaries, exceptPaths: exceptPaths, cgroup: cgroup))
        }
        out.layOut()
        let tables = [(out.addresses.count, "address ranges", "addresses"), (out.peerExcept.count, "peers with a port", "except_peers"),
                      (out.addressExcept.count, "peers without a port", "except_peers")]
        for (count, what, field) in tables where count > CompiledGuardPolicy.maxAddressEntries {
            throw GuardPolicyError("the policy names \(count) distinct \(what); the kernel's table holds \(CompiledGuardPolicy.maxAddressEntries)", field: field)
        }
        return out
    }
}

extension CompiledGuardPolicy {
    mutating func layOut() {
        masks = Masks()
        inodes = [:]
        ports = [:]
        portExcept = [:]
        arguments = [:]
        socketArgs = [:]
        devices = [:]
        addresses = []
        for r in rules {
            let bit = r.bit
            for k in r.rule.kinds { masks.kinds[Int(k.rawValue)] |= bit }
            if r.binaries.isEmpty && !r.rule.fileless { masks.noBinary |= bit }
            if r.rule.fileless { masks.fileless |= bit }
            if r.parents.isEmpty { masks.noParent |= bit }
            if r.paths.isEmpty { masks.noPath |= bit }
            if r.rule.ports.isEmpty { masks.noPort |= bit }
            if r.rule.addresses.isEmpty { masks.noAddress |= bit }
            if r.rule.access == .write { masks.writeOnly |= bit }
            if r.needsLSM { masks.lsm |= bit }
            if !r.rule.arguments.isEmpty { masks.args |= bit }
            if r.rule.families.isEmpty { masks.noFamily |= bit }
            if r.rule.socketTypes.isEmpty { masks.noType |= bit }
            for f in r.rule.families { socketArgs[f, default: 0] |= bit }
            for t in r.rule.socketTypes { socketArgs[Self.socketTypeKey | t, default: 0] |= bit }
            for a in r.rule.arguments { arguments[GuardArgumentHash.of(a), default: 0] |= bit }
            for d in r.rule.devices {
                for t in d.types {
                    let key = DeviceKey(type: t.rawValue, major: d.major ?? GuardDevice.any, minor: d.minor ?? GuardDevice.any)
                    var byAccess = devices[key] ?? [0, 0, 0]
                    for bit in 0..<3 where d.access.rawValue & (1 << bit) != 0 { byAccess[bit] |= r.bit }
                    devices[key] = byAccess
                }
            }
            for id in r.binaries { inodes[id, default: InodeRules()].binary |= bit }
            for id in r.parents { inodes[id, default: InodeRules()].parent |= bit }
            for id in r.paths { inodes[id, default: InodeRules()].path |= bit }
            for range in r.rule.ports {
                for p in range { ports[p, default: 0] |= bit }
            }
            for id in r.exceptBinaries { inodes[id, default: InodeRules()].binaryExcept |= bit }
            for id in r.exceptPaths { inodes[id, default: InodeRules()].pathExcept |= bit }
            for range in r.rule.exceptPorts {
                for p in range { portExcept[p, default: 0] |= bit }
            }
        }
        addresses = Self.enclosingUnions(rules.flatMap { r in r.rule.addresses.map { ($0, r.bit) } })
        let peers = rules.flatMap { r in r.rule.exceptPeers.map { (peer: $0, bit: r.bit) } }
        for r in rules where !r.rule.exceptPeers.isEmpty { masks.exceptPeer |= r.bit }
        addressExcept = Self.enclosingUnions(peers.filter { $0.peer.port == nil }.map { ($0.peer.range, $0.bit) })
        peerExcept = []
        for port in Set(peers.compactMap(\.peer.port)).sorted() {
            let sameport = peers.filter { $0.peer.port == port }.map { ($0.peer.range, $0.bit) }
            peerExcept += Self.enclosingUnions(sameport).map { (port, $0.range, $0.rules) }
        }
    }
}
