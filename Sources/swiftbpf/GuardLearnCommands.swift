import ArgumentParser
import BPF
import Glibc
import SwiftBPFSecurity
import SwiftBPFTools

struct GuardLearnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learn",
        abstract: "Record what a workload does (executions, files by mode, network peers and ports, system calls with seccomp-relevant arguments) into a profile.",
        discussion: """
            The workload is a cgroup v2 subtree (--cgroup), or processes named --comm or given by -p, \
            with every child they fork. System calls are counted in the kernel from \
            raw_syscalls:sys_enter. Network peers are named by the DNS answers the workload \
            receives while it is learned (UDP from port 53, read by a cgroup_skb program), else \
            by /etc/hosts. When --out exists, the new observations are merged into it (counts \
            add up) unless --replace is given.
            """
    )

    @Option(help: "A cgroup v2 directory: the workload is every process in it or below it.")
    var cgroup: String?

    @Option(help: "Processes with this name (comm), and their children.")
    var comm: String?

    @Option(name: [.customShort("p"), .long], help: "A process id, with its descendants (repeat for several).")
    var pid: [UInt32] = []

    @OptionGroup var stop: GuardDurationOption

    @Option(help: "The profile to write (YAML).")
    var out: String

    @Flag(help: "Overwrite --out instead of merging into it.")
    var replace = false

    func run() throws {
        let given = [cgroup != nil, comm != nil, !pid.isEmpty].filter { $0 }.count
        guard given == 1 else { throw CommandError("guard learn: name the workload with exactly one of --cgroup, --comm, -p") }
        var earlier: LearnedProfile?
        if !replace, access(out, F_OK) == 0 {
            do { earlier = try LearnedProfileFile.parse(try TextFile.read(out), file: out) } catch { throw CommandError("guard learn: \(error) (use --replace to overwrite)") }
        }
        installStopHandlers()
        let learner: GuardLearner
        do { learner = try GuardLearner(cgroup: cgroup, comm: comm, pids: pid) } catch { throw CommandError("guard learn: \(error)") }
        Output.error("guard learn: learning \(cgroup.map { "cgroup \($0)" } ?? comm.map { "comm \($0)" } ?? "pid \(pid.map(String.init).joined(separator: ","))")\(stop.duration.map { " for \($0) s" } ?? "; Ctrl-C to stop")")
        let start = GuardClock.seconds()
        while !stopRequested.load(ordering: .relaxed) {
            if stop.isOver(since: start) { break }
            try learner.poll(timeoutMilliseconds: 200)
        }
        var (profile, unnamed) = try learner.finish()
        if !unnamed.isEmpty { Output.error("guard learn: system calls without an x86_64 name left out: \(unnamed.map(String.init).joined(separator: ", "))") }
        let seen = "\(profile.execs.count) binaries, \(profile.files.count) files, \(profile.network.count) network items, \(profile.syscalls.count) system calls"
        let dns = learner.dnsNames
        let lost = (try? learner.lostAnswers()) ?? 0
        var dnsNote = "guard learn: \(dns.answers) DNS answer\(dns.answers == 1 ? "" : "s") named \(dns.count) address\(dns.count == 1 ? "" : "es")"
        let problems = [(dns.dropped, "dropped (over \(dns.capacity) addresses)"), (dns.malformed, "malformed"),
                        (learner.cutAnswers, "cut at \(LearnKernel.dnsCopyLimit) bytes"), (Int(lost), "lost (ring buffer full)")]
            .filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }
        if !problems.isEmpty { dnsNote += "; " + problems.joined(separator: ", ") }
        Output.error(dnsNote)
        if var e = earlier {
            e.merge(profile)
            profile = e
            Output.error("guard learn: merged into \(out) (\(profile.runs) runs)")
        }
        do {
            let w = try LineFileWriter(path: out)
            w.write(line: LearnedProfileFile.write(profile).trimmingSuffixNewline())
            w.close()
        } catch { throw CommandError("guard learn: \(error)") }
        Output.error("guard learn: \(seen) seen; profile written to \(out)")
    }
}

extension String {
    func trimmingSuffixNewline() -> String { hasSuffix("\n") ? String(dropLast()) : self }
}

