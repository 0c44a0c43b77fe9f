import BPF

/// A running guard: the kernel session plus the user-space process cache, so that every event
/// it hands out carries its binary path, cgroup path and lineage. Not thread-safe: one reader.
public final class GuardMonitor {
    public let session: GuardSession
    public private(set) var cache = ProcessCache()
    private let cgroups = CgroupNames()

    public init(policy: CompiledGuardPolicy, options: GuardSession.Options = GuardSession.Options()) throws(BPFError) {
        session = try GuardSession(policy: policy, options: options)
        // Seeded once the programs are attached: a process started while they loaded is in /proc
        // by now, and anything later arrives as events (applied after this, so they win).
        cache.seed(ProcessSnapshot.all())
    }

    /// Waits up to `timeoutMilliseconds`, then hands each event, enriched, to `body`.
    public func poll(timeoutMilliseconds: Int32, _ body: (GuardEvent) -> Void) throws(BPFError) -> Int {
        try session.poll(timeoutMilliseconds: timeoutMilliseconds) { body(enrich($0)) }
    }

    public func drain(_ body: (GuardEvent) -> Void) -> Int {
        session.drain { body(enrich($0)) }
    }

    func enrich(_ event: GuardEvent) -> GuardEvent {
        var e = event
        if e.kind != .exec || e.flags.contains(.lsm), e.process.binaryPath == nil {
            e.process.binaryPath = cache.binaryPath(of: e.kind == .fork ? e.process.ppid : e.process.pid)
        }
        e.process.cgroupPath = cgroups.path(of: e.process.cgroupID)
        cache.apply(e)
        e.lineage = cache.lineage(of: e.process)
        return e
    }
}
