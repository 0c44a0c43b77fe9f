import Glibc
import BPF

/// Learning one workload: guard's events (exec, open, network) filtered to the workload in user
/// space, and its system calls counted in the kernel by `SyscallCounter`. Poll until the window
/// ends, then `finish()` gives the profile. Not thread-safe: one reader.
public final class GuardLearner {
    public let monitor: GuardMonitor
    let counter: SyscallCounter
    var filter: WorkloadFilter
    var builder: ProfileBuilder
    let started: Double
    public private(set) var events = 0

    /// Exactly one of `cgroup` (a cgroup v2 directory), `comm` or `pids` selects the workload.
    public init(cgroup: String? = nil, comm: String? = nil, pids: [UInt32] = []) throws(BPFError) {
        var resolved: (id: UInt64, level: Int)?
        if let cgroup {
            guard let r = SystemGuardResolver().cgroup(cgroup) else { throw .invalidArgument("\(cgroup) is not a cgroup v2 directory") }
            resolved = r
        }
        guard cgroup != nil || comm != nil || !pids.isEmpty else { throw .invalidArgument("name the workload: a cgroup, a comm or a pid") }
        let members = WorkloadFilter.withDescendants(pids, in: pids.isEmpty ? [] : ProcessSnapshot.all())
        filter = WorkloadFilter(cgroup: cgroup, comm: comm, pids: members)
        builder = ProfileBuilder(workload: LearnedProfile.Workload(cgroup: cgroup, comm: comm, pid: pids.first))
        counter = try SyscallCounter(cgroup: resolved, comm: comm, pids: members)
        var options = GuardSession.Options()
        options.report = Set(GuardEventKind.lifecycle + [.open, .connect, .bind, .sendmsg])
        monitor = try GuardMonitor(policy: CompiledGuardPolicy(rules: []), options: options)
        started = Self.now()
    }

    /// Waits up to `timeoutMilliseconds` and takes in the events that came; returns how many were the workload's.
    @discardableResult
    public func poll(timeoutMilliseconds: Int32) throws(BPFError) -> Int {
        var taken = 0
        _ = try monitor.poll(timeoutMilliseconds: timeoutMilliseconds) { e in
            if filter.admit(e) {
                builder.add(e)
                taken += 1
            }
        }
        events += taken
        return taken
    }

    /// The profile of everything seen so far, with the system call counts; `unnamed` are call
    /// numbers without an x86_64 name (left out).
    public func finish() throws(BPFError) -> (profile: LearnedProfile, unnamed: [Int]) {
        _ = monitor.drain { e in
            if filter.admit(e) { builder.add(e) }
        }
        var profile = builder.profile
        profile.seconds = Self.now() - started
        let unnamed = try counter.add(to: &profile)
        return (profile, unnamed)
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
