import Glibc
import BPF

/// Learning one workload: guard's events (exec, open, network) filtered to the workload in user
/// space, its system calls counted in the kernel and the DNS answers it receives copied there
/// (`LearnKernel`), which name the peers it resolved. Poll until the window ends, then
/// `finish()` gives the profile. Not thread-safe: one reader.
public final class GuardLearner {
    public let monitor: GuardMonitor
    let kernel: LearnKernel
    var filter: WorkloadFilter
    var builder: ProfileBuilder
    /// The names the workload's DNS answers gave addresses, so far.
    public private(set) var dnsNames: DNSPeerNames
    /// DNS answers longer than the kernel copies (`LearnKernel.dnsCopyLimit`): their records
    /// past the cut are lost.
    public private(set) var cutAnswers = 0
    let started: Double
    public private(set) var events = 0

    /// Exactly one of `cgroup` (a cgroup v2 directory), `comm` or `pids` selects the workload.
    /// `dnsCapacity`: addresses named from DNS answers at most (further ones are counted as dropped).
    public init(cgroup: String? = nil, comm: String? = nil, pids: [UInt32] = [], dnsCapacity: Int = 4096) throws(BPFError) {
        var resolved: (path: String, id: UInt64, level: Int)?
        if let cgroup {
            guard let r = SystemGuardResolver().cgroup(cgroup) else { throw .invalidArgument("\(cgroup) is not a cgroup v2 directory") }
            resolved = (cgroup, r.id, r.level)
        }
        guard cgroup != nil || comm != nil || !pids.isEmpty else { throw .invalidArgument("name the workload: a cgroup, a comm or a pid") }
        let members = WorkloadFilter.withDescendants(pids, in: pids.isEmpty ? [] : ProcessSnapshot.all())
        filter = WorkloadFilter(cgroup: cgroup, comm: comm, pids: members)
        builder = ProfileBuilder(workload: LearnedProfile.Workload(cgroup: cgroup, comm: comm, pid: pids.first))
        dnsNames = DNSPeerNames(capacity: dnsCapacity)
        kernel = try LearnKernel(cgroup: resolved, comm: comm, pids: members)
        var options = GuardSession.Options()
        options.report = Set(GuardEventKind.lifecycle + [.open, .connect, .bind, .sendmsg])
        monitor = try GuardMonitor(policy: CompiledGuardPolicy(rules: []), options: options)
        started = Self.now()
    }

    /// Waits up to `timeoutMilliseconds` and takes in the events that came, and the DNS answers;
    /// returns how many events were the workload's.
    @discardableResult
    public func poll(timeoutMilliseconds: Int32) throws(BPFError) -> Int {
        var taken = 0
        _ = try monitor.poll(timeoutMilliseconds: timeoutMilliseconds) { e in
            if filter.admit(e) {
                builder.add(e)
                taken += 1
            }
        }
        takeAnswers()
        events += taken
        return taken
    }

    func takeAnswers() {
        kernel.takeAnswers { bytes, length in
            if length > bytes.count { cutAnswers += 1 }
            dnsNames.take(bytes)
        }
    }

    /// Answers the kernel could not pass on (its ring buffer was full), since the start.
    public func lostAnswers() throws(BPFError) -> UInt64 { try kernel.lostAnswers() }

    /// The profile of everything seen so far, with the system call counts and the peers named
    /// (by the workload's DNS answers, else /etc/hosts); `unnamed` are call numbers without an
    /// x86_64 name (left out).
    public func finish() throws(BPFError) -> (profile: LearnedProfile, unnamed: [Int]) {
        _ = monitor.drain { e in
            if filter.admit(e) { builder.add(e) }
        }
        takeAnswers()
        builder.name(from: dnsNames)
        var profile = builder.profile
        profile.seconds = Self.now() - started
        let unnamed = try kernel.add(to: &profile)
        return (profile, unnamed)
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
