import ArgumentParser
import BPF
import SwiftBPFTools

struct SysCountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
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

    @OptionGroup var common: ToolOptions
    @OptionGroup var latencyOptions: LatencyOptions

    @Flag(name: [.customShort("P"), .customLong("process")], help: "Count per process instead of per syscall.")
    var byProcess = false

    @Flag(name: [.customShort("L"), .customLong("latency")], help: "Measure the time spent in each syscall.")
    var latency = false

    @Flag(help: "Print a latency histogram per entry (implies -L).")
    var hist = false

    @Flag(name: [.customShort("x"), .customLong("failures")], help: "Only failed syscalls.")
    var failures = false

    @Option(parsing: .unconditional, help: "Only this syscall (a name such as getppid, or a number).")
    var syscall: String?

    @Option(parsing: .unconditional, help: "Print only the top N entries (default 10; 0 prints all).")
    var top = 10

    /// The highest number --syscall accepts: x86_64 syscalls end below 512, where x32's begin.
    static let highestSyscallNumber: Int32 = 511

    func validate() throws {
        if top < 0 { throw ValidationError("--top must be 0 (all) or more, got \(top)") }
    }

    func run() throws {
        installStopHandlers()
        var nr: Int32?
        if let syscall {
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
        let options = SysCount.Options(byProcess: byProcess, latency: latency || hist, failedOnly: failures,
                                       syscall: nr, histogram: latencyOptions.histogram)
        let tool = try SysCount(filter: common.filter, options: options)
        let start = MonotonicClock.seconds()
        let limit = top > 0 ? top : nil
        if !common.json {
            print("Tracing syscalls, printing top \(top > 0 ? String(top) : "all")... Ctrl-C to quit.")
            Output.flush()
        }
        try IntervalLoop.run(interval: latencyOptions.interval, duration: common.duration) { _ in
            let entries = try tool.take()
            let t = common.timestamp ? MonotonicClock.seconds() - start : nil
            if common.json {
                print(SysCountFormat.json(entries, options: options, top: limit, seconds: t, dropped: try tool.session.droppedEvents()))
            } else {
                print(t.map { "[\(Columns.seconds($0))]" } ?? "[\(WallClock.hms())]")
                print(SysCountFormat.table(entries, options: options, top: limit))
                if hist { print("\n" + SysCountFormat.histograms(entries, options: options, top: limit)) }
                print("")
            }
            Output.flush()
        }
        tool.session.stop()
        if !common.json, let lost = try? tool.session.droppedEvents(), lost > 0 {
            Output.error("syscount: \(lost) keys not counted (table full)")
        }
    }
}
