import BPF
import Glibc

/// guard's BPF program, loaded with a compiled policy and attached: process lifecycle and
/// system-call tracepoints for every process, and (when a rule or `report` needs them) the
/// cgroup socket and device hooks at the root of the cgroup v2 hierarchy. Releasing it detaches everything.
public final class GuardSession: Sendable {
    /// How to run.
    public struct Options: Sendable {
        /// Kinds reported even when no rule matches. exec, fork and exit keep the process cache
        /// and lineage, so they are reported by default, with the privilege and kernel kinds.
        public var report: Set<GuardEventKind> = Set(GuardEventKind.lifecycle + GuardEventKind.privileged)
        /// The ring buffer's size in bytes (a power of two, at least a page); nil keeps 4 MiB.
        public var ringBufferSize: UInt32?
        /// Where the socket hooks attach; nil: the cgroup v2 mount's root (every process).
        public var cgroupRoot: String?
        /// Seed the kernel's process cache from /proc (processes that predate guard).
        public var seedFromProc: Bool = true
        /// Wake the consumer only once this many bytes of events wait (nil: an eighth of the
        /// ring; 0: on every event). A consumer that polls with a timeout sees the rest then.
        public var wakeupBytes: UInt32?
        /// Leave this process's own bpf() calls out of the events (it reads guard's maps). Off
        /// for a pinned guard, which outlives the process that loaded it.
        public var exemptSelf: Bool = true

        public init() {}
    }

    public let policy: CompiledGuardPolicy
    let bindings: GuardKernelObject
    /// Every attachment, by the name of the program it runs.
    let links: [(program: String, link: Link)]
    let ring: RingBuffer
    /// Tracepoints this kernel does not have (their calls do not exist here), by name.
    public let unavailable: [String]
    /// What this kernel allows (BPF LSM or not), as probed at load.
    public let enforcement: GuardEnforcement
    /// True when the policy's LSM rules run in attached BPF LSM programs.
    public let lsmAttached: Bool

    /// Loads, fills the tables from `policy`, and attaches. Events start at once.
    public init(policy: CompiledGuardPolicy, options: Options = Options()) throws(BPFError) {
        self.policy = policy
        var config = GuardKernelObject.Config()
        config.maxEntries.guardEvents = options.ringBufferSize
        let enforcement = GuardEnforcement.probe()
        self.enforcement = enforcement
        // Rules that only a BPF LSM hook can carry out are refused where there is none, naming
        // the strongest action this kernel has, instead of loading rules that would never act.
        let needingLSM = policy.rulesNeedingLSM
        if !needingLSM.isEmpty && !enforcement.lsm {
            throw .notSupported(feature: "BPF LSM, needed by rule(s) \(needingLSM.map { "'\($0)'" }.joined(separator: ", ")) (deny on exec or file calls, or paths on unlink/rename/chmod/chown)",
                                reason: "\(enforcement.reason ?? "probe failed"); the strongest action available here is kill (SIGKILL from the call's tracepoint, by binary and open paths), or deny for connect/bind/sendmsg")
        }
        lsmAttached = !needingLSM.isEmpty
        var loadOptions = LoadOptions()
        if lsmAttached {
            let spec = try ObjectSpec(bytes: GuardKernelObject.embedded.bytes, name: GuardKernelObject.embedded.name)
            loadOptions.programs = Set(spec.mainPrograms.filter { $0.autoload || GuardEnforcement.lsmPrograms.contains($0.name) }.map(\.name))
        }
        let bindings = try GuardKernelObject.load(config: config, options: loadOptions)
        self.bindings = bindings
        let wakeup = options.wakeupBytes ?? (options.ringBufferSize ?? 4 << 20) / 8
        try Self.fill(bindings, policy: policy, report: options.report, lsm: lsmAttached, selfTgid: options.exemptSelf ? UInt32(getpid()) : 0,
                      wakeupBytes: wakeup)
        if options.seedFromProc { try Self.seed(bindings, policy: policy, snapshots: ProcessSnapshot.all()) }
        ring = try RingBuffer(map: bindings.guardEvents.map)
        try GuardMounts.prepare()
        var links: [(program: String, link: Link)] = []
        var unavailable: [String] = []
        for program in bindings.object.spec.mainPrograms where program.type == .tracepoint || program.type == .tracing || (lsmAttached && program.type == .lsm) {
            do {
                links.append((program.name, try bindings.object.attach(program.name)))
            } catch {
                // A syscall this kernel was built without (init_module without CONFIG_MODULES):
                // its events cannot happen, so the rest runs and the gap is reported.
                guard program.type == .tracepoint, case .missing = error else { throw error }
                unavailable.append(program.sectionName.split(separator: "/").last.map(String.init) ?? program.name)
            }
        }
        self.unavailable = unavailable
        let socketKinds: [GuardEventKind] = [.connect, .bind, .sendmsg, .socket]
        let needsHooks = socketKinds.contains { options.report.contains($0) || policy.masks.kinds[Int($0.rawValue)] != 0 }
        if needsHooks {
            guard let root = options.cgroupRoot ?? SystemGuardResolver.cgroup2Mount() else {
                throw .invalidArgument("the policy has network rules, but no cgroup v2 hierarchy is mounted (see /proc/mounts)")
            }
            let hooks: [(String, AttachType)] = [
                ("guard_connect4", .cgroupInet4Connect), ("guard_connect6", .cgroupInet6Connect),
                ("guard_bind4", .cgroupInet4Bind), ("guard_bind6", .cgroupInet6Bind),
                ("guard_sendmsg4", .cgroupUDP4Sendmsg), ("guard_sendmsg6", .cgroupUDP6Sendmsg),
            ]
            for (name, type) in hooks {
                links.append((name, try Link.attachCgroup(program: bindings.object.program(name), cgroupPath: root, attachType: type)))
            }
            // BPF_CGROUP_INET_SOCK_CREATE: socket() of inet and inet6 (other families: the tracepoint).
            links.append(("guard_sock_create", try bindings.guardSockCreate.attach(cgroup: root)))
        }
        if options.report.contains(.device) || policy.masks.kinds[Int(GuardEventKind.device.rawValue)] != 0 {
            guard let root = options.cgroupRoot ?? SystemGuardResolver.cgroup2Mount() else {
                throw .invalidArgument("the policy has device rules, but no cgroup v2 hierarchy is mounted (see /proc/mounts)")
            }
            // BPF_CGROUP_DEVICE: opening or creating a device node, for every task below the root.
            links.append(("guard_device", try bindings.guardDevice.attach(cgroup: root)))
        }
        self.links = links
    }

