import BPF
import Foundation
import Glibc
import SwiftBPFTools
import Testing

/// exitsnoop against children that exit with a known code or die of a known signal.
@Suite(.serialized, .enabled(if: isRoot, "exitsnoop needs root"))
struct ExitSnoopTests {
    @Test func exitCodeOfAChild() throws {
        let session = try ExitSnoop.start(filter: ToolFilter(comm: "sh"))
        var children: Set<UInt32> = []
        let events = try SnoopTest.collectEvents(session, decode: ExitEvent.init(record:), trigger: {
            let child = spawnAndWait("/bin/sh", ["/bin/sh", "-c", "exit 7"]).pid
            children.insert(UInt32(child))
        }) { es in es.contains { children.contains($0.task.tgid) } }
        let e = try #require(events.first { children.contains($0.task.tgid) }, "no exit event for the child")
        #expect(e.code == 7)
        #expect(e.signal == 0 && !e.coreDumped)
        #expect(e.status == 7 << 8)
        #expect(e.task.pid == e.task.tgid)
        #expect(e.task.ppid == UInt32(getpid()))
        #expect(e.task.comm == "sh")
        #expect(e.ageNanoseconds > 0 && e.ageNanoseconds < 10_000_000_000)
        #expect(ExitSnoopFormat.exitText(e) == "code 7")
        #expect(events.allSatisfy { $0.task.comm == "sh" }, "the comm filter let other commands through")
    }

    /// Counting mode without a rate limit: every exit counted by outcome, and every one sent.
    /// The shells move themselves into a cgroup of the test's own first, so its id picks out
    /// their counts from those of every other `sh` on the machine.
    @Test func countingModeCountsExitsByOutcome() throws {
        let cgroup = try TestCgroup("exits")
        defer { cgroup.remove() }
        let (session, counts) = try ExitSnoop.startCounting(filter: ToolFilter(comm: "sh"), counting: CountingOptions())
        defer { session.stop() }
        var statuses: [Int32] = []
        for (script, times) in [("exit 0", 6), ("exit 3", 3), ("kill -9 $$", 2)] {
            for _ in 0..<times {
                statuses.append(spawnAndWaitForStatus("/bin/sh", ["/bin/sh", "-c", "echo $$ > \(cgroup.procs) && \(script)"]).status)
            }
        }
        #expect(statuses == Array(repeating: 0, count: 6) + Array(repeating: 3 << 8, count: 3) + [SIGKILL, SIGKILL], "wait statuses: \(statuses)")
        let events = try SnoopTest.collectEvents(session, decode: ExitEvent.init(record:), trigger: {}) { es in
            es.filter { $0.task.cgroupID == cgroup.id }.count >= 11
        }.filter { $0.task.cgroupID == cgroup.id }

        let taken = try counts.take()
        func counted(_ outcome: UInt32) -> UInt64 {
            taken.counts.filter { $0.cgroupID == cgroup.id && $0.outcome == outcome }.reduce(0) { $0 + $1.count }
        }
        #expect(counted(ExitSnoop.Outcome.ok) == 6, "counted: \(taken.counts)")
        #expect(counted(ExitSnoop.Outcome.error) == 3, "counted: \(taken.counts)")
        #expect(counted(ExitSnoop.Outcome.signal) == 2, "counted: \(taken.counts)")
        #expect(taken.counts.filter { $0.cgroupID == cgroup.id }.allSatisfy { $0.comm == "sh" })
        #expect(events.count == 11, "no limit: every exit is sent")
        #expect(taken.held == 0)
        #expect(events.filter { $0.signal == UInt32(SIGKILL) }.count == 2)
    }

    @Test func signalThatKilledAChild() throws {
        let session = try ExitSnoop.start(filter: ToolFilter(comm: "sleep"))
        let child = try #require(SnoopTest.spawnChild("/bin/sleep", ["/bin/sleep", "10"]))
        usleep(100_000)
        #expect(kill(child, SIGUSR1) == 0)
        var status: Int32 = 0
        waitpid(child, &status, 0)
        #expect(status & 0x7f == SIGUSR1)
        let events = try SnoopTest.collectEvents(session, decode: ExitEvent.init(record:), trigger: {}) { es in
            es.contains { $0.task.tgid == UInt32(child) }
        }
        let e = try #require(events.first { $0.task.tgid == UInt32(child) }, "no exit event for the killed child")
        #expect(e.signal == UInt32(SIGUSR1))
        #expect(e.code == 0)
        #expect(e.status == UInt32(SIGUSR1))
        #expect(e.task.ppid == UInt32(getpid()))
        #expect(e.ageNanoseconds >= 100_000_000 && e.ageNanoseconds < 10_000_000_000)
        #expect(ExitSnoopFormat.exitText(e) == "signal 10 (SIGUSR1)")
    }

