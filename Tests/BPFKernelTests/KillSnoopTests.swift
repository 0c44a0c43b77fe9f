import BPF
import Foundation
import Glibc
import SwiftBPFTools
import Testing

/// killsnoop (and exitsnoop beside it) against a child the test kills with a known signal.
@Suite(.serialized, .enabled(if: isRoot, "killsnoop needs root"))
struct KillSnoopTests {
    @Test func killOfAChildShowsSenderSignalTargetAndResult() throws {
        let kills = try KillSnoop.start(filter: ToolFilter(pid: UInt32(getpid())))
        let exits = try ExitSnoop.start(filter: ToolFilter(comm: "sleep"))
        let child = try #require(SnoopTest.spawnChild("/bin/sleep", ["/bin/sleep", "10"]))
        let comm = SnoopTest.threadComm()
        #expect(kill(child, SIGUSR1) == 0)
        var status: Int32 = 0
        waitpid(child, &status, 0)

        let sent = try SnoopTest.collectEvents(kills, decode: KillEvent.init(record:), trigger: {}) { es in
            es.contains { $0.target == child }
        }
        let k = try #require(sent.first { $0.target == child }, "no kill event")
        #expect(k.task.tgid == UInt32(getpid()))
        #expect(k.task.comm == comm)
        #expect(k.task.uid == getuid())
        #expect(k.signal == UInt32(SIGUSR1))
        #expect(k.ret == 0)
        #expect(k.call == .kill)
        #expect(k.targetTgid == 0)

        let died = try SnoopTest.collectEvents(exits, decode: ExitEvent.init(record:), trigger: {}) { es in
            es.contains { $0.task.tgid == UInt32(child) }
        }
        let x = try #require(died.first { $0.task.tgid == UInt32(child) }, "no exit event for the killed child")
        #expect(x.signal == UInt32(SIGUSR1))
        #expect(x.task.comm == "sleep")
    }

    @Test func failedOnlyAndSignalFilterRunInTheKernel() throws {
        // A reaped child's pid: kill(2) on it fails with ESRCH.
        let gone = spawnAndWait("/bin/true", ["/bin/true"]).pid
        let live = try #require(SnoopTest.spawnChild("/bin/sleep", ["/bin/sleep", "10"]))
        defer { kill(live, SIGKILL); var s: Int32 = 0; waitpid(live, &s, 0) }
        let session = try KillSnoop.start(filter: ToolFilter(pid: UInt32(getpid())),
                                          options: .init(signal: UInt32(SIGUSR2), failedOnly: true))
        let events = try SnoopTest.collectEvents(session, decode: KillEvent.init(record:), trigger: {
            _ = kill(gone, SIGUSR2)  // fails with SIGUSR2: reported
            _ = kill(gone, SIGUSR1)  // fails with another signal: filtered out
            _ = kill(live, 0)        // succeeds, signal 0: filtered out
        }) { es in es.contains { $0.target == gone } }
        #expect(events.contains { $0.target == gone })
        #expect(events.allSatisfy { $0.target == gone && $0.signal == UInt32(SIGUSR2) && $0.ret == -ESRCH },
                "\(events.map { ($0.target, $0.signal, $0.ret) })")
    }

    @Test func uidFilterExcludesOtherSenders() throws {
        // We send as root (uid 0): a filter on another uid must see none of our kills.
        let session = try KillSnoop.start(filter: ToolFilter(pid: UInt32(getpid()), uid: 4_000_000))
        let mine = try KillSnoop.start(filter: ToolFilter(pid: UInt32(getpid()), uid: getuid()))
        var seen = 0
        for _ in 0..<5 {
            _ = kill(getpid(), 0)
            seen += try session.poll(timeoutMilliseconds: 50) { _ in }
        }
        #expect(seen == 0)
        let ours = try SnoopTest.collectEvents(mine, decode: KillEvent.init(record:), trigger: { _ = kill(getpid(), 0) }) {
            $0.contains { $0.target == getpid() }
        }
        #expect(ours.contains { $0.target == getpid() && $0.signal == 0 && $0.ret == 0 })
    }

    @Test func jsonAndColumns() throws {
        let task = TaskInfo(cgroupID: 9, pid: 100, tgid: 100, ppid: 1, uid: 0, comm: "bash")
        let e = KillEvent(task: task, target: 4242, signal: 15, ret: -3)
        let object = try #require(SnoopTest.jsonObject(KillSnoopFormat.json(e, seconds: 0.25)))
        #expect(Set(object.keys) == ["time", "pid", "tgid", "ppid", "uid", "comm", "cgroup_id", "syscall", "target",
                                     "target_tgid", "signal", "signal_name", "ret"])
        #expect(object["signal_name"] as? String == "SIGTERM" && object["syscall"] as? String == "kill")
        #expect(object["target"] as? Int == 4242 && object["ret"] as? Int == -3)
        #expect(KillSnoopFormat.header() == "TIME      PID     COMM             SIG  TPID    RESULT")
        #expect(KillSnoopFormat.line(e, seconds: 1.5) == "1.500     100     bash             15   4242    -3")
        #expect(throws: BPFError.self) { _ = try KillSnoop.start(options: .init(signal: 65)) }
    }
}
