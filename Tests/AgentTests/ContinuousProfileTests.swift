import BPF
import Foundation
import Glibc
import Testing
@testable import SwiftBPFAgent
import SwiftBPFTools

/// The continuous profile queried by container and thread: a process with two threads, each
/// spinning in a function of its own, inside a cgroup named as Docker names a container's
/// scope; `/api/v1/profile` with `container=` returns its stacks only (and nothing for another
/// id), with `tid=` / `thread=` only the stacks of that thread. The history's bound per minute
/// is checked without the kernel.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct ContinuousProfileTests {
    @Test(.enabled(if: isRoot, "the profile collector needs root"),
          .enabled(if: TwoThreadSpin.clang != nil, "needs clang to build the spinning workload (none in the VM's busybox userland)"))
    func profileByContainerAndThread() async throws {
        let dir = TempDir("cprof")
        defer { dir.cleanup() }
        let container = (0..<4).map { _ in String(format: "%016llx", UInt64.random(in: 0...UInt64.max)) }.joined()
        let cgroup = try ContainerCgroup(id: container)
        defer { cgroup.remove() }
        let spin = try TwoThreadSpin(in: dir)
        defer { spin.stop() }
        try cgroup.move(spin.pid)
        let worker = try #require(await eventually(timeout: 5) { spin.workerTID() }, "the worker thread did not start")
        let config = AgentConfig.testing(["profile"]) { $0.collectors["profile"]?.options["frequency"] = "199" }
        try await RunningAgent.with(config) { running in
            let state = running.agent.collectors.snapshot["profile"]
            try #require(state?.state == .running, "profile did not start: \(state?.error ?? "")")
            let short = String(container.prefix(12))
            // Both threads sampled inside the container (the collector reads every second).
            let folded = await eventually(timeout: 40) { () -> String? in
                let body = (try? await TestHTTP.get(running.port, "/api/v1/profile?container=\(short)").body) ?? ""
                return body.contains(TwoThreadSpin.mainFunction) && body.contains(TwoThreadSpin.workerFunction) ? body : nil
            }
            if folded == nil {
                let byComm = try await TestHTTP.get(running.port, "/api/v1/profile?comm=\(spin.name)").body
                let byWorker = try await TestHTTP.get(running.port, "/api/v1/profile?tid=\(worker)").body
                Issue.record("no samples of both threads in container \(short); of \(spin.name): \(byComm.prefix(400)); of thread \(worker): \(byWorker.prefix(400))")
                return
            }
            let lines = folded!.split(separator: "\n")
            let comms = Set(lines.map { $0.split(separator: ";").first.map(String.init) ?? "" })
            #expect(comms.isSubset(of: [spin.name, TwoThreadSpin.workerName]), "processes in the container's profile: \(comms)")
            let full = try await TestHTTP.get(running.port, "/api/v1/profile?container=\(container)")
            #expect(full.body.contains(TwoThreadSpin.workerFunction), "the full id selects the same")
            // Another container: nothing.
            let other = String(container.reversed().prefix(12))
            let none = try await TestHTTP.get(running.port, "/api/v1/profile?container=\(other)")
            #expect(none.status == 200 && none.body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "container \(other): \(none.body.prefix(300))")
            // One thread: its function only.
            let byTID = try await TestHTTP.get(running.port, "/api/v1/profile?tid=\(worker)")
            #expect(byTID.body.contains(TwoThreadSpin.workerFunction) && !byTID.body.contains(TwoThreadSpin.mainFunction),
                    "tid=\(worker): \(byTID.body.prefix(400))")
            let byThread = try await TestHTTP.get(running.port, "/api/v1/profile?thread=\(spin.pid)&container=\(short)")
            #expect(byThread.body.contains(TwoThreadSpin.mainFunction) && !byThread.body.contains(TwoThreadSpin.workerFunction),
                    "thread=\(spin.pid): \(byThread.body.prefix(400))")
            // The flame graph says what it selected.
            let svg = try await TestHTTP.get(running.port, "/api/v1/profile?format=svg&tid=\(worker)&container=\(short)")
            #expect(svg.body.contains("thread \(worker), container \(short)"))
            // Bad values are named.
            for (query, word) in [("tid=main", "tid"), ("thread=-1", "thread"), ("container=not-an-id", "container"), ("tid=1&thread=2", "disagree")] {
                let bad = try await TestHTTP.get(running.port, "/api/v1/profile?\(query)")
                #expect(bad.status == 400 && bad.body.contains(word), "\(query): \(bad.status) \(bad.body)")
            }
        }
    }

    /// Past the bound of a minute, the samples of new stacks count under one overflow stack:
    /// the distinct stacks stay bounded and no sample is lost.
    @Test func historyIsBoundedPerMinute() {
        let history = ProfileHistory(minutes: 60, maxStacksPerMinute: 4)
        let now: Int64 = 1_800_000_000 * 1_000_000_000
        func stack(_ f: String, tid: UInt32) -> FoldedStack {
            FoldedStack(frames: [FoldedFrame(name: "p", kind: .process), FoldedFrame(name: f, kind: .user)], count: 3, pid: 7, tid: tid, cgroupID: 9)
        }
        history.add((0..<4).map { stack("f\($0)", tid: 100) }, timeNanoseconds: now)
        history.add([stack("f0", tid: 101)], timeNanoseconds: now)          // same frames, another thread: a new stack
        history.add((4..<50).map { stack("f\($0)", tid: 100) }, timeNanoseconds: now)
        #expect(history.stackCount == 5, "4 stacks and the overflow one: \(history.stackCount)")
        let all = history.stacks(since: nil, until: nil)
        #expect(all.reduce(0) { $0 + $1.count } == 51 * 3, "every sample still counts")
        #expect(all.contains { $0.frames == [ProfileHistory.overflowFrame] })
        #expect(history.stacks(since: nil, until: nil, tid: 100).reduce(0) { $0 + $1.count } == 4 * 3)
        #expect(history.stacks(since: nil, until: nil, tid: 101).isEmpty, "the stack past the bound is not held apart")
        // The next minute starts empty.
        history.add([stack("f9", tid: 100)], timeNanoseconds: now + 60_000_000_000)
        #expect(history.stacks(since: now + 60_000_000_000, until: nil).map(\.count) == [3])
    }
}

