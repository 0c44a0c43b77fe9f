import ArgumentParser
import BPF
import ToolText

/// `swiftbpf syscount`.
public struct SysCountTool: IntervalTool {
    public static let configuration = CommandConfiguration(
        commandName: "syscount",
        abstract: "Count syscalls per syscall or per process, with their latency; aggregated in the kernel.",
        discussion: """
            Prints the top syscalls (or processes with -P) by count, or by total time with -L, at \
            the end or every --interval: SYSCALL (or PID COMM), COUNT, and with -L TIME (us), the \
            total, and AVG (us). --hist adds a latency histogram per entry. Syscall names are \
            x86_64's. Filters run in the kernel.
            JSON (one object per interval): time (with -T), unit (with -L), syscalls \
            [{syscall, nr, count, total_ns, avg_ns, hist}] or processes [{pid, comm, count, \
            total_ns, avg_ns, hist}], dropped. hist is [{low, high, count}] in unit.
            """
    )

    public struct Arguments: ToolArguments {
        @OptionGroup public var common: ToolOptions
        @OptionGroup public var latencyOptions: LatencyOptions

        @Flag(name: [.customShort("P"), .customLong("process")], help: "Count per process instead of per syscall.")
        public var byProcess = false

        @Flag(name: [.customShort("L"), .customLong("latency")], help: "Measure the time spent in each syscall.")
        public var latency = false

        @Flag(help: "Print a latency histogram per entry (implies -L).")
        public var hist = false

        @Flag(name: [.customShort("x"), .customLong("failures")], help: "Only failed syscalls.")
        public var failures = false

        @Option(parsing: .unconditional, help: "Only this syscall (a name such as getppid, or a number).")
        public var syscall: String?

        @Option(parsing: .unconditional, help: "Print only the top N entries (default 10; 0 prints all).")
        public var top = 10

        public init() {}
        public var output: ToolOutputOptions { common.output }

        public func validate() throws {
            if top < 0 { throw ValidationError("--top must be 0 (all) or more, got \(top)") }
        }
    }

    /// The highest number --syscall accepts: x86_64 syscalls end below 512, where x32's begin.
    static let highestSyscallNumber: Int32 = 511

    let tool: SysCount
    let arguments: Arguments
    let options: SysCount.Options

    public init(arguments: Arguments) throws {
        var nr: Int32?
        if let syscall = arguments.syscall {
            if let n = Int32(syscall) {
                // x86_64 numbers run from 0 to a few hundred; 512 and up are x32's.
                guard (0...Self.highestSyscallNumber).contains(n) else {
                    throw CommandError("--syscall \(syscall) is not an x86_64 syscall number (0 to \(Self.highestSyscallNumber))")
                }
                nr = n
            } else {
                guard let n = SysCount.syscallNumber(syscall) else {
                    throw CommandError("unknown syscall \"\(syscall)\" (x86_64 names, such as getppid)")
                }
                nr = Int32(n)
            }
        }
        options = SysCount.Options(byProcess: arguments.byProcess, latency: arguments.latency || arguments.hist,
                                   failedOnly: arguments.failures, syscall: nr, histogram: arguments.latencyOptions.histogram)
        tool = try SysCount(filter: arguments.common.filter, options: options)
        self.arguments = arguments
    }

    public var session: ToolSession { tool.session }
    public var interval: Double? { arguments.latencyOptions.interval }
    var limit: Int? { arguments.top > 0 ? arguments.top : nil }

    public func header() -> String? {
        "Tracing syscalls, printing top \(arguments.top > 0 ? String(arguments.top) : "all")... Ctrl-C to quit."
    }

    public func take(final: Bool) throws -> [SysCount.Entry]? { try tool.take() }

    public func text(_ entries: [SysCount.Entry], seconds: Double?) -> String {
        var lines = [seconds.map { "[\(TimeText.seconds($0))]" } ?? "[\(TimeText.wallClock())]"]
        lines.append(SysCountFormat.table(entries, options: options, top: limit))
        if arguments.hist { lines.append("\n" + SysCountFormat.histograms(entries, options: options, top: limit)) }
        lines.append("")
        return lines.joined(separator: "\n")
    }

    public func json(_ entries: [SysCount.Entry], seconds: Double?) -> String {
        SysCountFormat.json(entries, options: options, top: limit, seconds: seconds, dropped: (try? session.droppedEvents()) ?? 0)
    }

    public func finish(json: Bool) throws {
        if !json, let lost = try? session.droppedEvents(), lost > 0 {
            Output.error("syscount: \(lost) keys not counted (table full)")
        }
    }
}
