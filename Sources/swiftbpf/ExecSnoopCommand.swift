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
            -errno) and ARGS. Filters run in the kernel. Ctrl-C or SIGTERM stops and detaches.
            JSON fields: comm, pid, ppid, uid, ret, args (array), truncated, tgid, tid, cgroup_id, \
            cgroup (the cgroup v2 path), and time with --timestamp.
            """
    )

    @Option(help: "Only execs by this process or by its children (parent pid).")
    var pid: UInt32?

    @Option(help: "Only execs by this user id.")
    var uid: UInt32?

    @Option(help: "Only execs whose command name contains this text.")
    var name: String?

    @Option(help: "Only execs whose command name is exactly this.")
    var comm: String?

    @Option(help: "Only execs in this cgroup v2 directory or below (a container's cgroup); absolute, or relative to the cgroup2 mount.")
    var cgroup: String?

    @Option(name: .customLong("buffer-kib"), help: "Ring buffer size in KiB, a power of two (default 512). Larger drops fewer events on a very busy machine and uses more memory.")
    var bufferKiB: UInt32?

    @Flag(name: [.customShort("T"), .long], help: "Print the time since start, in seconds.")
    var timestamp = false

    @Flag(help: "Print one JSON object per line.")
    var json = false

    @Option(name: [.short, .long], help: "Stop after this many seconds.")
    var duration: Double?

    func run() throws {
        installStopHandlers()
        let start = MonotonicClock.seconds()
        if let bufferKiB, bufferKiB < 4 || bufferKiB & (bufferKiB - 1) != 0 {
            throw ValidationError("--buffer-kib must be a power of two of at least 4, got \(bufferKiB)")
        }
        let snoop = try ExecSnoop(filter: .init(pid: pid, uid: uid, name: name, comm: comm, cgroupPath: cgroup,
                                                ringBufferSize: bufferKiB.map { $0 * 1024 }))
        let cgroups = CgroupPaths()
        if !json {
            print(ExecSnoopFormat.header(timestamp: timestamp))
            Output.flush()
        }
        let emit = { (event: ExecEvent) in
            let t = timestamp ? MonotonicClock.seconds() - start : nil
            print(json ? ExecSnoopFormat.json(event, seconds: t, cgroupPath: cgroups.path(of: event.task.cgroupID))
                       : ExecSnoopFormat.line(event, seconds: t))
        }
        while !stopRequested.load(ordering: .relaxed) {
            if let duration, MonotonicClock.seconds() - start >= duration { break }
            if try snoop.poll(timeoutMilliseconds: 200, emit) > 0 { Output.flush() }
        }
        // Events already queued when the stop came are printed, not thrown away.
        _ = snoop.drain(emit)
        Output.flush()
        snoop.stop()
        let lost = try snoop.droppedEvents()
        if lost > 0 {
            if json { print("{\"dropped\":\(lost)}") }
            Output.error("execsnoop: \(lost) events dropped (ring buffer full)")
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
