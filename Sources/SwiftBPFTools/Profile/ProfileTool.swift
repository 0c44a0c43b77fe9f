import ArgumentParser
import BPF

/// `swiftbpf profile`.
public final class ProfileTool: IntervalTool {
    public static let configuration = CommandConfiguration(
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
            --svg FILE writes an interactive flame graph (one self-contained SVG: hover, click \
            to zoom, search; user, kernel and process frames coloured apart); --pprof FILE \
            writes the pprof protobuf (go tool pprof, Pyroscope, Grafana). With either, the \
            stacks are printed only with --folded or --json. \
            `swiftbpf profile diff A.folded B.folded --svg OUT` draws B coloured by its change \
            against A.
            """
    )

    public struct Arguments: ToolArguments {
        @OptionGroup public var common: ToolOptions

        @Option(name: [.customShort("F"), .long], parsing: .unconditional, help: "Samples per second on each CPU.")
        public var frequency: UInt64 = 49

        @Flag(name: [.customShort("U"), .customLong("user-stacks-only")], help: "Only user stacks (no kernel stacks).")
        public var userOnly = false

        @Flag(name: [.customShort("K"), .customLong("kernel-stacks-only")], help: "Only kernel stacks (no user stacks).")
        public var kernelOnly = false

        @Flag(name: [.customShort("f"), .long], help: "Folded output for flame graphs: comm;frame;frame count.")
        public var folded = false

        @Flag(help: "Separate kernel and user frames with a delimiter (\"--\", or \"-\" when folded).")
        public var delimited = false

        @Flag(name: [.customShort("I"), .customLong("include-idle")], help: "Include the idle task (pid 0).")
        public var includeIdle = false

        @Flag(name: .customLong("per-thread"), help: "Count per thread, not only per process.")
        public var perThread = false

        @Option(name: .customLong("svg"), help: ArgumentHelp("Write an interactive flame graph SVG to FILE.", valueName: "FILE"))
        public var svgPath: String?

        @Option(name: .customLong("pprof"), help: ArgumentHelp("Write the profile in pprof protobuf format to FILE.", valueName: "FILE"))
        public var pprofPath: String?

        @Option(name: .customLong("stack-storage-size"), parsing: .unconditional, help: "Distinct stacks the kernel can store (default 16384).")
        public var stackStorageSize: UInt32 = 16384

        public init() {}
        public var output: ToolOutputOptions { common.output }

        public func validate() throws {
            if userOnly && kernelOnly { throw ValidationError("-U/--user-stacks-only and -K/--kernel-stacks-only exclude each other") }
            if frequency == 0 || frequency > 100_000 { throw ValidationError("-F/--frequency must be 1 to 100000 Hz, got \(frequency)") }
            if stackStorageSize == 0 { throw ValidationError("--stack-storage-size must be at least 1") }
            if folded && common.json { throw ValidationError("--folded and --json exclude each other") }
            if let p = svgPath, p.isEmpty { throw ValidationError("--svg needs a file name") }
            if let p = pprofPath, p.isEmpty { throw ValidationError("--pprof needs a file name") }
        }
    }

    /// Four times a second the tool remembers the maps of new processes, so that stacks of
    /// processes that exit before the end still symbolise.
    public let interval: Double? = 0.25
    let tool: Profile
    let arguments: Arguments
    let options: Profile.Options
    /// Samples whose stacks the kernel could not store, in the final report.
    private var lostSamples: UInt64 = 0
    /// Wall-clock start, for the pprof header.
    private let startedAt = ProfileFiles.realtimeNanoseconds()

    public init(arguments: Arguments) throws {
        options = Profile.Options(frequency: arguments.frequency, userStacks: !arguments.kernelOnly, kernelStacks: !arguments.userOnly,
                                  includeIdle: arguments.includeIdle, perThread: arguments.perThread,
                                  stackStorageSize: arguments.stackStorageSize)
        tool = try Profile(filter: arguments.common.filter, options: options)
        self.arguments = arguments
    }

    public var session: ToolSession { tool.session }

    public func header() -> String? {
        guard !arguments.folded else { return nil }
        let what = arguments.userOnly ? "user" : arguments.kernelOnly ? "kernel" : "user + kernel"
        let who = arguments.common.pid.map { "process \($0)" } ?? "all threads"
        return "Sampling at \(arguments.frequency) Hertz of \(who) by \(what) stack" +
            (arguments.common.duration.map { " for \($0) secs." } ?? "... Hit Ctrl-C to end.")
    }

    /// Only the final report has stacks; each tick remembers new processes' maps.
    public func take(final: Bool) throws -> [ProfileStack]? {
        try tool.rememberProcesses()
        guard final else { return nil }
        let samples = try tool.take()
        lostSamples = ProfileFormat.lostSamples(samples)
        let stacks = tool.symbolize(samples)
        if arguments.svgPath != nil || arguments.pprofPath != nil {
            try writeFiles(ProfileStack.merged(stacks))
            guard arguments.folded || arguments.common.json else { return nil }
        }
        // JSON is one line per stack: none for no stacks.
        return arguments.common.json && stacks.isEmpty ? nil : stacks
    }

    /// Writes the --svg and --pprof files and says so on stderr.
    func writeFiles(_ stacks: [ProfileStack]) throws {
        let folded = FoldedProfile.stacks(stacks, options: options)
        let samples = folded.reduce(0) { $0 + $1.count }
        if let path = arguments.svgPath {
            let who = arguments.common.pid.map { "process \($0)" } ?? "all processes"
            let svg = FlameGraphSVG.render(folded, title: "CPU Flame Graph",
                                           subtitle: "\(samples) samples of \(who) at \(arguments.frequency) Hz")
            try ProfileFiles.write(path, Array(svg.utf8))
            Output.error("profile: wrote the flame graph \(path) (\(folded.count) stacks, \(samples) samples)")
        }
        if let path = arguments.pprofPath {
            let now = ProfileFiles.realtimeNanoseconds()
            let bytes = PprofProfile.encode(folded, frequency: arguments.frequency, timeNanoseconds: startedAt,
                                            durationNanoseconds: max(0, now - startedAt))
            try ProfileFiles.write(path, bytes)
            Output.error("profile: wrote the pprof profile \(path) (\(folded.count) stacks, \(samples) samples)")
        }
    }

    public func text(_ stacks: [ProfileStack], seconds: Double?) -> String {
        arguments.folded
            ? ProfileFormat.folded(ProfileStack.merged(stacks), options: options, delimited: arguments.delimited)
            : ProfileFormat.text(ProfileStack.merged(stacks), options: options, delimited: arguments.delimited)
    }

    public func json(_ stacks: [ProfileStack], seconds: Double?) -> String {
        stacks.map(ProfileFormat.json).joined(separator: "\n")
    }

    public func finish(json: Bool) throws {
        if lostSamples > 0 {
            Output.error("WARNING: \(lostSamples) samples with stacks the kernel could not store (try a larger --stack-storage-size)")
        }
        let dropped = try session.droppedEvents()
        if dropped > 0 {
            if json { print("{\"dropped\":\(dropped)}") }
            Output.error("profile: \(dropped) samples not counted (the count table was full)")
        }
    }
}
