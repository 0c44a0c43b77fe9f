import BPF
import Foundation
import Glibc
import SwiftBPFSecurity
import Testing

/// guard learn / record / replay against the real kernel: replay agrees with live enforcement on
/// the same events, and a scripted workload is learned, its three artifacts generated and
/// enforced (seccomp through libseccomp's Python binding, guard and network rules live), with
/// the workload unchanged and a new behaviour caught by each.
@Suite(.serialized, .enabled(if: isRoot, "guard loads BPF programs: needs root"))
struct GuardLearnTests {
    /// A scratch directory with the workload scripts, removed at the end.
    final class Workspace {
        let dir: String
        init() throws {
            var template = Array("/tmp/swiftbpf-learn-XXXXXX".utf8CString)
            guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
            dir = String(cString: made)
        }
        func path(_ name: String) -> String { dir + "/" + name }
        func write(_ name: String, _ text: String) -> String {
            FileManager.default.createFile(atPath: path(name), contents: Data(text.utf8))
            return path(name)
        }
        deinit { try? FileManager.default.removeItem(atPath: dir) }
    }

    /// A child started without blocking the test, so the test keeps reading events while it runs;
    /// its output goes to files (no pipe to fill). Killed if it outlives its deadline.
    final class Child {
        let process = Process()
        let out: String
        let err: String
        init(_ path: String, _ args: [String], in ws: Workspace, tag: String) throws {
            out = ws.path("\(tag).out")
            err = ws.path("\(tag).err")
            FileManager.default.createFile(atPath: out, contents: nil)
            FileManager.default.createFile(atPath: err, contents: nil)
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = args
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle(forWritingAtPath: out)
            process.standardError = FileHandle(forWritingAtPath: err)
            try process.run()
        }

        /// Calls `tick` until the child exits (at most `timeout` seconds, then SIGKILL); returns
        /// the exit status, or -signal.
        func wait(timeout: Double = 30, tick: () throws -> Void) rethrows -> Int32 {
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning && Date() < deadline { try tick() }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            return process.terminationReason == .uncaughtSignal ? -process.terminationStatus : process.terminationStatus
        }

        var stdout: String { (try? String(contentsOfFile: out, encoding: .utf8)) ?? "" }
        var stderr: String { (try? String(contentsOfFile: err, encoding: .utf8)) ?? "" }
    }

    static var hasPython: Bool { access("/usr/bin/python3", X_OK) == 0 }
    static var hasPythonSeccomp: Bool {
        (try? TimedCommand.run("/usr/bin/python3", ["-c", "import seccomp"], timeout: 10).status) == 0
    }

    /// Polls `monitor` for `milliseconds` more, appending to `events`.
    func drain(_ monitor: GuardMonitor, into events: inout [GuardEvent], milliseconds: Int = 400) throws {
        let end = Date().addingTimeInterval(Double(milliseconds) / 1000)
        while Date() < end { _ = try monitor.poll(timeoutMilliseconds: 50) { events.append($0) } }
    }

