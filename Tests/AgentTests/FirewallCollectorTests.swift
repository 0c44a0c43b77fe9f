import Foundation
import Glibc
import SwiftBPFNet
import Testing
@testable import SwiftBPFAgent

/// The `firewall` collector over an XDP firewall on the receiving end of a veth pair between
/// two namespaces of the test's own, pinned under a root of its own: UDP datagrams to a denied
/// port count under that rule, the rest under the default policy, exactly as the kernel counted.
@Suite(.serialized, .enabled(if: isRoot, "loading BPF programs needs root"),
       .enabled(if: VethPair.ip != nil, "needs iproute2's ip for network namespaces"), .timeLimit(.minutes(2)))
struct FirewallCollectorTests {
    static func value(_ line: Substring) -> Double? { line.split(separator: " ").last.flatMap { Double($0) } }

    @Test func ruleCountersBecomeMetrics() async throws {
        let net = try VethPair()
        defer { net.close() }
        let root = "/sys/fs/bpf/swiftbpf-agent-test-\(getpid())-fw"
        let rules = try FirewallRuleParser.ruleSet("deny udp port 9999\ncount udp port 7000\n")
        _ = try await net.inReceiver { try Firewall.install(interface: "vr", mode: .generic, ruleSet: rules, root: root) }
        defer { _ = try? Firewall.uninstall(interface: "vr", root: root) }

        let config = AgentConfig.testing(["firewall"]) { $0.collectors["firewall"]?.options["root"] = root }
        try await RunningAgent.with(config) { running in
            let state = running.agent.collectors.snapshot["firewall"]
            try #require(state?.state == .running, "firewall did not start: \(state?.error ?? "")")
            #expect(net.sendUDP(port: 9999, count: 10, payload: "denied") == 0)
            #expect(net.sendUDP(port: 7000, count: 4, payload: "counted") == 0)
            // What the kernel counted is the truth the metrics must show.
            let fw = try Firewall.open(interface: "vr", root: root)
            let installed = try fw.rules()
            let deny = try #require(installed.first { $0.rule.description == "deny udp port 9999" })
            let count = try #require(installed.first { $0.rule.description == "count udp port 7000" })
            let kernelDenied = try fw.counter(ruleID: deny.id)
            #expect(kernelDenied.packets == 10, "the kernel's count of denied datagrams")
            let denied = #"swiftbpf_agent_firewall_packets_total{interface="vr",rule="\#(deny.id)",action="deny",text="deny udp port 9999"}"#
            let counted = #"swiftbpf_agent_firewall_packets_total{interface="vr",rule="\#(count.id)",action="count",text="count udp port 7000"}"#
            let deniedBytes = #"swiftbpf_agent_firewall_bytes_total{interface="vr",rule="\#(deny.id)",action="deny",text="deny udp port 9999"}"#
            let text = await eventually(timeout: 15) { () -> String? in
                let body = (try? await TestHTTP.get(running.port, "/metrics").body) ?? ""
                let lines = body.split(separator: "\n")
                let d = lines.first { $0.hasPrefix(denied + " ") }.flatMap(Self.value)
                let c = lines.first { $0.hasPrefix(counted + " ") }.flatMap(Self.value)
                return d == 10 && c == 4 ? body : nil
            }
            try #require(text != nil, "\(denied) should be 10 and \(counted) 4")
            let lines = text!.split(separator: "\n")
            #expect(lines.first { $0.hasPrefix(deniedBytes + " ") }.flatMap(Self.value) == Double(kernelDenied.bytes))
            let kernelDefault = try fw.defaultCounter()
            let allowed = lines.first { $0.hasPrefix(#"swiftbpf_agent_firewall_packets_total{interface="vr",rule="default",action="allow",text="default allow"} "#) }
            #expect(allowed.flatMap(Self.value).map { $0 <= Double(kernelDefault.packets) } == true,
                    "the default policy's series, at most the kernel's \(kernelDefault.packets) now: \(allowed ?? "none")")
            let gauge = { (name: String) in lines.first { $0.hasPrefix(name + " ") }.flatMap(Self.value) }
            #expect(gauge(#"swiftbpf_agent_firewall_rules{interface="vr"}"#) == 2)
            #expect(gauge(#"swiftbpf_agent_firewall_loaded{interface="vr"}"#) == 1)
        }
        // The agent observed only: its stop left the firewall loaded and counting.
        #expect(try Firewall.open(interface: "vr", root: root).rules().count == 2)
    }
}
