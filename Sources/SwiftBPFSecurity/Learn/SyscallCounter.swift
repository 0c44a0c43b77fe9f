import ToolText
import BPF

/// learn_kernel.bpf.c loaded and attached for one workload: counts its system calls (and the
/// seccomp-relevant argument values) in the kernel from `raw_syscalls:sys_enter`. Releasing it
/// detaches everything.
public final class SyscallCounter {
    let bindings: LearnKernelObject
    let links: [Link]

    /// `cgroup`: a cgroup v2 directory (its subtree); else `comm` and/or `pids` (and descendants).
    public init(cgroup: (id: UInt64, level: Int)?, comm: String?, pids: [UInt32]) throws(BPFError) {
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
        try GuardMounts.prepare()
        var links: [Link] = []
        for name in ["learn_fork", "learn_exit", "learn_sys_enter"] { links.append(try bindings.object.attach(name)) }
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