    /// Writes the compiled policy into the program's maps.
    /// `selfTgid`: the process whose bpf() calls are not events (0: none); `wakeupBytes`: the
    /// events waiting before one wakes the consumer (0: each).
    static func fill(_ b: GuardKernelObject, policy: CompiledGuardPolicy, report: Set<GuardEventKind>, lsm: Bool, selfTgid: UInt32,
                     wakeupBytes: UInt32) throws(BPFError) {
        for r in policy.rules {
            var k = GuardKernelObject.GuardRule()
            k.kinds = r.rule.kinds.reduce(0) { $0 | 1 << $1.rawValue }
            k.action = r.rule.action.rawValue
            k.enforce = r.rule.mode == .enforce ? 1 : 0
            k.uidCount = UInt8(r.rule.users.count)
            for (i, uid) in r.rule.users.prefix(8).enumerated() { k.uids[i] = uid }
            if let c = r.cgroup {
                k.cgroupId = c.id
                k.cgroupLevel = UInt8(c.level)
            }
            for (i, byte) in r.rule.name.utf8.prefix(63).enumerated() { k.name[i] = Int8(bitPattern: byte) }
            try b.guardRules.set(k, at: UInt32(r.index))
        }
        for (id, rules) in policy.inodes {
            var key = GuardKernelObject.GuardFileId()
            key.ino = id.inode
            key.dev = id.device
            var value = GuardKernelObject.GuardInodeRules()
            value.binary = .init(rules.binary)
            value.parent = .init(rules.parent)
            value.path = .init(rules.path)
            value.binaryExcept = .init(rules.binaryExcept)
            value.pathExcept = .init(rules.pathExcept)
            try b.guardInodes.update(key: key, value: value)
        }
        for (port, rules) in policy.ports { try b.guardPorts.update(key: port, value: .init(rules)) }
        for (port, rules) in policy.portExcept { try b.guardPortExcept.update(key: port, value: .init(rules)) }
        for (hash, rules) in policy.arguments { try b.guardArgs.update(key: hash, value: .init(rules)) }
        // An address range as the LPM tries key it: prefix length over the 16-byte form.
        func lpmKey(_ range: GuardAddressRange) -> GuardKernelObject.GuardLpmKey {
            var key = GuardKernelObject.GuardLpmKey()
            key.prefixlen = UInt32(range.prefixLength)
            for i in 0..<16 { key.addr[i] = range.address[i] }
            return key
        }
        for (range, rules) in policy.addresses { try b.guardAddrs.update(key: lpmKey(range), value: .init(rules)) }
        for (port, range, rules) in policy.peerExcept {
            var key = GuardKernelObject.GuardPeerKey()
            key.prefixlen = UInt32(16 + range.prefixLength)
            key.port[0] = UInt8(port >> 8)  // network order: the trie matches the port's bytes first
            key.port[1] = UInt8(port & 0xff)
            for i in 0..<16 { key.addr[i] = range.address[i] }
            try b.guardPeerExcept.update(key: key, value: .init(rules))
        }
        for (key, rules) in policy.socketArgs { try b.guardSocketArgs.update(key: key, value: .init(rules)) }
        for (key, byAccess) in policy.devices {
            var k = GuardKernelObject.GuardDeviceKey()
            k.type = key.type
            k.major = key.major
            k.minor = key.minor
            var v = GuardKernelObject.GuardDeviceRules()
            for i in 0..<3 { v.access[i] = .init(byAccess[i]) }
            try b.guardDevices.update(key: k, value: v)
        }
        for (range, rules) in policy.addressExcept { try b.guardAddrExcept.update(key: lpmKey(range), value: .init(rules)) }
        // The config last: until it is in place the programs see no rules.
        let m = policy.masks
        var c = GuardKernelObject.GuardConfig()
        for i in 0..<32 { c.kindRules[i] = .init(m.kinds[i]) }
        c.nobinaryRules = .init(m.noBinary)
        c.noparentRules = .init(m.noParent)
        c.nopathRules = .init(m.noPath)
        c.noportRules = .init(m.noPort)
        c.noaddrRules = .init(m.noAddress)
        c.writeOnlyRules = .init(m.writeOnly)
        c.filelessRules = .init(m.fileless)
        c.lsmRules = .init(lsm ? m.lsm : 0)
        c.argsRules = .init(m.args)
        c.exceptPeerRules = .init(m.exceptPeer)
        c.nofamilyRules = .init(m.noFamily)
        c.notypeRules = .init(m.noType)
        c.reportKinds = report.reduce(0) { $0 | 1 << $1.rawValue }
        c.selfTgid = selfTgid
        c.wakeupBytes = wakeupBytes
        try b.guardConfig.set(c, at: 0)
    }

