import ArgumentParser
import BPF
import Glibc
import SwiftBPFSecurity
import SwiftBPFTools

struct GuardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guard",
        abstract: "Runtime security: process, file, network and privilege events with lineage, YAML policies enforced in the kernel.",
        discussion: """
            Rules match the binary that actually runs (inode and device, resolved in the kernel), \
            so renames, symlinks, hard links and exec through a descriptor do not slip past them. \
            Actions: alert; kill (SIGKILL from the violating call's tracepoint, before the call \
            returns to user space); deny (EPERM from the cgroup connect, bind and sendmsg hooks, and from \
            BPF LSM hooks for exec, open, unlink, rename, chmod and chown where the kernel has BPF LSM). \
            Every rule runs in enforce or monitor mode (count and report what it would have done). \
            'guard run' enforces while it runs; 'guard load' pins the policies on bpffs so that they \
            stay enforced after the command exits, until 'guard unload'.
            """,
        subcommands: [GuardRunCommand.self, GuardCheckCommand.self, GuardStatusCommand.self,
                      GuardLoadCommand.self, GuardUnloadCommand.self,
                      GuardRecordCommand.self, GuardReplayCommand.self, GuardDiffCommand.self,
                      GuardLearnCommand.self, GuardGenerateCommand.self, GuardTestCommand.self]
    )
}

/// Reads and compiles policy files; errors name the file, line and field.
enum GuardPolicyFiles {
    /// The policies a live session (`guard run`, `guard record`) enforces: none when no file is
    /// given, every rule in monitor mode with `monitor`; the compiler's warnings go to stderr.
    static func loadForSession(_ paths: [String], monitor: Bool) throws -> CompiledGuardPolicy {
        var compiled = paths.isEmpty ? CompiledGuardPolicy(rules: []) : try load(paths)
        if monitor { compiled = compiled.monitoring() }
        for w in compiled.warnings { Output.error("guard: warning: \(w)") }
        return compiled
    }

    static func load(_ paths: [String]) throws -> CompiledGuardPolicy {
        var files: [(name: String, text: String)] = []
        for path in paths {
            guard let text = readFile(path) else { throw CommandError("guard: cannot read \(path): \(String(cString: strerror(errno)))") }
            files.append((path, text))
        }
        do {
            let policy = try GuardPolicyParser.parse(files: files)
            return try GuardPolicyCompiler.compile(policy, resolver: SystemGuardResolver())
        } catch {
            throw CommandError("guard: \(error)")
        }
    }

    static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while out.count <= GuardPolicyParser.maxBytes {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { return nil }
            if n == 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func describe(_ r: CompiledGuardPolicy.Rule) -> String {
        var s = "\(r.rule.name): \(r.rule.kinds.map(\.name).joined(separator: ",")) -> \(r.rule.action.name) (\(r.rule.mode.rawValue))"
        if !r.binaries.isEmpty { s += " binary=" + r.binaries.map(\.description).sorted().joined(separator: ",") }
        if !r.parents.isEmpty { s += " parent=" + r.parents.map(\.description).sorted().joined(separator: ",") }
        if !r.paths.isEmpty { s += " paths=" + r.rule.paths.joined(separator: ",") }
        if !r.rule.ports.isEmpty { s += " ports=" + r.rule.ports.map { $0.count == 1 ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }.joined(separator: ",") }
        if !r.rule.addresses.isEmpty { s += " addresses=" + r.rule.addresses.map(\.text).joined(separator: ",") }
        if !r.rule.users.isEmpty { s += " users=" + r.rule.users.map(String.init).joined(separator: ",") }
        if let c = r.rule.cgroup { s += " cgroup=\(c)" }
        if r.rule.fileless { s += " fileless" }
        if !r.rule.exceptBinaries.isEmpty { s += " except_binary=\(r.exceptBinaries.count)" }
        if !r.rule.exceptPaths.isEmpty { s += " except_paths=\(r.exceptPaths.count)" }
        if !r.rule.exceptPorts.isEmpty { s += " except_ports=" + r.rule.exceptPorts.map { $0.count == 1 ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }.joined(separator: ",") }
        if !r.rule.exceptPeers.isEmpty { s += " except_peers=" + r.rule.exceptPeers.map(\.text).joined(separator: ",") }
        return s
    }
}

struct GuardCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate policy files without loading them (no root needed); errors give file:line:column and the field."
    )

    @Argument(help: "Policy files (YAML).")
    var files: [String]

    func run() throws {
        let compiled = try GuardPolicyFiles.load(files)
        for w in compiled.warnings { Output.error("guard: warning: \(w)") }
        print("\(compiled.rules.count) rules OK")
        for r in compiled.rules { print("  " + GuardPolicyFiles.describe(r)) }
    }
}

