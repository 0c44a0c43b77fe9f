/// Which events belong to the learned workload, in user space (the kernel's learn_members rule):
/// a cgroup subtree, or processes named `comm` and processes listed by pid, with every child
/// they fork.
public struct WorkloadFilter: Sendable {
    public let cgroup: String?
    public let comm: String?
    public private(set) var members: Set<UInt32>

    public init(cgroup: String?, comm: String?, pids: [UInt32]) {
        self.cgroup = cgroup.map { $0.hasSuffix("/") && $0.count > 1 ? String($0.dropLast()) : $0 }
        self.comm = comm
        members = Set(pids)
    }

    /// True when `event` is the workload's; forks of members make the child a member.
    public mutating func admit(_ event: GuardEvent) -> Bool {
        let p = event.process
        if let cgroup {
            guard let path = p.cgroupPath else { return false }
            return path == cgroup || path.hasPrefix(cgroup + "/")
        }
        switch event.kind {
        case .fork:
            if members.contains(p.ppid) { members.insert(p.pid) }
            return false
        case .exit:
            members.remove(p.pid)
            return false
        default:
            if members.contains(p.pid) { return true }
            if let comm, p.comm == comm {
                members.insert(p.pid)
                return true
            }
            return false
        }
    }

    /// `pids` and their descendants among running processes (for `-p PID`).
    public static func withDescendants(_ pids: [UInt32], in snapshots: [ProcessSnapshot]) -> [UInt32] {
        var out = Set(pids)
        var grew = true
        while grew {
            grew = false
            for s in snapshots where !out.contains(s.pid) && out.contains(s.ppid) {
                out.insert(s.pid)
                grew = true
            }
        }
        return out.sorted()
    }
}
