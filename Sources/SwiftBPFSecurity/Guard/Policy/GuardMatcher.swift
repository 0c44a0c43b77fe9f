/// What the matcher needs to know about one event: the same facts the kernel program reads.
public struct GuardMatchFacts: Sendable, Equatable {
    public var kind: GuardEventKind
    /// The binary the process runs, and its parent's.
    public var binary: FileID?
    public var parentBinary: FileID?
    public var fileless: Bool = false
    public var uid: UInt32
    /// The process's cgroup and its ancestors' ids, by level (index 0: the root cgroup).
    public var cgroupAncestors: [UInt64] = []
    /// open, unlink, rename, chmod, chown: the file and every directory above it, by identity
    /// (file first; for rename, the old name's chain then the new one's).
    public var pathChain: [FileID] = []
    public var write: Bool = false
    /// exec: the arguments, argv[0] first (argument conditions look at argv[1] on).
    public var argv: [String] = []
    /// connect, bind, sendmsg: the port (host order) and the address (16 bytes, IPv4 mapped).
    public var port: UInt16?
    public var address: [UInt8]?
    /// socket: the family (`AF_*`) and type (`SOCK_*`, without flags) asked for.
    public var socketFamily: UInt32?
    public var socketType: UInt32?
    /// device: the access the cgroup device hook saw.
    public var device: GuardDeviceAccess?

    public init(kind: GuardEventKind, binary: FileID?, parentBinary: FileID?, uid: UInt32) {
        self.kind = kind
        self.binary = binary
        self.parentBinary = parentBinary
        self.uid = uid
    }
}

/// An access to a device node as `BPF_CGROUP_DEVICE` programs see it: the type
/// (`BPF_DEVCG_DEV_BLOCK` 1, `_CHAR` 2), the numbers, and `BPF_DEVCG_ACC_*` bits.
public struct GuardDeviceAccess: Sendable, Equatable {
    public var type: UInt32
    public var major: UInt32
    public var minor: UInt32
    public var access: UInt32

    public init(type: UInt32, major: UInt32, minor: UInt32, access: UInt32) {
        self.type = type
        self.major = major
        self.minor = minor
        self.access = access
    }

    /// `c 1:3 rw`.
    public var text: String { GuardDevice.describe(type: type, major: major, minor: minor, access: access) }
}

/// The outcome of matching one event.
public struct GuardDecision: Sendable, Equatable {
    /// Every rule that matched, by index.
    public var matched: [Int] = []
    /// The deciding rule: enforced before monitored, then kill > deny > alert, then the first.
    public var rule: Int?
    public var action: GuardAction = .none
    /// True when the deciding rule is in enforce mode.
    public var enforce: Bool = false

    public init() {}
}

/// The policy matcher as a pure function over event facts: the algorithm of `decide()` in
/// guard_kernel.bpf.c, over the same compiled tables, for `guard replay` and for tests.
public struct GuardMatcher: Sendable {
    public let policy: CompiledGuardPolicy

    public init(_ policy: CompiledGuardPolicy) { self.policy = policy }

    public func decide(_ facts: GuardMatchFacts) -> GuardDecision {
        var rules = policy.candidates(kind: facts.kind, binary: facts.binary, parent: facts.parentBinary, fileless: facts.fileless)
        let masks = policy.masks
        if facts.kind == .exec, rules & masks.args != 0 {
            var argRules: UInt128 = 0
            for a in facts.argv.dropFirst() { argRules |= policy.arguments[GuardArgumentHash.of(a)] ?? 0 }
            rules = (rules & ~masks.args) | (rules & argRules)
        }
        switch facts.kind {
        case .open:
            if !facts.write { rules &= ~masks.writeOnly }
            if rules != 0 {
                // As the kernel: the walk also collects except_paths exemptions, so it runs for any candidate rule.
                var pathRules: UInt128 = 0
                var except: UInt128 = 0
                for id in facts.pathChain.prefix(32) {
                    pathRules |= policy.inodes[id]?.path ?? 0
                    except |= policy.inodes[id]?.pathExcept ?? 0
                }
                rules &= (pathRules | masks.noPath) & ~except
            }
        case .unlink, .rename, .chmod, .chown:
            rules &= masks.noPort & masks.noAddress
            if rules & ~masks.noPath != 0 {
                var pathRules: UInt128 = 0
                for id in facts.pathChain.prefix(facts.kind == .rename ? 64 : 32) { pathRules |= policy.inodes[id]?.path ?? 0 }
                rules &= pathRules | masks.noPath
            }
        case .listen, .accept where facts.address == nil:
            // Not an inet socket (unix): rules with network conditions cannot match, as in the kernel.
            rules &= masks.noPort & masks.noAddress
        case .connect, .bind, .sendmsg, .listen, .accept:
            let port = facts.port.flatMap { policy.ports[$0] } ?? 0
            rules &= port | masks.noPort
            rules &= ~(facts.port.flatMap { policy.portExcept[$0] } ?? 0)
            if rules & ~masks.noAddress != 0 {
                let addressRules = facts.address.map { CompiledGuardPolicy.longestMatch(policy.addresses, $0) } ?? 0
                rules &= addressRules | masks.noAddress
            }
            if rules & masks.exceptPeer != 0, let a = facts.address, let port = facts.port {
                rules &= ~policy.peerExemptions(address: a, port: port)
            }
        case .socket:
            rules &= policy.socketRules(family: facts.socketFamily ?? 0, type: facts.socketType ?? 0)
        case .device:
            let d = facts.device ?? GuardDeviceAccess(type: 0, major: 0, minor: 0, access: 0)
            rules &= policy.deviceRules(type: d.type, major: d.major, minor: d.minor, access: d.access)
        default:
            rules &= masks.noPath & masks.noPort & masks.noAddress
        }
        var decision = GuardDecision()
        for r in policy.rules where rules & r.bit != 0 {
            if !r.rule.users.isEmpty && !r.rule.users.contains(facts.uid) { continue }
            if let c = r.cgroup {
                guard c.level < facts.cgroupAncestors.count, facts.cgroupAncestors[c.level] == c.id else { continue }
            }
            decision.matched.append(r.index)
            let enforce = r.rule.mode == .enforce
            let better = decision.rule == nil || (enforce && !decision.enforce) ||
                (enforce == decision.enforce && r.rule.action > decision.action)
            if better {
                decision.rule = r.index
                decision.action = r.rule.action
                decision.enforce = enforce
            }
        }
        return decision
    }
}
