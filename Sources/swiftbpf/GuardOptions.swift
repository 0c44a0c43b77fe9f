import ArgumentParser
import SwiftBPFSecurity

/// The policies a live guard enforces, as `guard run`, `guard record` and `guard load` take them.
struct GuardPolicyOptions: ParsableArguments {
    @Option(name: .long, help: "A policy file (YAML); repeat for several.")
    var policy: [String] = []

    @Flag(help: "Run every rule in monitor mode: count and report, never act.")
    var monitor = false

    @Option(help: "The cgroup v2 directory where the socket hooks attach (default: the hierarchy's root).")
    var cgroupRoot: String?

    /// The compiled policies (none without a file; all monitored with --monitor), warnings on stderr.
    func compiled() throws -> CompiledGuardPolicy {
        try GuardPolicyFiles.loadForSession(policy, monitor: monitor)
    }
}

/// How long a streaming guard command (`run`, `record`, `learn`) runs.
struct GuardDurationOption: ParsableArguments {
    @Option(help: "Stop after this many seconds (default: until Ctrl-C).")
    var duration: Double?

    func validate() throws {
        if let duration, !(duration >= 0) { throw ValidationError("--duration is a number of seconds, 0 or more, not \(duration)") }
    }

    /// Whether the duration has passed since `start` (GuardClock seconds); never without one.
    func isOver(since start: Double) -> Bool {
        duration.map { GuardClock.seconds() - start >= $0 } ?? false
    }
}

/// Where pinned guards live: one option for `guard load`, `guard unload` and `guard status`.
struct GuardPinRootOption: ParsableArguments {
    @Option(help: "The bpffs directory holding pinned guards.")
    var pinRoot: String = GuardPinLocation.defaultRoot
}
