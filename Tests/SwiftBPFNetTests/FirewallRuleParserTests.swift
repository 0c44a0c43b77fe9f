import Testing
@testable import SwiftBPFNet

@Suite("FirewallRuleParser")
struct FirewallRuleParserTests {
    @Test func parsesEachRuleKind() throws {
        #expect(try FirewallRuleParser.rule("deny from 203.0.113.0/24") == FirewallRule(.deny, .source(try IPPrefix(parsing: "203.0.113.0/24"))))
        #expect(try FirewallRuleParser.rule("allow from 2001:db8::/32") == FirewallRule(.allow, .source(try IPPrefix(parsing: "2001:db8::/32"))))
        #expect(try FirewallRuleParser.rule("deny udp port 53") == FirewallRule(.deny, .ports(.udp, PortRange(first: 53, last: 53)!)))
        #expect(try FirewallRuleParser.rule("count tcp port 1000-2000") == FirewallRule(.count, .ports(.tcp, PortRange(first: 1000, last: 2000)!)))
        #expect(try FirewallRuleParser.rule("deny icmp") == FirewallRule(.deny, .proto(.icmp)))
        #expect(try FirewallRuleParser.rule("DENY 47") == FirewallRule(.deny, .proto(IPProtocolNumber(47))))
        #expect(try FirewallRuleParser.rule("  allow   tcp  port 22 ") == FirewallRule(.allow, .ports(.tcp, PortRange(first: 22, last: 22)!)))
    }

    @Test(arguments: ["deny udp port 53", "allow from 10.0.0.0/8", "count tcp port 1-65535", "deny icmpv6", "deny from 2001:db8::1"])
    func descriptionRoundTrips(text: String) throws {
        let rule = try FirewallRuleParser.rule(text)
        #expect(rule.description == text)
        #expect(try FirewallRuleParser.rule(rule.description) == rule)
    }

    @Test(arguments: [
        ("", "empty"), ("drop from 10.0.0.0/8", "unknown action 'drop'"), ("deny", "of what"),
        ("deny from", "one address"), ("deny from 10.0.0.0/8 extra", "one address"), ("deny from 10.0.0.300", "not an IPv4"),
        ("deny sctpx", "unknown protocol 'sctpx'"), ("deny icmp port 3", "has no ports"), ("deny udp port", "expected"),
        ("deny udp port 70000", "bad port '70000'"), ("deny udp port 2000-1000", "ends before it starts"),
        ("deny udp port 1-2-3", "bad port"), ("deny udp ports 53", "expected"),
    ])
    func rejectsBadRulesWithTheCause(text: String, cause: String) {
        do {
            let r = try FirewallRuleParser.rule(text)
            Issue.record("accepted '\(text)' as \(r)")
        } catch {
            #expect(error.line == 0)
            #expect(error.description.contains(cause), "\(error)")
        }
    }

    @Test func parsesARulesFileWithCommentsAndDefault() throws {
        let set = try FirewallRuleParser.ruleSet("""
            # management network
            allow from 192.0.2.0/24   # office
            default deny

            deny udp port 53
            count from 2001:db8::/32\r
            """)
        #expect(set.defaultAction == .deny)
        #expect(set.rules.map(\.description) == ["allow from 192.0.2.0/24", "deny udp port 53", "count from 2001:db8::/32"])
    }

    @Test func namesTheBadLine() {
        #expect(throws: FirewallRuleError(line: 3, reason: "unknown action 'alow' (allow, deny or count)")) {
            try FirewallRuleParser.ruleSet("allow from 10.0.0.0/8\n\nalow tcp port 22\n")
        }
        #expect(throws: FirewallRuleError(line: 2, reason: "the default policy is 'default allow' or 'default deny'")) {
            try FirewallRuleParser.ruleSet("deny icmp\ndefault count\n")
        }
    }

    @Test func refusesOverlappingRules() {
        do {
            _ = try FirewallRuleParser.ruleSet("deny tcp port 1000-2000\nallow udp port 1500\nallow tcp port 1999-3000\n")
            Issue.record("accepted overlapping port ranges")
        } catch {
            #expect(error.line == 3)
            #expect(error.description.contains("overlaps 'deny tcp port 1000-2000' of line 1"))
        }
        #expect(throws: FirewallRuleError.self) { try FirewallRuleParser.ruleSet("deny from 10.0.0.0/8\nallow from 10.1.2.3/8\n") }
        // Nested prefixes are not a conflict: the longest one wins.
        #expect(throws: Never.self) { try FirewallRuleParser.ruleSet("deny from 10.0.0.0/8\nallow from 10.1.0.0/16\n") }
    }
}
