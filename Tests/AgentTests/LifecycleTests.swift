import BPF
import Foundation
import Glibc
import Testing
@testable import SwiftBPFAgent

/// The `swiftbpf-agent` executable as an operator runs it: SIGHUP reloads the configuration
/// file (a collector added, one removed, metrics kept), SIGTERM stops it leaving none of its
/// BPF programs in the kernel.
@Suite(.serialized, .enabled(if: isRoot, "loading BPF programs needs root"), .timeLimit(.minutes(3)))
struct LifecycleTests {
    /// The agent built next to the test bundle, or the one `SWIFTBPF_AGENT` names.
    static var binary: String? {
        if let override = ProcessInfo.processInfo.environment["SWIFTBPF_AGENT"] { return override }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("swiftbpf-agent").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    static func collectors(_ port: Int) async -> [String: (state: String, ids: [UInt32])] {
        guard let reply = try? await TestHTTP.get(port, "/api/v1/collectors"), reply.status == 200,
              let json = try? JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any],
              let list = json["collectors"] as? [[String: Any]] else { return [:] }
        var out: [String: (String, [UInt32])] = [:]
        for c in list {
            let ids = (c["programs"] as? [[String: Any]] ?? []).compactMap { ($0["id"] as? NSNumber)?.uint32Value }
            out[c["name"] as? String ?? ""] = (c["state"] as? String ?? "", ids)
        }
        return out
    }

    @Test(.enabled(if: binary != nil, "swiftbpf-agent is not built next to the tests (swift build --build-tests)"))
    func sighupReloadsAndSigtermLeavesNothingInTheKernel() async throws {
        let dir = TempDir("life")
        defer { dir.cleanup() }
        let port = freePort()
        let configPath = dir.path + "/agent.yaml"
        func write(_ collectors: String) throws {
            try "listen: \"127.0.0.1:\(port)\"\ncollectors:\n\(collectors)".write(toFile: configPath, atomically: true, encoding: .utf8)
        }
        try write("  exec: {}\n")
        let agent = try Child(Self.binary!, ["--config", configPath], log: dir.path + "/agent.log")
        defer { agent.stop() }
        let first = await eventually(timeout: 30) { () -> [String: (state: String, ids: [UInt32])]? in
            let c = await Self.collectors(port)
            return c["exec"]?.state == "running" ? c : nil
        }
        let exec = try #require(first?["exec"], "the agent never ran exec: \(agent.log.suffix(800))")
        #expect(!exec.ids.isEmpty)
        let marker = try MarkerBinary(in: dir)
        try marker.run(2)

        // Add open, remove nothing.
        try write("  exec: {}\n  open: {}\n")
        agent.signal(SIGHUP)
        let second = await eventually(timeout: 20) { () -> [String: (state: String, ids: [UInt32])]? in
            let c = await Self.collectors(port)
            return c["open"]?.state == "running" ? c : nil
        }
        #expect(second != nil, "SIGHUP did not start open: \(agent.log.suffix(800))")
        #expect(second?["exec"]?.ids == exec.ids, "exec's programs must be the same ones (not restarted)")
        // Remove exec.
        try write("  open: {}\n")
        agent.signal(SIGHUP)
        let third = await eventually(timeout: 20) { () -> [String: (state: String, ids: [UInt32])]? in
            let c = await Self.collectors(port)
            return c["exec"] == nil && c["open"] != nil ? c : nil
        }
        #expect(third != nil, "SIGHUP did not remove exec")
        // reload() counts itself after reconciling: wait for the second count.
        let metrics = await eventually(timeout: 10) { () -> String? in
            let body = (try? await TestHTTP.get(port, "/metrics").body) ?? ""
            return body.contains("swiftbpf_agent_reloads_total 2") ? body : nil
        }
        #expect(metrics != nil, "swiftbpf_agent_reloads_total never reached 2")
        #expect(metrics?.contains("swiftbpf_agent_execs_total{comm=\"\(marker.name)\"") == true, "counts from before the reload stay")
        // exec's programs leave the kernel once their last reference (and link) is released.
        let gone = await eventually(timeout: 10) { () -> Bool? in
            Set((try? Program.allIDs()) ?? exec.ids).isDisjoint(with: exec.ids) ? true : nil
        }
        #expect(gone == true, "exec's programs remain after it was removed")

        let openIDs = third?["open"]?.ids ?? []
        agent.signal(SIGTERM)
        let exited = await eventually(timeout: 20) { agent.process.isRunning ? nil : true }
        #expect(exited == true, "the agent did not exit on SIGTERM")
        #expect(agent.process.terminationStatus == 0, "exit status \(agent.process.terminationStatus): \(agent.log.suffix(800))")
        // The process is gone, so are its descriptors: nothing of it may remain.
        let after = Set(try Program.allIDs())
        #expect(after.isDisjoint(with: openIDs + exec.ids), "programs left in the kernel after SIGTERM")
        #expect(agent.log.contains("agent stopped"))
    }

    @Test(.enabled(if: binary != nil, "swiftbpf-agent is not built next to the tests"))
    func badConfigFileFailsNamingTheKey() async throws {
        let dir = TempDir("badcfg")
        defer { dir.cleanup() }
        try "collectors:\n  exec: {sampel: 2}\n".write(toFile: dir.path + "/a.yaml", atomically: true, encoding: .utf8)
        let child = try Child(Self.binary!, ["--config", dir.path + "/a.yaml"], log: dir.path + "/log")
        // Were the file accepted, the agent would run on: the wait is bounded, and kills it.
        try await offPool { try waitForExit(child.process, timeout: 20, "swiftbpf-agent with a bad configuration") }
        #expect(child.process.terminationStatus == 2)
        #expect(child.log.contains("unknown key \"collectors.exec.sampel\""), "\(child.log)")
    }
}
