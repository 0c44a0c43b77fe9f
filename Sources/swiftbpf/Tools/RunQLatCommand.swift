import ArgumentParser
import BPF
import SwiftBPFTools

struct RunQLatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
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

    @OptionGroup var common: ToolOptions
    @OptionGroup var latencyOptions: LatencyOptions

    @Flag(name: [.customShort("P"), .customLong("pids")], help: "One histogram per process.")
    var perProcess = false

    @Flag(name: [.customShort("L"), .customLong("tids")], help: "One histogram per thread.")
    var perThread = false

    @Flag(name: .customLong("per-cgroup"), help: "One histogram per cgroup.")
    var perCgroup = false

    func validate() throws {
        if [perProcess, perThread, perCgroup].filter({ $0 }).count > 1 {
            throw ValidationError("-P, -L and --per-cgroup exclude each other")
        }
    }

    func run() throws {
        installStopHandlers()
        let hopts = latencyOptions.histogram
        let tool = try RunQLat(filter: common.filter, options: .init(perProcess: perProcess, perThread: perThread, perCgroup: perCgroup, histogram: hopts))
        let cgroups = CgroupPaths()
        let start = MonotonicClock.seconds()
        if !common.json {
            print("Tracing run queue latency... Hit Ctrl-C to end.")
            Output.flush()
        }
        try IntervalLoop.run(interval: latencyOptions.interval, duration: common.duration) { _ in
            let hists = try tool.take()
            let t = common.timestamp ? MonotonicClock.seconds() - start : nil
            if common.json {
                print(LatencyFormat.json(hists, options: hopts, listKey: "histograms", seconds: t,
                                         dropped: try tool.session.droppedEvents()) { h in
                    if perProcess { return [("pid", "\(h.key)"), ("comm", JSON.string(h.comm))] }
                    if perThread { return [("tid", "\(h.key)"), ("comm", JSON.string(h.comm))] }
                    if perCgroup { return [("cgroup_id", "\(h.key)"), ("cgroup", JSON.string(cgroups.path(of: h.key) ?? ""))] }
                    return []
                })
            } else {
                if latencyOptions.interval != nil || t != nil { print(t.map { "\n[\(Columns.seconds($0))]" } ?? "\n\(WallClock.hms())") }
                print(LatencyFormat.text(hists, options: hopts) { h in
                    if perProcess { return "pid = \(h.key) \(h.comm)" }
                    if perThread { return "tid = \(h.key) \(h.comm)" }
                    if perCgroup { return "cgroup = \(cgroups.path(of: h.key) ?? "id \(h.key)")" }
                    return nil
                })
            }
            Output.flush()
        }
        tool.session.stop()
    }
}
