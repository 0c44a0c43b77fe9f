import BPF
import Foundation
import Glibc
import Testing
@testable import SwiftBPFNet

extension FirewallTests {
    /// The command with a YAML rules file (a bad one names the line and field and loads
    /// nothing), the lockout guard of an SSH session (refused, then --force), `watch` printing
    /// drop events and their loss as JSON, and `status --json` with the top dropped sources.
    @Test(.enabled(if: CLI.path != nil && Command.which("nsenter") != nil && Command.which("env") != nil, "needs the swiftbpf binary, nsenter and env"))
    func commandLineYAMLGuardAndWatch() throws {
        let net = try FirewallNetwork("y")
        defer { net.close() }
        let dir = "/tmp/swiftbpf-fw-yaml-\(getpid())"
        try Syscalls.mkdir(dir)
        defer { _ = try? Command.run("/bin/rm", ["-rf", dir]) }
        try """
            default: allow
            rules:
              - deny udp port 5001
              - action: deny
                from: 10.77.0.9
              - action: limit
                from: 10.77.0.32/28
                pps: 100
            """.write(toFile: dir + "/rules.yaml", atomically: true, encoding: .utf8)
        try "rules:\n  - action: deny\n    protocol: udp\n    port: 70000\n".write(toFile: dir + "/bad.yaml", atomically: true, encoding: .utf8)
        let location = try FirewallLocation(interface: "vr")
        guard !location.isInstalled else {
            Issue.record("a firewall is already pinned at \(location.directory); not touching it")
            return
        }
        // As if run over SSH from 10.77.0.20 to the receiver's port 22.
        func fw(_ args: String...) throws -> CommandResult {
            try Command.run(Command.which("env")!, ["SSH_CONNECTION=10.77.0.20 40000 10.77.0.2 22", Command.which("nsenter")!,
                                                     "--net=" + net.veth.receiver.path, CLI.path!, "firewall"] + args)
        }
        defer { _ = try? fw("unload", "vr") }

        let bad = try fw("load", "vr", "--mode", "generic", "--rules", dir + "/bad.yaml")
        #expect(bad.status != 0 && bad.stderr.contains("bad.yaml: line 4: field 'port': bad port '70000'"), "\(bad.stderr)")
        #expect(!location.isInstalled)
        let load = try fw("load", "vr", "--mode", "generic", "--rules", dir + "/rules.yaml")
        #expect(load.status == 0 && load.stdout.contains("(generic, 3 rules)"), "\(load.stdout)\(load.stderr)")
        #expect(try fw("rule", "list", "--json").stdout.contains(#""rule":"limit from 10.77.0.32/28 pps 100""#))

        let refused = try fw("rule", "add", "deny", "from", "10.77.0.16/28")
        #expect(refused.status != 0 && refused.stderr.contains("would drop the SSH session this command runs over (10.77.0.20 to 10.77.0.2 port 22"), "\(refused.stderr)")
        #expect(try fw("rule", "list").stdout.split(separator: "\n").count == 3)
        let forced = try fw("rule", "add", "--force", "deny", "from", "10.77.0.16/28")
        #expect(forced.status == 0 && forced.stdout == "rule 4: deny from 10.77.0.16/28\n", "\(forced.stdout)\(forced.stderr)")

        // watch for 1.5 s while 10 datagrams from 10.77.0.9 are dropped.
        let watch = WatchOutput()
        let nsenter = Command.which("nsenter")!, receiverPath = net.veth.receiver.path, cli = CLI.path!
        Thread {
            watch.result = try? Command.run(nsenter, ["--net=" + receiverPath, cli, "firewall", "watch", "--json", "--duration", "2"])
            watch.done.signal()
        }.start()
        // Send once the watcher has turned events on (its start can take a while under emulation).
        let opened = try Firewall.open(interface: "vr")
        for _ in 0..<300 where try opened.config().eventSample == 0 { usleep(20_000) }
        #expect(try opened.config().eventSample == 1)
        let s9 = try net.sender(from: "10.77.0.9", port: 5000)
        let reached = net.send("x", count: 10, through: s9, every: 1, pause: 1000)
        watch.done.wait()
        let watched = try #require(watch.result)
        let lines = watched.stdout.split(separator: "\n")
        #expect(watched.status == 0, "\(watched.stderr)")
        let events = lines.filter { $0.contains(#""source":"10.77.0.9""#) }
        #expect(events.count == reached, "\(events.count) events of \(reached) drops (10 sent)")
        #expect(events.first?.contains(#""destination_port":5000"#) == true && events.first?.contains(#""cause":"rule 2""#) == true, "\(lines)")
        #expect(lines.allSatisfy { $0.hasPrefix("{") }, "\(lines)")
        #expect(lines.last?.hasPrefix(#"{"events":"#) == true && lines.last?.contains(#""lost_ring_full":0,"lost_over_rate":0"#) == true, "\(lines)")
        let status = try fw("status", "--json").stdout
        #expect(status.contains(#""top_dropped_sources":[{"source":"10.77.0.9","packets":"#), "\(status)")
    }
}

/// The output of a `watch` run on another thread.
final class WatchOutput: @unchecked Sendable {
    var result: CommandResult?
    let done = DispatchSemaphore(value: 0)
}