struct GuardGenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate a guard policy, an OCI seccomp profile or a network allowlist (and a Kubernetes NetworkPolicy) from a learned profile.",
        discussion: """
            --guard: exec and open rules that allow what was seen (except_binary, except_paths) and \
            kill or alert on the rest. --seccomp: OCI seccomp JSON for x86_64 (runc, Docker, Podman, \
            Kubernetes). --network: connect/bind/sendmsg rules for the cgroup hooks that deny ports \
            not seen; --kubernetes APP writes a NetworkPolicy instead. --lenient widens each: the \
            directories of files instead of files, no seccomp argument filters, DNS, and the error, \
            retry and shutdown calls of the library families the workload links (its binaries' \
            DT_NEEDED libraries, found on this host, and the shared objects it opened).
            """
    )

    @Argument(help: "A profile written by guard learn.")
    var profile: String

    @Flag(help: "A guard policy (exec and file rules).")
    var `guard` = false

    @Flag(help: "An OCI seccomp profile (JSON).")
    var seccomp = false

    @Flag(help: "A network allowlist (guard rules for the cgroup connect/bind/sendmsg hooks).")
    var network = false

    @Option(help: "With --network: a Kubernetes NetworkPolicy for pods labelled app=APP instead.")
    var kubernetes: String?

    @Flag(help: "Exactly what was seen (default).")
    var strict = false

    @Flag(help: "Widen to rarely taken paths (see above).")
    var lenient = false

    @Option(help: "Seccomp default for calls not seen: errno (EPERM) or log.")
    var defaultAction = "errno"

    @Option(help: "What the guard policy does to the rest: kill or alert.")
    var action = "kill"

    @Option(help: "Write here instead of standard output.")
    var out: String?

    func run() throws {
        guard [`guard`, seccomp, network].filter({ $0 }).count == 1 else { throw CommandError("guard generate: give exactly one of --guard, --seccomp, --network") }
        guard !(strict && lenient) else { throw CommandError("guard generate: --strict and --lenient exclude each other") }
        guard defaultAction == "errno" || defaultAction == "log" else { throw CommandError("guard generate: --default-action is errno or log, got '\(defaultAction)'") }
        guard action == "kill" || action == "alert" else { throw CommandError("guard generate: --action is kill or alert, got '\(action)'") }
        let p: LearnedProfile
        do { p = try LearnedProfileFile.parse(try TextFile.read(profile), file: profile) } catch { throw CommandError("guard generate: \(error)") }
        var o = GenerateOptions()
        o.strict = !lenient
        o.seccompLog = defaultAction == "log"
        o.guardAction = action == "kill" ? .kill : .alert
        o.source = profile
        if lenient {
            o.libraries = LibraryWalk().libraries(ofPrograms: p.execs.map(\.path), opened: p.files.filter { $0.mode == .read }.map(\.path))
        }
        let text: String
        if `guard` {
            text = GuardPolicyGenerator.guardPolicy(p, o)
        } else if seccomp {
            let (json, allowed) = SeccompGenerator.profile(p, o)
            text = json
            var summary = "guard generate: \(allowed.count) system calls allowed"
            if let l = o.libraries {
                let families = LibraryFamilyMatch.matching(l, profile: p).map(\.family.name)
                summary += " (lenient: \(l.libraries.count) libraries of \(l.dynamicBinaries.count) dynamic and \(l.staticBinaries.count) static binaries; families: \(families.joined(separator: ", ")))"
            }
            Output.error(summary)
            for note in o.libraries?.notes ?? [] { Output.error("guard generate: note: \(note)") }
        } else if let app = kubernetes {
            text = KubernetesNetworkPolicyGenerator.policy(p, o, app: app)
        } else {
            text = GuardPolicyGenerator.networkPolicy(p, o)
        }
        if let out {
            do {
                let w = try LineFileWriter(path: out)
                w.write(line: text.trimmingSuffixNewline())
                w.close()
            } catch { throw CommandError("guard generate: \(error)") }
        } else {
            print(text, terminator: "")
        }
    }
}

struct GuardTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Unit-test a policy against cases (events described by names, with the expected outcome); no root needed. Exit status 1 when a case fails."
    )

    @Argument(help: "The policy (YAML).")
    var policy: String

    @Argument(help: "The cases (YAML).")
    var cases: String

    func run() throws {
        let compiled = try GuardPolicyFiles.load([policy])
        let list: [GuardPolicyCase]
        do {
            list = try GuardPolicyCaseFile.parse(try TextFile.read(cases), file: cases, resolver: SystemGuardResolver())
        } catch let e as GuardPolicyError {
            throw CommandError("guard test: \(e)")
        } catch {
            throw CommandError("guard test: \(error)")
        }
        let (report, passed) = GuardPolicyCaseFile.run(list, policy: compiled, file: cases)
        print(report)
        if !passed { throw ExitCode(1) }
    }
}