/// A cgroup v2 directory named as Docker names a container's scope
/// (`…/docker-<64 hex>.scope`), under a directory of the test's own.
final class ContainerCgroup {
    let parent: String
    let path: String

    init(id: String) throws {
        let mount = try Link.cgroup2MountPoint()
        parent = mount + "/swiftbpf-agent-test-\(getpid())-\(UInt16.random(in: 0...9999))"
        path = parent + "/docker-\(id).scope"
        guard mkdir(parent, 0o755) == 0, mkdir(path, 0o755) == 0 else {
            let e = errno
            rmdir(parent)
            throw TestError("mkdir \(path): errno \(e)")
        }
    }

    /// Moves a process (all its threads) into the cgroup.
    func move(_ pid: pid_t) throws {
        do { try "\(pid)\n".write(toFile: path + "/cgroup.procs", atomically: false, encoding: .utf8) } catch {
            throw TestError("moving \(pid) into \(path): \(error)")
        }
    }

    /// Removes both directories; retries briefly while a killed process is still leaving.
    func remove() {
        for dir in [path, parent] {
            for _ in 0..<100 {
                if rmdir(dir) == 0 || errno == ENOENT { break }
                usleep(10_000)
            }
        }
    }
}

/// A C program (built now with clang) whose main thread spins in `mainFunction` and whose
/// second thread, named `workerName`, spins in `workerFunction`; killed by `stop()`.
final class TwoThreadSpin {
    static let mainFunction = "swiftbpf_cp_main_spin"
    static let workerFunction = "swiftbpf_cp_worker_spin"
    static let workerName = "cpworker"
    static let clang = which("clang", extra: ["/usr/bin", "/usr/local/bin"])
    let pid: pid_t
    let name: String

    init(in dir: TempDir) throws {
        name = "cpspin\(UInt16.random(in: 1000...9999))"
        let source = dir.path + "/cpspin.c", binary = dir.path + "/" + name
        try """
            #define _GNU_SOURCE
            #include <pthread.h>
            #include <unistd.h>
            __attribute__((noinline)) void \(Self.mainFunction)(volatile unsigned long *n) {
                for (unsigned long i = 0; i < 100000000UL; i++) *n += i;
            }
            __attribute__((noinline)) void \(Self.workerFunction)(volatile unsigned long *n) {
                for (unsigned long i = 0; i < 100000000UL; i++) *n += i;
            }
            static void *worker(void *arg) {
                volatile unsigned long n = 0;
                pthread_setname_np(pthread_self(), "\(Self.workerName)");
                for (;;) \(Self.workerFunction)(&n);
                return arg;
            }
            int main(void) {
                volatile unsigned long n = 0;
                pthread_t t;
                alarm(60);
                pthread_create(&t, 0, worker, 0);
                for (;;) \(Self.mainFunction)(&n);
            }
            """.write(toFile: source, atomically: true, encoding: .utf8)
        guard let clang = Self.clang else { throw TestError("no clang to build \(source)") }
        let built = try ProcessRun.run(clang, ["-O0", "-fno-omit-frame-pointer", "-pthread", "-o", binary, source], timeout: 60)
        guard built.status == 0 else { throw TestError("clang cpspin.c: \(built.output)") }
        var child: pid_t = 0
        var argv: [UnsafeMutablePointer<CChar>?] = [strdup(binary), nil]
        defer { for p in argv { free(p) } }
        guard posix_spawn(&child, binary, nil, nil, &argv, environ) == 0 else { throw TestError("spawning \(binary) failed") }
        pid = child
    }

    /// The worker thread's id, once it exists.
    func workerTID() -> pid_t? {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.compactMap { pid_t($0) }.first { $0 != pid }
    }

    func stop() {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }
}
