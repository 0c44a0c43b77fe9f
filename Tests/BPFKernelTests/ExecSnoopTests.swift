import BPF
import Foundation
import Glibc
import SwiftBPFTools
import Testing

/// execsnoop against real execs that the test makes itself, filtered to its own children; each
/// test runs with execsnoop.bpf.c and with its Swift twin, execsnoop_swift.bpf.swift.
@Suite(.serialized, .enabled(if: isRoot, "execsnoop needs root"))
struct ExecSnoopTests {
    /// Polls until `match` accepts an event, spawning `trigger` between polls; nil after ~5 s.
    func firstEvent(_ snoop: ExecSnoop, trigger: () -> Void, where match: (ExecEvent) -> Bool) throws -> ExecEvent? {
        for _ in 0..<50 {
            trigger()
            var found: ExecEvent?
            _ = try snoop.poll(timeoutMilliseconds: 100) { e in if found == nil, match(e) { found = e } }
            if let found { return found }
        }
        return nil
    }

    @Test(arguments: BPFProgramLanguage.allCases) func reportsExactArgvOfAChild(language: BPFProgramLanguage) throws {
        let snoop = try ExecSnoop(filter: .init(pid: UInt32(getpid())), language: language)
        let marker = "swiftbpf-marker-\(UInt32.random(in: 0...UInt32.max))"
        let args = ["/bin/echo", marker, "two words", "", "tab\there", "ünïcødé", String(repeating: "x", count: 900)]
        var child: pid_t = 0
        let event = try firstEvent(snoop, trigger: { child = spawnAndWait("/bin/echo", args).pid }) { $0.args.contains(marker) }
        let e = try #require(event, "no exec event for the marker")
        #expect(e.args == args)
        #expect(e.comm == "echo")
        #expect(e.ret == 0)
        #expect(e.ppid == UInt32(getpid()))
        #expect(e.pid != UInt32(getpid()))
        #expect(e.uid == getuid())
        #expect(!e.truncated)
        _ = child
    }

