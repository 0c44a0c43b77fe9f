import ArgumentParser
import BPF
import SwiftBPFTools

struct ProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Sample stacks on every CPU at a frequency and count them (a CPU profiler, as BCC's profile).",
        discussion: """
            A perf_event program on software cpu-clock samples every CPU -F times a second and \
            counts (process, kernel stack, user stack) in the kernel. At the end (Ctrl-C or -d) \
            the stacks are printed as BCC prints them, coldest first: kernel frames, user frames \
            (innermost first), then "-  comm (pid)" and the count; stacks that read the same \
            once symbolised are merged. Kernel frames are named from \
            /proc/kallsyms, user frames from the ELF symbol tables of the mapped binaries, with \
            Swift and C++ names demangled. User stacks are walked with frame pointers, so code \
            built without them may show short stacks. --folded prints one line per stack for \
            flame graphs: comm;outer;...;inner count.
            JSON (one object per stack, largest count first): pid, tid, comm, count, \
            user_stack_id, kernel_stack_id, user_stack and kernel_stack as [{address, symbol, \
            mangled (when demangled), offset, module}].
            """
    )

    @OptionGroup var common: ToolOptions

    @Option(name: [.customShort("F"), .long], parsing: .unconditional, help: "Samples per second on each CPU.")
    var frequency: UInt64 = 49

    @Flag(name: [.customShort("U"), .customLong("user-stacks-only")], help: "Only user stacks (no kernel stacks).")
    var userOnly = false

    @Flag(name: [.customShort("K"), .customLong("kernel-stacks-only")], help: "Only kernel stacks (no user stacks).")
    var kernelOnly = false

    @Flag(name: [.customShort("f"), .long], help: "Folded output for flame graphs: comm;frame;frame count.")
    var folded = false

    @Flag(help: "Separate kernel and user frames with a delimiter (\"--\", or \"-\" when folded).")
    var delimited = false

    @Flag(name: [.customShort("I"), .customLong("include-idle")], help: "Include the idle task (pid 0).")
    var includeIdle = false

    @Flag(name: .customLong("per-thread"), help: "Count per thread, not only per process.")
    var perThread = false

    @Option(name: .customLong("stack-storage-size"), parsing: .unconditional, help: "Distinct stacks the kernel can store (default 16384).")
    var stackStorageSize: UInt32 = 16384

    func validate() throws {
        if userOnly && kernelOnly { throw ValidationError("-U/--user-stacks-only and -K/--kernel-stacks-only exclude each other") }
        if frequency == 0 || frequency > 100_000 { throw ValidationError("-F/--frequency must be 1 to 100000 Hz, got \(frequency)") }
        if stackStorageSize == 0 { throw ValidationError("--stack-storage-size must be at least 1") }
        if folded && common.json { throw ValidationError("--folded and --json exclude each other") }
    }

    func run() throws {
        installStopHandlers()
        let options = Profile.Options(frequency: frequency, userStacks: !kernelOnly, kernelStacks: !userOnly,
                                      includeIdle: includeIdle, perThread: perThread, stackStorageSize: stackStorageSize)
        let tool = try Profile(filter: common.filter, options: options)
        if !common.json && !folded {
            let what = userOnly ? "user" : kernelOnly ? "kernel" : "user + kernel"
            let who = common.pid.map { "process \($0)" } ?? "all threads"
            print("Sampling at \(frequency) Hertz of \(who) by \(what) stack" +
                  (common.duration.map { " for \($0) secs." } ?? "... Hit Ctrl-C to end."))
            Output.flush()
        }
        // Four times a second, remember the maps of new processes, so that stacks of processes
        // that exit before the end still symbolise.
        try IntervalLoop.run(interval: 0.25, duration: common.duration) { final in
            try tool.rememberProcesses()
            guard final else { return }
            let samples = try tool.take()
            let stacks = tool.symbolize(samples)
            if common.json {
                for stack in stacks { print(ProfileFormat.json(stack)) }
            } else if folded {
                print(ProfileFormat.folded(ProfileStack.merged(stacks), options: options, delimited: delimited))
            } else {
                print(ProfileFormat.text(ProfileStack.merged(stacks), options: options, delimited: delimited))
            }
            Output.flush()
            let lost = ProfileFormat.lostSamples(samples)
            if lost > 0 { Output.error("WARNING: \(lost) samples with stacks the kernel could not store (try a larger --stack-storage-size)") }
        }
        tool.session.stop()
        let dropped = try tool.session.droppedEvents()
        if dropped > 0 {
            if common.json { print("{\"dropped\":\(dropped)}") }
            Output.error("profile: \(dropped) samples not counted (the count table was full)")
        }
    }
}