    /// Puts every running process into the kernel's cache with its rule masks, so that processes
    /// started before guard are matched by binary and parent as new ones are.
    static func seed(_ b: GuardKernelObject, policy: CompiledGuardPolicy, snapshots: [ProcessSnapshot]) throws(BPFError) {
        let byPid = Dictionary(snapshots.map { ($0.pid, $0) }, uniquingKeysWith: { a, _ in a })
        for s in snapshots {
            guard let binary = s.binary else { continue }  // kernel threads have no binary
            var p = GuardKernelObject.GuardProc()
            p.exeIno = binary.inode
            p.exeDev = binary.device
            p.flags = s.fileless ? 0x1 : 0
            p.binaryRules = .init((policy.inodes[binary]?.binary ?? 0) | (s.fileless ? policy.masks.fileless : 0))
            p.binaryExcept = .init(policy.inodes[binary]?.binaryExcept ?? 0)
            if let parent = byPid[s.ppid]?.binary { p.parentRules = .init(policy.inodes[parent]?.parent ?? 0) }
            // BPF_NOEXIST: an entry the kernel made meanwhile (an exec) is newer than /proc's.
            try? b.guardProcs.update(key: s.pid, value: p, flags: .noExist)
        }
    }

    /// Waits up to `timeoutMilliseconds` and hands each event (decoded, without lineage) to `body`.
    /// A signal ends the wait early (returns 0).
    public func poll(timeoutMilliseconds: Int32, _ body: (GuardEvent) -> Void) throws(BPFError) -> Int {
        do {
            return try ring.poll(timeoutMilliseconds: timeoutMilliseconds) { record in
                if let e = GuardEvent(record: record, policy: policy) { body(e) }
            }
        } catch {
            if case let .syscall(_, e) = error, e == .EINTR { return 0 }
            throw error
        }
    }

    /// Every event already queued, without waiting.
    public func drain(_ body: (GuardEvent) -> Void) -> Int {
        ring.consume { record in
            if let e = GuardEvent(record: record, policy: policy) { body(e) }
        }
    }

    /// Events lost because the ring buffer was full, since load.
    public func droppedEvents() throws(BPFError) -> UInt64 {
        try bindings.guardDropped.values(at: 0).reduce(0, +)
    }

    /// Per rule: events matched, and of them acted on (killed or denied).
    public func counters() throws(BPFError) -> [(matched: UInt64, acted: UInt64)] {
        var out: [(matched: UInt64, acted: UInt64)] = []
        for r in policy.rules {
            let values = try bindings.guardCounters.values(at: UInt32(r.index))
            out.append((values.reduce(0) { $0 + $1.matched }, values.reduce(0) { $0 + $1.acted }))
        }
        return out
    }

    /// Processes in the kernel's cache.
    public func cachedProcessCount() throws(BPFError) -> Int { try bindings.guardProcs.keys().count }

    /// Stops the reader. The programs detach when the session is released.
    public func stop() { ring.close() }
}
