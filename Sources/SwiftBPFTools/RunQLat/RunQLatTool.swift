import ArgumentParser
import BPF
import ToolText

/// `swiftbpf runqlat`.
public struct RunQLatTool: IntervalTool {
    public static let configuration = CommandConfiguration(
        commandName: "runqlat",
        abstract: "Summarize scheduler run-queue latency as a histogram, built in the kernel.",
        discussion: """
            The time tasks wait on a run queue after a wakeup or a preemption until they run. \
            Filters (-p, --comm, --uid, --cgroup) apply to the waiting task. -P gives a histogram \
            per process, -L one per thread, --per-cgroup one per cgroup.
            JSON (one object per interval): time (with -T), unit, histograms [{pid, comm | \
            tid, comm | cgroup_id, cgroup | (nothing for the total), count, hist}], dropped. hist is \
            [{low, high, count}] in unit.
            """
    )

    public struct Arguments: ToolArguments {
        @OptionGroup public var common: ToolOptions
        @OptionGroup public var latency: LatencyOptions

        @Flag(name: [.customShort("P"), .customLong("pids")], help: "One histogram per process.")
        public var perProcess = false

        @Flag(name: [.customShort("L"), .customLong("tids")], help: "One histogram per thread.")
        public var perThread = false

        @Flag(name: .customLong("per-cgroup"), help: "One histogram per cgroup.")
        public var perCgroup = false

        public init() {}
        public var output: ToolOutputOptions { common.output }

        public func validate() throws {
            if [perProcess, perThread, perCgroup].filter({ $0 }).count > 1 {
                throw ValidationError("-P, -L and --per-cgroup exclude each other")
            }
        }
    }

    let tool: RunQLat
    let arguments: Arguments
    let cgroups = CgroupPaths()

    public init(arguments: Arguments) throws {
        tool = try RunQLat(filter: arguments.common.filter,
                           options: .init(perProcess: arguments.perProcess, perThread: arguments.perThread,
                                          perCgroup: arguments.perCgroup, histogram: arguments.latency.histogram))
        self.arguments = arguments
    }

    public var session: ToolSession { tool.session }
    public var interval: Double? { arguments.latency.interval }
    public func header() -> String? { "Tracing run queue latency... Hit Ctrl-C to end." }
    public func take(final: Bool) throws -> [KeyedHistogram]? { try tool.take() }

    public func text(_ hists: [KeyedHistogram], seconds: Double?) -> String {
        LatencyFormat.report(hists, options: arguments.latency.histogram, interval: interval, seconds: seconds) { h in
            if arguments.perProcess { return "pid = \(h.key) \(h.comm)" }
            if arguments.perThread { return "tid = \(h.key) \(h.comm)" }
            if arguments.perCgroup { return "cgroup = \(cgroups.path(of: h.key) ?? "id \(h.key)")" }
            return nil
        }
    }

    public func json(_ hists: [KeyedHistogram], seconds: Double?) -> String {
        LatencyFormat.json(hists, options: arguments.latency.histogram, listKey: "histograms", seconds: seconds,
                           dropped: (try? session.droppedEvents()) ?? 0) { h in
            if arguments.perProcess { return [("pid", "\(h.key)"), ("comm", JSON.string(h.comm))] }
            if arguments.perThread { return [("tid", "\(h.key)"), ("comm", JSON.string(h.comm))] }
            if arguments.perCgroup { return [("cgroup_id", "\(h.key)"), ("cgroup", JSON.string(cgroups.path(of: h.key) ?? ""))] }
            return []
        }
    }
}