    @Test(.enabled(if: hasPython, "the workload is a python3 script: no /usr/bin/python3"))
    func replayAgreesWithLiveEnforcement() throws {
        let ws = try Workspace()
        let cgroup = try TestCgroup("replay")
        defer { cgroup.remove() }
        let forbidden = ws.path("forbidden")
        #expect(try TimedCommand.run("/bin/cp", ["/bin/true", forbidden]).status == 0)
        _ = ws.write("secret", "s\n")
        _ = ws.write("public", "p\n")
        let open = testPort(1), denied = testPort(2)
        let client = ws.write("client.py", """
            import socket, sys
            server = socket.socket()
            server.bind(("127.0.0.1", \(open)))
            server.listen(1)
            for host, port in (("127.0.0.1", \(open)), ("127.0.0.1", \(denied)), ("127.0.0.2", \(open))):
                s = socket.socket()
                try:
                    s.connect((host, port))
                    print("connected", port)
                except OSError as e:
                    print("refused", port, e.errno)
            """)
        let policyText = """
            - {name: kill-forbidden, events: [exec], binary: \(forbidden), cgroup: \(cgroup.path), action: kill}
            - {name: secret-reads, events: [open], paths: [\(ws.path("secret"))], cgroup: \(cgroup.path), action: alert}
            - {name: writes-here, events: [open], paths: [\(ws.dir)], access: write, cgroup: \(cgroup.path), action: kill, mode: monitor}
            - {name: no-port, events: [connect], ports: [\(denied)], cgroup: \(cgroup.path), action: deny}
            - {name: shell-children, events: [exec], parent: /bin/sh, except_binary: [/bin/cat, \(forbidden)], cgroup: \(cgroup.path), action: alert}
            - {name: unknown-peer, events: [connect], except_peers: ["127.0.0.1:\(open)", "[::1]:\(open)"], cgroup: \(cgroup.path), action: alert}
            """
        let policy = try GuardPolicyCompiler.compile(GuardPolicyParser.parse(policyText, file: "p.yaml"), resolver: SystemGuardResolver())
        var options = GuardSession.Options()
        options.report = Set(GuardEventKind.lifecycle + [.open, .connect, .bind])
        options.ringBufferSize = 64 << 20
        let monitor = try GuardMonitor(policy: policy, options: options)
        let script = """
            echo $$ > \(cgroup.procs)
            cat \(ws.path("secret")) \(ws.path("public")) > /dev/null
            echo x > \(ws.path("out"))
            \(forbidden)
            echo "forbidden: $?"
            /usr/bin/env true
            /usr/bin/python3 \(client)
            """
        var events: [GuardEvent] = []
        let child = try Child("/bin/sh", ["-c", script], in: ws, tag: "replay")
        let status = try child.wait { _ = try monitor.poll(timeoutMilliseconds: 50) { events.append($0) } }
        try drain(monitor, into: &events)
        #expect(status == 0, "\(child.stderr)")
        #expect(child.stdout.contains("forbidden: 137"), "\(child.stdout)")
        #expect(child.stdout.contains("refused \(denied) \(EPERM)"), "\(child.stdout)")

        var recorder = GuardRecorder()
        let records = events.compactMap { recorder.record($0) }.filter { $0.facts.cgroupAncestors.contains(cgroup.id) }
        // Through JSON and back, as guard record writes them and guard replay reads them.
        let reread = try GuardRecording.parse(records.map(\.json).joined(separator: "\n"), file: "rec")
        let replay = GuardReplay(policy: policy, records: reread)
        let live = reread.map(\.liveRule)
        let replayed = replay.decisions.map { $0.map { i in policy.rules[i].rule.name } }
        let matchedLive = Set(live.enumerated().compactMap { $0.element == nil ? nil : "\($0.offset):\($0.element!)" })
        let matchedReplay = Set(replayed.enumerated().compactMap { $0.element == nil ? nil : "\($0.offset):\($0.element!)" })
        #expect(matchedLive == matchedReplay, "live only: \(matchedLive.subtracting(matchedReplay).sorted()); replay only: \(matchedReplay.subtracting(matchedLive).sorted())")
        for (i, r) in reread.enumerated() where live[i] != replayed[i] { print("disagree: \(r.summary) live=\(live[i] ?? "-") replay=\(replayed[i] ?? "-")") }
        // Every rule took part, so the agreement covers each kind of condition.
        let names = Set(live.compactMap { $0 })
        #expect(names == ["kill-forbidden", "secret-reads", "writes-here", "no-port", "shell-children", "unknown-peer"], "\(names)")
        // The learned peer passes; its port on another address is the one unknown peer.
        #expect(live.filter { $0 == "unknown-peer" }.count == 1, "\(live)")
        print("replay agreement: \(reread.count) events of the workload, \(matchedLive.count) matched live and by replay")
    }

    /// The workload: file, exec and loopback network work, one deliberate error path, and in
    /// the other modes one new behaviour each.
    static let workload = """
        import os, socket, subprocess, sys
        mode, work, port, other = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
        with open(os.path.join(work, "data.txt"), "w") as f:
            f.write("hello\\n")
        with open(os.path.join(work, "data.txt")) as f:
            assert f.read() == "hello\\n"
        try:
            open(os.path.join(work, "missing.txt"))
        except FileNotFoundError:
            pass
        subprocess.run(["/bin/true"], check=True)
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", port))
        server.listen(1)
        client = socket.socket()
        client.connect(("127.0.0.1", port))
        peer, _ = server.accept()
        client.sendall(b"ping")
        assert peer.recv(4) == b"ping"
        for s in (peer, client, server):
            s.close()
        if mode == "new-exec":
            sys.exit(4 if subprocess.run(["/bin/date"]).returncode == -9 else 0)
        if mode == "new-connect":
            s = socket.socket()
            try:
                s.connect(("127.0.0.1", other))
            except PermissionError:
                sys.exit(5)
            except OSError:
                sys.exit(0)
        if mode == "new-address":
            s = socket.socket()
            try:
                s.connect(("127.0.0.2", port))
            except PermissionError:
                sys.exit(6)
            except OSError:
                sys.exit(0)
        if mode == "new-syscall":
            try:
                os.chroot("/")
            except PermissionError:
                sys.exit(3)
        print("ok")
        """