    @Test func threadExitsOnlyWhenAsked() throws {
        let me = ToolFilter(pid: UInt32(getpid()))
        let processes = try ExitSnoop.start(filter: me)
        let threads = try ExitSnoop.start(filter: me, options: .init(threads: true))
        var thread = pthread_t()
        #expect(pthread_create(&thread, nil, { _ in nil }, nil) == 0)
        pthread_join(thread, nil)
        let seen = try SnoopTest.collectEvents(threads, decode: ExitEvent.init(record:), trigger: {}) { !$0.isEmpty }
        let e = try #require(seen.first, "no event for a thread exit with threads on")
        #expect(e.task.tgid == UInt32(getpid()))
        #expect(e.task.pid != e.task.tgid)
        #expect(e.status == 0)
        var whole = 0
        _ = try processes.poll(timeoutMilliseconds: 100) { _ in whole += 1 }
        #expect(whole == 0, "a thread exit was reported as a process exit")
    }

    @Test func cgroupFilterAndAttribution() throws {
        // A child moved into a fresh cgroup v2 directory (a container's cgroup, in small): the
        // filtered session sees its exit, with that cgroup's id and path; not a child outside it.
        let name = "swiftbpf-exitsnoop-\(UInt32.random(in: 0...UInt32.max))"
        let dir = try CgroupPaths.absolute(name)
        try #require(mkdir(dir, 0o755) == 0)
        defer { rmdir(dir) }
        var st = stat()
        try #require(stat(dir, &st) == 0)
        let session = try ExitSnoop.start(filter: ToolFilter(cgroupPath: dir))
        let inside = try #require(SnoopTest.spawnChild("/bin/sleep", ["/bin/sleep", "10"]))
        let outside = try #require(SnoopTest.spawnChild("/bin/sleep", ["/bin/sleep", "10"]))
        let procs = open(dir + "/cgroup.procs", O_WRONLY)
        try #require(procs >= 0)
        let text = Array("\(inside)\n".utf8)
        #expect(write(procs, text, text.count) == text.count)
        close(procs)
        for child in [outside, inside] {
            kill(child, SIGTERM)
            var status: Int32 = 0
            waitpid(child, &status, 0)
        }
        let events = try SnoopTest.collectEvents(session, decode: ExitEvent.init(record:), trigger: {}) { es in
            es.contains { $0.task.tgid == UInt32(inside) }
        }
        let e = try #require(events.first { $0.task.tgid == UInt32(inside) }, "no exit event inside the cgroup")
        #expect(e.task.cgroupID == UInt64(st.st_ino))
        #expect(CgroupPaths().path(of: e.task.cgroupID) == "/" + name)
        #expect(e.signal == UInt32(SIGTERM))
        #expect(events.allSatisfy { $0.task.cgroupID == UInt64(st.st_ino) }, "the cgroup filter let other tasks through")
        #expect(!events.contains { $0.task.tgid == UInt32(outside) })
        let json = try #require(SnoopTest.jsonObject(ExitSnoopFormat.json(e, cgroups: CgroupPaths())))
        #expect(json["cgroup"] as? String == "/" + name)
    }

    @Test func jsonAndColumns() throws {
        let task = TaskInfo(cgroupID: 5, pid: 42, tgid: 42, ppid: 1, uid: 0, comm: "sleep")
        let killed = ExitEvent(task: task, ageNanoseconds: 1_250_000_000, status: UInt32(SIGSEGV) | 0x80)
        let object = try #require(SnoopTest.jsonObject(ExitSnoopFormat.json(killed)))
        #expect(Set(object.keys) == ["pid", "tgid", "ppid", "uid", "comm", "cgroup_id", "age_ns", "status", "code",
                                     "signal", "signal_name", "core_dumped"])
        #expect(object["signal"] as? Int == 11 && object["signal_name"] as? String == "SIGSEGV")
        #expect(object["core_dumped"] as? Bool == true && object["age_ns"] as? Int == 1_250_000_000)
        #expect(ExitSnoopFormat.header(timestamp: false) == "PCOMM            PID     PPID    TID     AGE(s)  EXIT_CODE")
        #expect(ExitSnoopFormat.line(killed) == "sleep            42      1       42      1.25    signal 11 (SIGSEGV), core dumped")
        let normal = ExitEvent(task: task, ageNanoseconds: 0, status: 0)
        #expect(SnoopTest.jsonObject(ExitSnoopFormat.json(normal))?["signal_name"] is NSNull)
        #expect(ExitSnoopFormat.exitText(normal) == "0")
    }
}
