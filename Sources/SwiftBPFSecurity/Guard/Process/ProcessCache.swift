/// The user-space process cache behind every event's lineage: seeded from /proc when guard
/// starts, then kept by the exec, fork and exit events. Bounded: entries leave at exit (after a
/// short grace, so late events of a process still find it), and the table never holds more than
/// `capacity` processes (the oldest exited, then the oldest, go first).
public struct ProcessCache: Sendable {
    public struct Entry: Sendable, Equatable {
        public var pid: UInt32
        public var ppid: UInt32
        public var comm: String
        public var binary: FileID?
        public var binaryPath: String?
        public var startNanoseconds: UInt64
        public var exited: Bool = false
    }

    public private(set) var entries: [UInt32: Entry] = [:]
    private var exitedOrder: [UInt32] = []
    public let capacity: Int
    /// Exited processes kept for late events.
    public let exitedGrace: Int

    public init(capacity: Int = 65536, exitedGrace: Int = 1024) {
        self.capacity = capacity
        self.exitedGrace = exitedGrace
    }

    public var count: Int { entries.count }

    public mutating func seed(_ snapshots: [ProcessSnapshot]) {
        for s in snapshots {
            insert(Entry(pid: s.pid, ppid: s.ppid, comm: s.comm, binary: s.binary, binaryPath: s.binaryPath, startNanoseconds: s.startNanoseconds))
        }
    }

    public func entry(_ pid: UInt32) -> Entry? { entries[pid] }

    /// Parent first, up to init (pid 1) or a process the cache does not know; at most 64 deep.
    public func lineage(of process: GuardProcess) -> [GuardAncestor] {
        var out: [GuardAncestor] = []
        var pid = process.ppid
        var seen = Set<UInt32>([process.pid])
        while pid != 0, out.count < 64, !seen.contains(pid) {
            seen.insert(pid)
            guard let e = entries[pid] else {
                out.append(GuardAncestor(pid: pid, comm: "?", binaryPath: nil, binary: nil, startNanoseconds: 0))
                break
            }
            out.append(GuardAncestor(pid: e.pid, comm: e.comm, binaryPath: e.binaryPath, binary: e.binary, startNanoseconds: e.startNanoseconds))
            pid = e.ppid
        }
        return out
    }

    /// Applies a lifecycle event: exec replaces the binary, fork adds the child, exit marks it gone.
    public mutating func apply(_ event: GuardEvent) {
        let p = event.process
        switch event.kind {
        case .exec where !event.flags.contains(.lsm):  // an LSM check comes before the exec, which may be refused
            var e = entries[p.pid] ?? Entry(pid: p.pid, ppid: p.ppid, comm: p.comm, startNanoseconds: p.startNanoseconds)
            e.ppid = p.ppid
            e.comm = p.comm
            e.binary = event.object ?? p.binary
            e.binaryPath = event.path ?? p.binaryPath
            e.startNanoseconds = p.startNanoseconds
            e.exited = false
            insert(e)
        case .fork:
            let parent = entries[p.ppid]
            insert(Entry(pid: p.pid, ppid: p.ppid, comm: p.comm, binary: parent?.binary ?? p.binary,
                         binaryPath: parent?.binaryPath ?? p.binaryPath, startNanoseconds: p.startNanoseconds))
        case .exit:
            guard var e = entries[p.pid], !e.exited else { return }
            e.exited = true
            entries[p.pid] = e
            exitedOrder.append(p.pid)
            if exitedOrder.count > exitedGrace {
                let gone = exitedOrder.removeFirst()
                if entries[gone]?.exited == true { entries[gone] = nil }
            }
        default:
            if entries[p.pid] == nil {
                insert(Entry(pid: p.pid, ppid: p.ppid, comm: p.comm, binary: p.binary, binaryPath: p.binaryPath, startNanoseconds: p.startNanoseconds))
            }
        }
    }

    /// The binary path the cache knows for a process (events other than exec carry only the inode).
    public func binaryPath(of pid: UInt32) -> String? { entries[pid]?.binaryPath }

    private mutating func insert(_ e: Entry) {
        if entries[e.pid] == nil, entries.count >= capacity {
            let victim = exitedOrder.first.flatMap { entries[$0] != nil ? $0 : nil } ?? entries.min(by: { $0.value.startNanoseconds < $1.value.startNanoseconds })?.key
            if let victim {
                entries[victim] = nil
                exitedOrder.removeAll { $0 == victim }
            }
        }
        entries[e.pid] = e
        if !e.exited { exitedOrder.removeAll { $0 == e.pid } }
    }
}