    /// Moves itself into the cgroup, applies an OCI seccomp profile with libseccomp ("-": none),
    /// then execs the workload.
    static let launcher = """
        import errno, json, os, sys
        profile, procs, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
        with open(procs, "w") as f:
            f.write(str(os.getpid()))
        if profile != "-":
            import seccomp
            with open(profile) as f:
                p = json.load(f)
            if p["defaultAction"] == "SCMP_ACT_LOG":
                default = seccomp.LOG
            else:
                default = seccomp.ERRNO(p.get("defaultErrnoRet", errno.EPERM))
            flt = seccomp.SyscallFilter(defaction=default)
            unknown = []
            for entry in p["syscalls"]:
                args = []
                for a in entry.get("args", []):
                    if a["op"] == "SCMP_CMP_MASKED_EQ":
                        args.append(seccomp.Arg(a["index"], seccomp.MASKED_EQ, a["value"], a["valueTwo"]))
                    else:
                        args.append(seccomp.Arg(a["index"], seccomp.EQ, a["value"]))
                for name in entry["names"]:
                    try:
                        flt.add_rule(seccomp.ALLOW, name, *args)
                    except Exception:
                        unknown.append(name)
            if unknown:
                sys.stderr.write("libseccomp does not know: " + ",".join(unknown) + "\\n")
            flt.load()
        os.execv(argv[0], argv)
        """

