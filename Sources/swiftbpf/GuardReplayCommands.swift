import ArgumentParser
import BPF
import Glibc
import SwiftBPFSecurity
import SwiftBPFTools

struct GuardRecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Write events to a file (JSON lines with the facts the policy matcher needs), for guard replay and guard diff.",
        discussion: """
            Each line: t event pid ppid uid comm binary (major:minor:inode) binary_path parent_binary \
            fileless cgroups (ids, root first) path path_chain (the file and every directory above it) \
            write argv port address, and with --policy the live decision: rule action enforced.
            """
    )

    @Option(help: "The recording to write (JSON lines).")
    var out: String

    /// Policies run live while recording: their decisions are recorded too.
    @OptionGroup var policies: GuardPolicyOptions

    @Option(help: "Event kinds to record, comma-separated (default: exec,open,connect,bind,sendmsg and the privilege kinds).")
    var kinds: String?

    @OptionGroup var stop: GuardDurationOption

    func run() throws {
        let compiled = try policies.compiled()
        var recorded: Set<GuardEventKind> = Set([.exec, .open, .connect, .bind, .sendmsg] + GuardEventKind.privileged)
        if let kinds {
            recorded = []
            for name in kinds.split(separator: ",") {
                guard let kind = GuardEventKind(name: String(name)) else {
                    throw CommandError("guard: --kinds: unknown event kind '\(name)'")
                }
                recorded.insert(kind)
            }
        }
        let writer: LineFileWriter
        do { writer = try LineFileWriter(path: out) } catch { throw CommandError("guard: \(error)") }
        var options = GuardSession.Options()
        options.report = recorded.union(GuardEventKind.lifecycle)
        options.cgroupRoot = policies.cgroupRoot
        installStopHandlers()
        let guardMonitor: GuardMonitor
        do { guardMonitor = try GuardMonitor(policy: compiled, options: options) } catch { throw CommandError("guard: \(error)") }
        Output.error("guard: recording to \(out) (\(compiled.rules.count) rules live); Ctrl-C to stop")
        var recorder = GuardRecorder()
        var count = 0
        let handle = { (e: GuardEvent) in
            guard let r = recorder.record(e), recorded.contains(e.kind) else { return }
            writer.write(line: r.json)
            count += 1
        }
        let start = GuardClock.seconds()
        while !stopRequested.load(ordering: .relaxed) {
            if stop.isOver(since: start) { break }
            _ = try guardMonitor.poll(timeoutMilliseconds: 200, handle)
        }
        _ = guardMonitor.drain(handle)
        guardMonitor.session.stop()
        writer.close()
        let lost = try guardMonitor.session.droppedEvents()
        Output.error("guard: \(count) events recorded to \(out); \(lost) lost")
    }
}

/// Reads a recording for replay and diff; errors name the file and line.
enum GuardRecordingFile {
    static func load(_ path: String) throws -> [GuardRecord] {
        do {
            return try GuardRecording.parse(try TextFile.read(path), file: path)
        } catch {
            throw CommandError("guard: \(error)")
        }
    }
}

struct GuardReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Run a policy over recorded events and show what it would have alerted on, killed or denied, by rule (no root needed).",
        discussion: "The matcher is the kernel program's algorithm over the same compiled tables (binaries and paths resolved on this machine)."
    )

    @Option(name: .long, help: "Policy files (YAML).")
    var policy: [String]

    @Argument(help: "A recording written by guard record.")
    var events: String

    @Option(help: "Events shown per rule.")
    var samples = 5

    @Flag(help: "Print the time spent reading and matching, and events per second, on stderr.")
    var stats = false

    func run() throws {
        let compiled = try GuardPolicyFiles.load(policy)
        for w in compiled.warnings { Output.error("guard: warning: \(w)") }
        // One record at a time: memory stays bounded whatever the recording's length.
        var replay = GuardReplay(policy: compiled, samples: samples, keepsDecisions: false)
        var reading = 0.0, matching = 0.0
        var t = GuardClock.seconds()
        do {
            try GuardRecording.forEach(path: events) { record, _ in
                // Two clock reads per record only when the split is asked for (--stats).
                guard stats else { return replay.add(record) }
                let parsed = GuardClock.seconds()
                replay.add(record)
                let done = GuardClock.seconds()
                reading += parsed - t
                matching += done - parsed
                t = done
            }
        } catch {
            throw CommandError("guard: \(error)")
        }
        print(replay.report())
        if stats {
            let n = Double(replay.events)
            Output.error("guard replay: \(replay.events) events; read \(String(format3(reading))) s, matched \(String(format3(matching))) s; \(Int(n / max(reading + matching, 1e-9))) events/s overall, \(Int(n / max(matching, 1e-9))) events/s matching")
        }
    }

    func format3(_ x: Double) -> String {
        let ms = Int((x * 1000).rounded())
        let frac = String(ms % 1000)
        return "\(ms / 1000)." + String(repeating: "0", count: 3 - frac.count) + frac
    }
}

struct GuardDiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show which recorded events two policies decide differently, grouped by old -> new rule (no root needed)."
    )

    @Argument(help: "The current policy (YAML).")
    var old: String

    @Argument(help: "The candidate policy (YAML).")
    var new: String

    @Argument(help: "A recording written by guard record.")
    var events: String

    func run() throws {
        let a = try GuardPolicyFiles.load([old]), b = try GuardPolicyFiles.load([new])
        let records = try GuardRecordingFile.load(events)
        print(GuardPolicyDiff(old: a, new: b, records: records).report(records: records))
    }
}
