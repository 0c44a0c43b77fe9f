import ToolText
/// What a workload was seen doing, with how often: the input of `guard generate`. Pure data;
/// `LearnedProfileFile` reads and writes it as YAML, `merge` adds another observation.
public struct LearnedProfile: Sendable, Equatable {
    /// How the workload was selected (for the generated policies' selectors and comments).
    public struct Workload: Sendable, Equatable {
        public var cgroup: String?
        public var comm: String?
        public var pid: UInt32?
        public init(cgroup: String? = nil, comm: String? = nil, pid: UInt32? = nil) {
            self.cgroup = cgroup
            self.comm = comm
            self.pid = pid
        }
        public var description: String {
            if let cgroup { return "cgroup \(cgroup)" }
            if let comm { return "comm \(comm)" }
            if let pid { return "pid \(pid)" }
            return "nothing"
        }
    }

    /// A binary executed, by path and identity, with the binaries of the processes that ran it.
    public struct Exec: Sendable, Equatable {
        public var path: String
        public var inode: FileID?
        public var parents: [String]
        public var count: Int
    }

    /// How a file was opened: read only, for writing, or created.
    public enum FileMode: String, Sendable, Comparable {
        case read, write, create
        public static func < (a: Self, b: Self) -> Bool {
            let order: [Self] = [.read, .write, .create]
            return order.firstIndex(of: a)! < order.firstIndex(of: b)!
        }
    }

    public struct File: Sendable, Equatable {
        public var path: String
        public var mode: FileMode
        public var count: Int
    }

    /// A network call: connect/sendmsg to a peer, or bind of a local (listening) port.
    public struct Peer: Sendable, Equatable {
        public var event: GuardEventKind
        public var address: String
        public var port: UInt16
        /// A name for the address, where one is known: the name a DNS answer the workload
        /// received gave it, else /etc/hosts.
        public var name: String?
        public var count: Int
    }

    /// A system call, and the values seen of the arguments seccomp can test.
    public struct Syscall: Sendable, Equatable {
        public struct Argument: Sendable, Equatable {
            public var index: Int
            public var value: UInt64
            public var count: Int
            public init(index: Int, value: UInt64, count: Int) {
                self.index = index
                self.value = value
                self.count = count
            }
        }
        public var name: String
        public var count: Int
        public var arguments: [Argument]
    }

    public var workload: Workload
    /// Seconds observed over all runs, and how many runs were merged.
    public var seconds: Double
    public var runs: Int
    public var execs: [Exec] = []
    public var files: [File] = []
    public var network: [Peer] = []
    public var syscalls: [Syscall] = []

    public init(workload: Workload, seconds: Double = 0, runs: Int = 1) {
        self.workload = workload
        self.seconds = seconds
        self.runs = runs
    }

    /// Adds `other`'s observations: counts of the same item add up, new items join.
    public mutating func merge(_ other: LearnedProfile) {
        seconds += other.seconds
        runs += other.runs
        for e in other.execs { addExec(path: e.path, inode: e.inode, parents: e.parents, count: e.count) }
        for f in other.files { addFile(path: f.path, mode: f.mode, count: f.count) }
        for p in other.network { addPeer(event: p.event, address: p.address, port: p.port, name: p.name, count: p.count) }
        for s in other.syscalls {
            addSyscall(s.name, count: s.count)
            for a in s.arguments { addArgument(s.name, index: a.index, value: a.value, count: a.count) }
        }
        normalize()
    }

    public mutating func addExec(path: String, inode: FileID?, parents: [String], count: Int = 1) {
        if let i = execs.firstIndex(where: { $0.path == path && ($0.inode == inode || $0.inode == nil || inode == nil) }) {
            execs[i].count += count
            execs[i].parents = Array(Set(execs[i].parents + parents)).sorted()
            if execs[i].inode == nil { execs[i].inode = inode }
        } else {
            execs.append(Exec(path: path, inode: inode, parents: Array(Set(parents)).sorted(), count: count))
        }
    }

    public mutating func addFile(path: String, mode: FileMode, count: Int = 1) {
        if let i = files.firstIndex(where: { $0.path == path && $0.mode == mode }) { files[i].count += count } else {
            files.append(File(path: path, mode: mode, count: count))
        }
    }

    public mutating func addPeer(event: GuardEventKind, address: String, port: UInt16, name: String?, count: Int = 1) {
        if let i = network.firstIndex(where: { $0.event == event && $0.address == address && $0.port == port }) {
            network[i].count += count
            if network[i].name == nil { network[i].name = name }
        } else {
            network.append(Peer(event: event, address: address, port: port, name: name, count: count))
        }
    }

    public mutating func addSyscall(_ name: String, count: Int) {
        if let i = syscalls.firstIndex(where: { $0.name == name }) { syscalls[i].count += count } else {
            syscalls.append(Syscall(name: name, count: count, arguments: []))
        }
    }

    public mutating func addArgument(_ name: String, index: Int, value: UInt64, count: Int) {
        if syscalls.firstIndex(where: { $0.name == name }) == nil { addSyscall(name, count: 0) }
        let i = syscalls.firstIndex(where: { $0.name == name })!
        if let j = syscalls[i].arguments.firstIndex(where: { $0.index == index && $0.value == value }) {
            syscalls[i].arguments[j].count += count
        } else {
            syscalls[i].arguments.append(Syscall.Argument(index: index, value: value, count: count))
        }
    }

    /// Sorted, so that the same observations give the same file.
    public mutating func normalize() {
        execs.sort { ($0.path, $0.inode?.description ?? "") < ($1.path, $1.inode?.description ?? "") }
        files.sort { ($0.path, $0.mode) < ($1.path, $1.mode) }
        network.sort { ($0.event.rawValue, $0.port, $0.address) < ($1.event.rawValue, $1.port, $1.address) }
        syscalls.sort { (SyscallNames.x86_64Numbers[$0.name] ?? 1 << 20, $0.name) < (SyscallNames.x86_64Numbers[$1.name] ?? 1 << 20, $1.name) }
        for i in syscalls.indices { syscalls[i].arguments.sort { ($0.index, $0.value) < ($1.index, $1.value) } }
    }
}
