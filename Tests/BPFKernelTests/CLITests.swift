import BPF
import Foundation
import Glibc
@testable import SwiftBPFNet
import Testing

/// The `swiftbpf` command itself, as users and scripts run it.
@Suite(.serialized, .enabled(if: isRoot && CLI.path != nil && Bpftool.path != nil, "needs root, the built swiftbpf binary and bpftool"))
struct CLITests {
    /// `swiftbpf object load` and `bpftool prog loadall` on the same file give the same
    /// translated instructions for every program.
    @Test(arguments: [EmbeddedObjects.diffGlobals.name, EmbeddedObjects.diffCore.name, EmbeddedObjects.minimal.name])
    func objectLoadMatchesBpftool(_ name: String) throws {
        let embedded = [EmbeddedObjects.diffGlobals, EmbeddedObjects.diffCore, EmbeddedObjects.minimal].first { $0.name == name }!
        let file = try ObjectFile(embedded)
        let theirs = try PinDirectory("libbpf")
        let ours = try PinDirectory("cli")
        let r1 = try Bpftool.loadAll(object: file.path, pinDirectory: theirs.path)
        try #require(r1.status == 0, "bpftool: \(r1.stderr)")
        let r2 = try Command.run(CLI.path!, ["object", "load", file.path, "--pin", ours.path])
        try #require(r2.status == 0, "swiftbpf object load: \(r2.stderr)")
        let programs = try ObjectSpec(bytes: embedded.bytes).mainPrograms.map(\.name)
        for p in programs {
            // Each program is reported with its kernel ID.
            let line = r2.stdout.split(separator: "\n").first { $0.hasPrefix(p + " id ") }
            let id = line.flatMap { UInt32($0.split(separator: " ")[2]) }
            #expect(id == (try Program.open(pinned: ours.path + "/" + p).id), "output: \(r2.stdout)")
            #expect(try Bpftool.xlated(pinned: ours.path + "/" + p) == Bpftool.xlated(pinned: theirs.path + "/" + p),
                    "program \(p) differs")
        }
    }

    @Test func objectLoadOfRejectedProgramPrintsLogAndFails() throws {
        let file = try ObjectFile(EmbeddedObjects.badVerifier)
        let dir = try PinDirectory("cli_bad")
        let r = try Command.run(CLI.path!, ["object", "load", file.path, "--pin", dir.path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("unchecked_lookup"))
        #expect(r.stderr.contains("verifier log"))
        #expect(r.stderr.contains("return *value + 1;"))
        #expect((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [] == [])
    }

    /// `--pin-root DIR`: the maps an object pins by name (LIBBPF_PIN_BY_NAME; the firewall's)
    /// go under DIR, so removing DIR removes them; without it they land in /sys/fs/bpf, as with
    /// libbpf, and outlive the command.
    @Test func objectLoadPinRootHoldsMapsPinnedByName() throws {
        let file = try ObjectFile(EmbeddedObjects.firewall)
        let dir = try PinDirectory("cli_pinroot")
        let r = try Command.run(CLI.path!, ["object", "load", file.path, "--pin", dir.path + "/p", "--pin-root", dir.path + "/m"])
        #expect(r.status == 0, "\(r.stderr)")
        let maps = (try? FileManager.default.contentsOfDirectory(atPath: dir.path + "/m")) ?? []
        #expect(maps.contains("config") && maps.contains("rules"), "pinned by name: \(maps)")
        #expect(!FileManager.default.fileExists(atPath: "/sys/fs/bpf/config"), "a by-name pin landed in /sys/fs/bpf")
    }

    @Test func objectInspectNeedsNoKernel() throws {
        let file = try ObjectFile(EmbeddedObjects.diffCore)
        let r = try Command.run(CLI.path!, ["object", "inspect", file.path, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let programs = json?["programs"] as? [[String: Any]] ?? []
        #expect(programs.contains { $0["name"] as? String == "core_kinds" && ($0["core_relocations"] as? Int ?? 0) > 10 })
    }

    @Test func execsnoopJSONAndCleanStopOnSIGTERM() throws {
        let marker = "cli-\(UInt32.random(in: 0...UInt32.max))"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.path!)
        p.arguments = ["execsnoop", "--json", "--pid", String(getpid())]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = Pipe()
        try p.run()
        // Trigger until the event shows up (the tool needs a moment to attach).
        var text = ""
        let reader = out.fileHandleForReading
        var found = false
        for _ in 0..<100 where !found {
            spawnAndWait("/bin/echo", ["/bin/echo", marker, "b c"])
            var pfd = pollfd(fd: reader.fileDescriptor, events: Int16(POLLIN), revents: 0)
            if poll(&pfd, 1, 100) > 0 {
                text += String(decoding: reader.availableData, as: UTF8.self)
                found = text.contains(marker)
            }
        }
        #expect(found, "no event in: \(text)")
        let line = text.split(separator: "\n").first { $0.contains(marker) }.map(String.init) ?? "{}"
        let event = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect(event?["comm"] as? String == "echo")
        #expect(event?["args"] as? [String] == ["/bin/echo", marker, "b c"])
        #expect(event?["ppid"] as? Int == Int(getpid()))
        #expect(event?["ret"] as? Int == 0)

        // Its two programs, while it runs and after SIGTERM.
        let mine = try Bpftool.programs().filter { $0.value.hasPrefix("handle_enter_ex") || $0.value.hasPrefix("handle_exit_exe") }
        #expect(mine.count >= 2)
        kill(p.processIdentifier, SIGTERM)
        // Bounded: a tool that ignores SIGTERM fails the test instead of hanging it.
        for _ in 0..<100 where p.isRunning { usleep(50_000) }
        if p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            Issue.record("execsnoop did not exit within 5 s of SIGTERM")
        }
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let left = try Bpftool.programs()
        #expect(mine.keys.allSatisfy { left[$0] == nil }, "execsnoop left programs attached after SIGTERM")
    }
}