    @Test(.enabled(if: hasPythonSeccomp, "needs python3 with libseccomp's binding (Debian python3-seccomp, Scripts/setup-host.sh)"))
    func learnGenerateEnforce() throws {
        let ws = try Workspace()
        let cgroup = try TestCgroup("learn")
        defer { cgroup.remove() }
        let workload = ws.write("workload.py", Self.workload)
        let launcher = ws.write("launcher.py", Self.launcher)
        let work = ws.path("work")
        mkdir(work, 0o755)
        let port = testPort(1), other = testPort(3)
        func run(_ mode: String, seccomp profile: String = "-", while monitor: GuardMonitor? = nil) throws -> (status: Int32, out: String, err: String) {
            let child = try Child("/usr/bin/python3", [launcher, profile, cgroup.procs, "/usr/bin/python3", workload, mode, work, "\(port)", "\(other)"],
                                  in: ws, tag: mode)
            let status = try child.wait(timeout: 30) {
                if let monitor { _ = try monitor.poll(timeoutMilliseconds: 50) { _ in } } else { usleep(20_000) }
            }
            return (status, child.stdout, child.stderr)
        }

        // Learn: the workload twice (merged), as the cgroup's processes.
        var profile: LearnedProfile?
        for _ in 0..<2 {
            let learner = try GuardLearner(cgroup: cgroup.path)
            let child = try Child("/usr/bin/python3", [launcher, "-", cgroup.procs, "/usr/bin/python3", workload, "normal", work, "\(port)", "\(other)"],
                                  in: ws, tag: "learn")
            let status = try child.wait(timeout: 30) { try learner.poll(timeoutMilliseconds: 50) }
            #expect(status == 0, "\(child.stderr)")
            let end = Date().addingTimeInterval(0.5)
            while Date() < end { try learner.poll(timeoutMilliseconds: 50) }
            let run = try learner.finish().profile
            if profile == nil { profile = run } else { profile!.merge(run) }
        }
        let learned = try #require(profile)
        #expect(learned.runs == 2)
        #expect(learned.execs.contains { $0.path.hasSuffix("/true") }, "\(learned.execs.map(\.path))")
        #expect(learned.files.contains { $0.path == work + "/data.txt" && $0.mode == .create })
        #expect(learned.network.contains { $0.event == .connect && $0.port == port && $0.address == "127.0.0.1" })
        #expect(learned.network.contains { $0.event == .bind && $0.port == port })
        #expect(learned.syscalls.contains { $0.name == "socket" && $0.arguments.contains { $0.index == 0 && $0.value == UInt64(AF_INET) } })
        #expect(!learned.syscalls.contains { $0.name == "chroot" })
        // The profile survives its own file format.
        let text = LearnedProfileFile.write(learned)
        let reread = try LearnedProfileFile.parse(text, file: "learned.yaml")
        #expect(reread.execs == learned.execs && reread.files == learned.files && reread.network == learned.network && reread.syscalls == learned.syscalls)

        var options = GenerateOptions()
        options.source = "learned.yaml"
        let seccompText = SeccompGenerator.profile(learned, options)
        let seccompPath = ws.write("seccomp.json", seccompText.json)
        let guardText = GuardPolicyGenerator.guardPolicy(learned, options)
        let networkText = GuardPolicyGenerator.networkPolicy(learned, options)
        print("learned: \(learned.execs.count) binaries, \(learned.files.count) files, \(learned.network.count) network items, \(learned.syscalls.count) syscalls; seccomp allows \(seccompText.allowed.count)")

        // Seccomp: the workload runs unchanged; a call it never made fails with EPERM.
        let normal = try run("normal", seccomp: seccompPath)
        #expect(normal.status == 0 && normal.out.contains("ok"), "status \(normal.status): \(normal.err)")
        let newSyscall = try run("new-syscall", seccomp: seccompPath)
        #expect(newSyscall.status == 3, "status \(newSyscall.status): \(newSyscall.err)")

        // Lenient, with the families of the libraries python links: the workload runs, and a call
        // in no family (chroot) still fails.
        var lenient = options
        lenient.strict = false
        lenient.libraries = LibraryWalk().libraries(ofPrograms: learned.execs.map(\.path), opened: learned.files.filter { $0.mode == .read }.map(\.path))
        let lenientText = SeccompGenerator.profile(learned, lenient)
        let lenientPath = ws.write("seccomp-lenient.json", lenientText.json)
        #expect(lenientText.json.contains("error and shutdown paths of glibc: libc.so.6"), "\(lenientText.json)")
        #expect(lenientText.json.contains("error and shutdown paths of python: python3"), "\(lenientText.json)")
        print("lenient seccomp allows \(lenientText.allowed.count): \(lenient.libraries!.libraries.map(\.name).joined(separator: ", ")); notes \(lenient.libraries!.notes)")
        let lenientNormal = try run("normal", seccomp: lenientPath)
        #expect(lenientNormal.status == 0 && lenientNormal.out.contains("ok"), "status \(lenientNormal.status): \(lenientNormal.err)")
        let lenientNew = try run("new-syscall", seccomp: lenientPath)
        #expect(lenientNew.status == 3, "status \(lenientNew.status): \(lenientNew.err)")

        // Guard and network rules, live: unchanged workload passes, a new exec dies, a new connect is denied.
        let policy = try GuardPolicyCompiler.compile(GuardPolicyParser.parse(files: [("guard.yaml", guardText), ("network.yaml", networkText)]),
                                                    resolver: SystemGuardResolver())
        var sessionOptions = GuardSession.Options()
        sessionOptions.report = Set(GuardEventKind.lifecycle)
        let monitor = try GuardMonitor(policy: policy, options: sessionOptions)
        let guarded = try run("normal", while: monitor)
        let counters = try monitor.session.counters()
        #expect(guarded.status == 0 && guarded.out.contains("ok"), "status \(guarded.status): \(guarded.err); counters \(counters)")
        #expect(counters.allSatisfy { $0.acted == 0 }, "rules acted on the learned workload: \(zip(policy.rules.map(\.rule.name), counters).map { "\($0.0)=\($0.1.acted)" })")
        let newExec = try run("new-exec", while: monitor)
        #expect(newExec.status == 4, "status \(newExec.status): \(newExec.err)")
        let newConnect = try run("new-connect", while: monitor)
        #expect(newConnect.status == 5, "status \(newConnect.status): \(newConnect.err)")
        // The allowlist names peers, not ports: the learned port on another address is denied too.
        #expect(networkText.contains("- \"127.0.0.1:\(port)\""), "\(networkText)")
        let newAddress = try run("new-address", while: monitor)
        #expect(newAddress.status == 6, "status \(newAddress.status): \(newAddress.err)")
        let after = try monitor.session.counters()
        let byName = Dictionary(uniqueKeysWithValues: zip(policy.rules.map(\.rule.name), after.map(\.acted)))
        #expect(byName["exec-not-learned"] == 1 && byName["connect-not-learned"] == 2, "\(byName)")
    }
}