struct GuardRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Load policies and stream events and alerts until Ctrl-C.",
        discussion: """
            Columns: TIME(s) EVENT PID PPID UID COMM ACTION DETAILS; ACTION is alert, kill, deny, \
            or would-kill/would-deny in monitor mode. Details end with the rule and the lineage \
            (parent<grandparent<...). JSON (--json): one object per line with event, timestamp_ns, \
            process {pid tid ppid uid gid comm binary binary_inode cgroup_id cgroup start_ns \
            parent_start_ns}, lineage [{pid comm binary binary_inode start_ns}], rule, action, \
            enforced, flags, and per kind: exec path inode filename interpreter argv; exit \
            exit_code status; open path inode flags_raw ret; connect/bind/sendmsg family address \
            port; others args strings. Lost events are reported every second they happen, and \
            per-rule counters at the end.
            """
    )

    @OptionGroup var policies: GuardPolicyOptions

    @Flag(help: "One JSON object per line.")
    var json = false

    @Option(help: "Event kinds reported without a matching rule, comma-separated (default: exec,exit,fork and the privilege kinds; 'none' for alerts only).")
    var report: String?

    @OptionGroup var stop: GuardDurationOption

    @Option(help: "Ring buffer size in bytes (a power of two; default 4 MiB).")
    var ringBufferSize: UInt32?

    func run() throws {
        let compiled = try policies.compiled()
        var options = GuardSession.Options()
        var printed = options.report
        if let report {
            printed = []
            for name in report.split(separator: ",") where name != "none" {
                guard let kind = GuardEventKind(name: String(name)) else {
                    throw CommandError("guard: --report: unknown event kind '\(name)' (expected \(GuardEventKind.allCases.map(\.name).joined(separator: ", ")))")
                }
                printed.insert(kind)
            }
        }
        // exec, fork and exit always come up from the kernel: they keep the lineage cache.
        options.report = printed.union(GuardEventKind.lifecycle)
        options.ringBufferSize = ringBufferSize
        options.cgroupRoot = policies.cgroupRoot
        installStopHandlers()
        let guardMonitor: GuardMonitor
        do {
            guardMonitor = try GuardMonitor(policy: compiled, options: options)
        } catch {
            throw CommandError("guard: \(error)")
        }
        let start = GuardClock.seconds()
        if !guardMonitor.session.unavailable.isEmpty {
            Output.error("guard: not on this kernel (no tracepoint, so no such calls): \(guardMonitor.session.unavailable.joined(separator: ", "))")
        }
        Output.error("guard: \(compiled.rules.count) rules loaded; \(guardMonitor.cache.count) processes seeded from /proc")
        Output.error("guard: " + guardMonitor.session.enforcement.summary)
        if !json { print(GuardFormat.header()) }
        let emit = { (e: GuardEvent) in
            guard e.rule != nil || printed.contains(e.kind) else { return }
            let t = GuardClock.seconds() - start
            print(json ? GuardFormat.json(e, seconds: t) : GuardFormat.line(e, seconds: t))
        }
        var lastLossCheck = start
        var reportedLoss: UInt64 = 0
        while !stopRequested.load(ordering: .relaxed) {
            if stop.isOver(since: start) { break }
            let n = try guardMonitor.poll(timeoutMilliseconds: 200, emit)
            if n > 0 { Output.flush() }
            let now = GuardClock.seconds()
            if now - lastLossCheck >= 1 {
                lastLossCheck = now
                let total = try guardMonitor.session.droppedEvents()
                if total > reportedLoss {
                    if json { print("{\"lost\":\(total - reportedLoss),\"total_lost\":\(total)}") }
                    Output.error("guard: \(total - reportedLoss) events lost in the last second (ring buffer full; \(total) since start)")
                    reportedLoss = total
                }
            }
            if n > 0 && n < 64 { Sleep.milliseconds(4) }
        }
        _ = guardMonitor.drain(emit)
        guardMonitor.session.stop()
        Output.flush()
        let counters = try guardMonitor.session.counters()
        let lost = try guardMonitor.session.droppedEvents()
        if json {
            var rules: [String] = []
            for (r, c) in zip(compiled.rules, counters) {
                let mode: String = r.rule.mode.rawValue
                let action: String = r.rule.action.name
                rules.append("{\"rule\":\"\(r.rule.name)\",\"mode\":\"\(mode)\",\"action\":\"\(action)\",\"matched\":\(c.matched),\"acted\":\(c.acted)}")
            }
            print("{\"summary\":{\"lost\":\(lost),\"rules\":[\(rules.joined(separator: ","))]}}")
        } else {
            Output.error("guard: \(lost) events lost")
            for (r, c) in zip(compiled.rules, counters) {
                let monitored = r.rule.mode == GuardMode.monitor && r.rule.action != GuardAction.alert
                let would = monitored ? " (monitor: would have done \(r.rule.action.name) \(c.matched) times)" : ""
                Output.error("guard: rule \(r.rule.name): matched \(c.matched), acted \(c.acted)\(would)")
            }
        }
    }
}

struct GuardStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "List the guards loaded in the kernel (pinned ones by name, and running 'guard run's), their rules and counters."
    )

    @OptionGroup var pin: GuardPinRootOption

    func run() throws {
        var pinned: [GuardStatus] = []
        var unreadable = 0
        for location in GuardPinLocation.installed(root: pin.pinRoot) {
            do {
                pinned.append(try GuardStatus.pinned(at: location))
            } catch {
                Output.error("guard: \(error)")
                unreadable += 1
            }
        }
        let pinnedIDs = Set(pinned.map(\.programID))
        let running = try GuardStatus.loaded(root: pin.pinRoot).filter { !pinnedIDs.contains($0.programID) }
        if pinned.isEmpty && running.isEmpty && unreadable == 0 {
            print("no guard loaded")
            return
        }
        for i in pinned + running {
            let what = i.pinned.map { "guard '\($0.name)' (pinned at \($0.directory), program id \(i.programID))" }
                ?? "guard (program id \(i.programID), held by a running guard)"
            print("\(what): \(i.rules.count) rules, \(i.cachedProcesses) processes cached, \(i.lostEvents) events lost")
            for r in i.rules {
                print("  [\(r.index)] \(r.name): \(r.mode.rawValue) \(r.action.name) on \(r.kinds.map(\.name).joined(separator: ",")): matched \(r.matched), acted \(r.acted)")
            }
        }
        if unreadable > 0 { throw ExitCode(1) }
    }
}

/// Monotonic seconds, for the TIME column and the loss interval.
enum GuardClock {
    static func seconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
