import ToolText
import BPF

/// learn_kernel.bpf.c loaded and attached for one workload: counts its system calls (and the
/// seccomp-relevant argument values) in the kernel from `raw_syscalls:sys_enter`, and copies the
/// DNS answers its UDP sockets receive to a ring buffer (`LearnKernel+DNSAnswers.swift`).
/// Releasing it detaches everything; a failure while attaching releases what was attached.
public final class LearnKernel {
    let bindings: LearnKernelObject
    let links: [Link]
    let answers: RingBufferReader<LearnKernelObject.LearnDnsAnswer>

    /// `cgroup`: a cgroup v2 directory (its subtree), by path and by id and level; else `comm`
    /// and/or `pids` (and descendants).
    public init(cgroup: (path: String, id: UInt64, level: Int)?, comm: String?, pids: [UInt32]) throws(BPFError) {
        var config = LearnKernelObject.Config()
        if let cgroup {
            config.targCgroupId = cgroup.id
            config.targCgroupLevel = UInt32(cgroup.level)
        }
        if let comm {
            guard !comm.isEmpty, comm.utf8.count <= 15 else {
                throw .invalidArgument("--comm must be 1 to 15 bytes (a task's comm is at most 15), got \(comm.utf8.count)")
            }
            config.targCommString = comm
            config.targCommLen = UInt32(comm.utf8.count)
        }
        let bindings = try LearnKernelObject.load(config: config)
        self.bindings = bindings
        for pid in pids { try bindings.learnMembers.update(key: pid, value: 1) }
        answers = RingBufferReader(try RingBuffer(map: bindings.learnDns.map))
        try GuardMounts.prepare()
        var links: [Link] = []
        for name in ["learn_fork", "learn_exit", "learn_sys_enter"] { links.append(try bindings.object.attach(name)) }
        // DNS answers: on the workload's cgroup itself, or on the root with the sockets that
        // members create marked at socket(2).
        if let cgroup {
            links.append(try bindings.learnDnsIngress.attach(cgroup: cgroup.path))
        } else {
            guard let root = SystemGuardResolver.cgroup2Mount() else {
                throw .invalidArgument("no cgroup v2 hierarchy is mounted (see /proc/mounts): learn reads DNS answers through it")
            }
            links.append(try bindings.learnSockCreate.attach(cgroup: root))
            links.append(try bindings.learnDnsIngress.attach(cgroup: root))
        }
        self.links = links
    }

    /// The counts so far: per syscall number, the calls, and per (argument index, value) their count.
    public func counts() throws(BPFError) -> [(nr: Int, argument: Int?, value: UInt64, count: UInt64)] {
        try bindings.learnSyscalls.entries().map { k, v in
            (Int(k.nr), k.arg == UInt32.max ? nil : Int(k.arg), k.value, v)
        }
    }

    /// Adds the counts to `profile` under their x86_64 names; returns the numbers without a name
    /// (left out: a seccomp profile names calls).
    public func add(to profile: inout LearnedProfile) throws(BPFError) -> [Int] {
        var unnamed: [Int] = []
        for c in try counts() {
            guard let name = SyscallNames.x86_64[c.nr] else {
                if !unnamed.contains(c.nr) { unnamed.append(c.nr) }
                continue
            }
            if let index = c.argument {
                profile.addArgument(name, index: index, value: c.value, count: Int(c.count))
            } else {
                profile.addSyscall(name, count: Int(c.count))
            }
        }
        profile.normalize()
        return unnamed
    }
}
