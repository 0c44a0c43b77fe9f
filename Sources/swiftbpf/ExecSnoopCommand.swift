import ArgumentParser
import BPF
import Glibc
import SwiftBPFTools

struct ExecSnoopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "execsnoop",
        abstract: "Trace every exec on the machine, with its full argv.",
        discussion: """
            One line per execve(2): PCOMM (the command name after the exec), PID, PPID, RET (0 or \
            -errno) and ARGS. Filters run in the kernel; for execsnoop, --pid keeps execs by that \
            process and by its children. Ctrl-C or \
            SIGTERM stops and detaches.
            JSON fields: comm, pid, ppid, uid, ret, args (array), truncated, tgid, tid, cgroup_id, \
            cgroup (the cgroup v2 path), and time with --timestamp.
            """
    )

    @OptionGroup var common: ToolOptions

    @Option(help: "Only execs whose command name contains this text.")
    var name: String?

    func run() throws {
        installStopHandlers()
        let snoop = try ExecSnoop(filter: .init(pid: common.pid, uid: common.uid, name: name, comm: common.comm,
                                                cgroupPath: common.cgroup, ringBufferSize: common.ringBufferSize))
        let cgroups = CgroupPaths()
        try EventLoop.run(snoop.session, tool: "execsnoop", options: common,
                          header: ExecSnoopFormat.header(timestamp: common.timestamp)) { record, seconds in
            guard let event = ExecEvent(record: record) else { return nil }
            return common.json
                ? ExecSnoopFormat.json(event, seconds: seconds, cgroupPath: cgroups.path(of: event.task.cgroupID))
                : ExecSnoopFormat.line(event, seconds: seconds)
        }
    }
}

enum MonotonicClock {
    static func seconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