    /// Counting mode: every exec counted in the kernel by command and outcome, while the rate
    /// limit (2 a second: one per CPU on two CPUs) lets only a few through as events. The limited
    /// tool sees only the test's own program (a comm filter), so other tests' children do not
    /// use up its budget; a second one without a limit counts the failed execs too.
    @Test(arguments: BPFProgramLanguage.allCases) func countingModeCountsEveryExecAndLimitsEvents(language: BPFProgramLanguage) throws {
        let name = "sbcount\(UInt32.random(in: 100_000...999_999))"
        let path = "/tmp/\(name)"
        // A link named for the test: a task's command is the name it was executed by.
        try #require(symlink(URL(fileURLWithPath: "/bin/true").resolvingSymlinksInPath().path, path) == 0, "symlink \(path)")
        defer { unlink(path) }
        let (limited, counts) = try ExecSnoop.startCounting(filter: .init(comm: name), counting: CountingOptions(eventsPerSecond: 2),
                                                            language: language)
        defer { limited.stop() }
        let (all, allCounts) = try ExecSnoop.startCounting(filter: .init(pid: UInt32(getpid())), counting: CountingOptions(),
                                                           language: language)
        defer { all.stop() }
        let comm = SnoopTest.threadComm()
        let started = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<30 { #expect(spawnAndWait(path, [path]).spawnError == 0) }
        for _ in 0..<4 { #expect(spawnAndWait(path + "-missing", [path]).spawnError == ENOENT) }
        let seconds = Int((DispatchTime.now().uptimeNanoseconds - started) / 1_000_000_000) + 2
        var events: [ExecEvent] = []
        for _ in 0..<3 { _ = try limited.poll(timeoutMilliseconds: 50) { events.append($0) } }

        let taken = try counts.take()
        #expect(taken.counts.map(\.comm) == [name] && taken.counts.map(\.outcome) == [ExecSnoop.Outcome.succeeded], "counted: \(taken.counts)")
        #expect(taken.counts.first?.count == 30, "counted: \(taken.counts)")
        #expect(taken.whileFull.allSatisfy { $0 == 0 }, "the table was never full")
        // Each CPU sends one exec per second of its own; the rest are held back, and counted.
        let cpus = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #expect(events.count >= 1 && events.count <= cpus * seconds, "\(events.count) of 30 execs sent in \(seconds) s on \(cpus) CPUs")
        #expect(events.allSatisfy { $0.comm == name })
        #expect(taken.held == UInt64(30 - events.count), "held back: \(taken.held), sent: \(events.count)")
        #expect(try counts.take().counts.isEmpty, "a take empties the table")

        let everything = try allCounts.take().counts
        #expect(everything.filter { $0.comm == name }.map(\.count) == [30], "counted: \(everything)")
        let failed = everything.filter { $0.comm == comm && $0.outcome == ExecSnoop.Outcome.failed }.reduce(0) { $0 + $1.count }
        #expect(failed >= 4, "failed execs counted under the spawning thread's command: \(everything)")
    }

    @Test(arguments: BPFProgramLanguage.allCases) func reportsFailedExecWithErrno(language: BPFProgramLanguage) throws {
        let snoop = try ExecSnoop(filter: .init(pid: UInt32(getpid())), language: language)
        let path = "/nonexistent/swiftbpf-\(UInt32.random(in: 0...UInt32.max))"
        let event = try firstEvent(snoop, trigger: { spawnAndWait(path, [path, "arg"]) }) { $0.args.first == path }
        let e = try #require(event, "no event for a failing exec")
        #expect(e.ret == -ENOENT)
        #expect(e.args == [path, "arg"])
    }

    @Test(arguments: BPFProgramLanguage.allCases) func manyArgumentsArrivePastOnePage(language: BPFProgramLanguage) throws {
        let snoop = try ExecSnoop(filter: .init(pid: UInt32(getpid())), language: language)
        let marker = "many-\(UInt32.random(in: 0...UInt32.max))"
        let args = ["/bin/true", marker] + (0..<40).map { "argument-\($0)-" + String(repeating: "y", count: 60) }
        let event = try firstEvent(snoop, trigger: { spawnAndWait("/bin/true", args) }) { $0.args.contains(marker) }
        let e = try #require(event)
        #expect(e.args == args)
    }

    @Test(arguments: BPFProgramLanguage.allCases) func nameFilterRunsInTheKernel(language: BPFProgramLanguage) throws {
        let snoop = try ExecSnoop(filter: .init(pid: UInt32(getpid()), name: "ech"), language: language)
        let marker = "name-\(UInt32.random(in: 0...UInt32.max))"
        var others = 0
        let event = try firstEvent(snoop, trigger: {
            spawnAndWait("/bin/true", ["/bin/true", marker])
            spawnAndWait("/bin/echo", ["/bin/echo", marker])
        }) { e in
            if e.comm != "echo" { others += 1 }
            return e.args.contains(marker)
        }
        let e = try #require(event)
        #expect(e.comm == "echo")
        #expect(others == 0, "events for other commands passed the name filter")
    }

    @Test(arguments: BPFProgramLanguage.allCases) func uidFilterExcludesOtherUsers(language: BPFProgramLanguage) throws {
        // We run as root (uid 0): a filter on another uid must see none of our children.
        let snoop = try ExecSnoop(filter: .init(pid: UInt32(getpid()), uid: 4_000_000), language: language)
        var seen = 0
        for _ in 0..<5 {
            spawnAndWait("/bin/true", ["/bin/true"])
            seen += try snoop.poll(timeoutMilliseconds: 50) { _ in }
        }
        #expect(seen == 0)
        let mine = try ExecSnoop(filter: .init(pid: UInt32(getpid()), uid: 0), language: language)
        let event = try firstEvent(mine, trigger: { spawnAndWait("/bin/true", ["/bin/true", "uid0"]) }) { $0.args.last == "uid0" }
        #expect(event?.uid == 0)
    }

    @Test(arguments: BPFProgramLanguage.allCases) func cgroupFilterAndAttribution(language: BPFProgramLanguage) throws {
        let mount = try CgroupPaths.mountPoint()
        let name = "swiftbpf-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let inside = mount + "/" + name, other = inside + "-other"
        try Syscalls.mkdir(inside, mode: 0o755)
        try Syscalls.mkdir(other, mode: 0o755)
        // Move this process into the test cgroup so that its children start there; move it
        // back and remove both cgroups at the end.
        let originalCgroup = try currentCgroup()
        try Syscalls.writeFile(inside + "/cgroup.procs", Array("\(getpid())".utf8))
        defer {
            try? Syscalls.writeFile(mount + originalCgroup + "/cgroup.procs", Array("\(getpid())".utf8))
            rmdir(inside)
            rmdir(other)
        }
        let mine = try ExecSnoop(filter: .init(pid: UInt32(getpid()), cgroupPath: inside), language: language)
        let elsewhere = try ExecSnoop(filter: .init(pid: UInt32(getpid()), cgroupPath: "/" + name + "-other"), language: language)
        let marker = "cg-\(UInt32.random(in: 0...UInt32.max))"
        let event = try firstEvent(mine, trigger: { spawnAndWait("/bin/true", ["/bin/true", marker]) }) { $0.args.last == marker }
        let e = try #require(event, "no event from inside the cgroup")
        #expect(e.task.cgroupID == (try Syscalls.inode(of: inside)))
        #expect(CgroupPaths().path(of: e.task.cgroupID) == "/" + name)
        #expect(try elsewhere.poll(timeoutMilliseconds: 100) { _ in } == 0, "an exec outside the filtered cgroup passed")
    }

    /// This process's cgroup v2 path ("0::/path" in /proc/self/cgroup).
    func currentCgroup() throws -> String {
        let text = String(decoding: try Syscalls.readFile("/proc/self/cgroup"), as: UTF8.self)
        let line = text.split(separator: "\n").first { $0.hasPrefix("0::") } ?? "0::/"
        let path = String(line.dropFirst(3))
        return path == "/" ? "" : path
    }

    @Test func rejectsNameLongerThanComm() {
        #expect(throws: BPFError.self) { _ = try ExecSnoop(filter: .init(name: String(repeating: "n", count: 16))) }
    }

    @Test func jsonAndColumns() {
        let task = TaskInfo(cgroupID: 99, pid: 43, tgid: 42, ppid: 7, uid: 1000, comm: "a\"b")
        let e = ExecEvent(task: task, ret: -2, args: ["/bin/x", "q\"uote", "new\nline"])
        #expect(ExecSnoopFormat.json(e, cgroupPath: "/c") ==
            #"{"comm":"a\"b","pid":42,"ppid":7,"uid":1000,"ret":-2,"args":["/bin/x","q\"uote","new\nline"],"truncated":false,"tgid":42,"tid":43,"cgroup_id":99,"cgroup":"/c"}"#)
        #expect(ExecSnoopFormat.header(timestamp: false) == "PCOMM            PID     PPID    RET ARGS")
        #expect(ExecSnoopFormat.line(e) == "a\"b              42      7        -2 /bin/x q\"uote new\nline")
    }
}
