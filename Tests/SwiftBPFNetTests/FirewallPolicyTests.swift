import Testing
@testable import SwiftBPFNet

@Suite("FirewallPolicy")
struct FirewallPolicyTests {
    func policy(_ text: String, default action: FirewallAction = .allow, blocklist: [String] = []) throws -> FirewallPolicy {
        FirewallPolicy(rules: try FirewallRuleParser.ruleSet(text).rules, defaultAction: action,
                       blocklist: try blocklist.map { try IPPrefix(parsing: $0) })
    }

    func ssh(from peer: String) throws -> FirewallPolicy.Packet {
        .init(source: try IPPrefix(parsing: peer), destination: try IPPrefix(parsing: "10.0.0.2"), proto: .tcp, destinationPort: 22)
    }

    /// The program's order: tuple, source, destination, blocklist, port, protocol, default.
    @Test func decidesInTheProgramsOrder() throws {
        let p = try policy("""
            deny from 10.9.0.0/16
            allow from 10.9.0.5 tcp port 22
            deny tcp port 22
            count from 10.7.0.0/16
            deny to 10.0.0.2
            allow from 10.8.0.0/16
            """, blocklist: ["10.6.0.0/16"])
        #expect(p.decision(for: try ssh(from: "10.9.0.5")) == .rule(try FirewallRuleParser.rule("allow from 10.9.0.5 tcp port 22")))
        #expect(p.decision(for: try ssh(from: "10.9.0.6")) == .rule(try FirewallRuleParser.rule("deny from 10.9.0.0/16")))
        #expect(p.decision(for: try ssh(from: "10.8.0.1")) == .rule(try FirewallRuleParser.rule("allow from 10.8.0.0/16")))
        // A count rule never decides; the destination rule comes before the blocklist.
        #expect(p.decision(for: try ssh(from: "10.7.0.1")) == .rule(try FirewallRuleParser.rule("deny to 10.0.0.2")))
        let elsewhere = FirewallPolicy.Packet(source: try IPPrefix(parsing: "10.6.1.1"), destination: try IPPrefix(parsing: "10.0.0.3"), proto: .tcp, destinationPort: 22)
        #expect(p.decision(for: elsewhere) == .blocklist(try IPPrefix(parsing: "10.6.0.0/16")))
        let other = FirewallPolicy.Packet(source: try IPPrefix(parsing: "10.5.1.1"), destination: try IPPrefix(parsing: "10.0.0.3"), proto: .tcp, destinationPort: 22)
        #expect(p.decision(for: other) == .rule(try FirewallRuleParser.rule("deny tcp port 22")))
        #expect(p.decision(for: .init(source: try IPPrefix(parsing: "10.5.1.1"))) == .defaultPolicy(.allow))
    }

    /// The guard refuses what would drop its lifelines and names the rule and the lifeline.
    @Test func lockoutGuardRefusesWhatCutsALifeline() throws {
        let g = LockoutGuard(interface: "eth0", lifelines: [
            .init(packet: try ssh(from: "192.0.2.9"), what: "the SSH session"),
            .init(packet: .init(source: try IPPrefix(parsing: "10.0.0.1")), what: "the default gateway 10.0.0.1"),
        ])
        func refusal(_ p: FirewallPolicy) -> String? {
            do { try g.check(p, change: "this"); return nil } catch { return error.description }
        }
        #expect(refusal(try policy("deny from 198.51.100.0/24\n")) == nil)
        #expect(refusal(try policy("deny from 192.0.2.0/24\n"))?.contains("the rule 'deny from 192.0.2.0/24' would drop the SSH session on eth0") == true)
        #expect(refusal(try policy("deny tcp port 22\n"))?.contains("SSH session") == true)
        #expect(refusal(try policy("", blocklist: ["10.0.0.0/30"]))?.contains("the blocklist entry 10.0.0.0/30 would drop the default gateway") == true)
        // A default deny that only lets SSH in cuts the gateway; an allow for it fixes that.
        #expect(refusal(try policy("allow tcp port 22\n", default: .deny))?.contains("the default policy (deny) would drop the default gateway") == true)
        #expect(refusal(try policy("allow tcp port 22\nallow from 10.0.0.1\n", default: .deny)) == nil)
        // A more specific allow keeps the session through a wider deny.
        #expect(refusal(try policy("deny from 192.0.2.0/24\nallow from 192.0.2.9 tcp port 22\n")) == nil)
    }
}
