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

    @Test func parsesDestinationTupleICMPAndLimitRules() throws {
        let host = try IPPrefix(parsing: "192.0.2.7")
        #expect(try FirewallRuleParser.rule("deny to 198.51.100.0/24") == FirewallRule(.deny, .destination(try IPPrefix(parsing: "198.51.100.0/24"))))
        #expect(try FirewallRuleParser.rule("allow from 192.0.2.7 tcp port 22") == FirewallRule(.allow, .tuple(.source, host, .tcp, PortRange(first: 22, last: 22)!)))
        #expect(try FirewallRuleParser.rule("deny to 2001:db8::1 udp port 53-54")
                == FirewallRule(.deny, .tuple(.destination, try IPPrefix(parsing: "2001:db8::1"), .udp, PortRange(first: 53, last: 54)!)))
        #expect(try FirewallRuleParser.rule("deny icmp type 8") == FirewallRule(.deny, .icmpTypes(.icmp, PortRange(first: 8, last: 8)!)))
        #expect(try FirewallRuleParser.rule("count icmpv6 type 128-129") == FirewallRule(.count, .icmpTypes(.icmpv6, PortRange(first: 128, last: 129)!)))
        let limit = try FirewallRuleParser.rule("limit from 10.0.0.0/8 pps 1000 burst 200 bytes 1000000 per-prefix")
        #expect(limit == FirewallRule(.limit, .source(try IPPrefix(parsing: "10.0.0.0/8")),
                                      limit: RateLimit(packetsPerSecond: 1000, packetBurst: 200, bytesPerSecond: 1_000_000, perPrefix: true)))
        // A limit and a deny of the same prefix are different stages; two limits are not.
        #expect(throws: Never.self) { try FirewallRuleParser.ruleSet("limit from 10.0.0.0/8 pps 5\ndeny from 10.0.0.0/8\n") }
        #expect(throws: FirewallRuleError.self) { try FirewallRuleParser.ruleSet("limit from 10.0.0.0/8 pps 5\nlimit from 10.0.0.0/8 bytes 9\n") }
        #expect(throws: FirewallRuleError.self) { try FirewallRuleParser.ruleSet("deny from 192.0.2.7 tcp port 20-30\nallow from 192.0.2.7 tcp port 22\n") }
    }

    @Test(arguments: [
        ("deny from 10.0.0.0/8 tcp port 22", "names one address"), ("deny to 10.0.0.1 tcp", "needs 'port PORT'"),
        ("deny icmp type 300", "bad ICMP type"), ("deny udp type 3", "has no types"), ("deny from 10.0.0.1 icmp type 8", "matches every address"),
        ("deny from 10.0.0.1 tcp port 1-2000", "at most 1024 ports"), ("limit udp port 53", "limit from PREFIX"),
        ("limit from 10.0.0.0/8", "needs 'pps N'"), ("limit from 10.0.0.0/8 pps 0", "'pps' takes a number"),
        ("limit from 10.0.0.0/8 burst 5", "'burst' follows"), ("limit from 10.0.0.0/8 pps 5 rate 3", "unknown limit word 'rate'"),
    ])
    func rejectsBadNewRulesWithTheCause(text: String, cause: String) {
        do {
            let r = try FirewallRuleParser.rule(text)
            Issue.record("accepted '\(text)' as \(r)")
        } catch {
            #expect(error.description.contains(cause), "\(error)")
        }
    }

    @Test(arguments: ["deny udp port 53", "allow from 10.0.0.0/8", "count tcp port 1-65535", "deny icmpv6", "deny from 2001:db8::1",
                      "deny to 192.0.2.0/24", "allow from 192.0.2.7 tcp port 22", "deny to 2001:db8::1 udp port 53-54",
                      "deny icmp type 8", "limit from 10.0.0.0/8 pps 1000 burst 200", "limit from ::/0 bytes 1000000 per-prefix",
                      "limit from 10.0.0.1 pps 10 bytes 5000 burst 9000"])
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
        #expect(throws: FirewallRuleError(line: 3, reason: "unknown action 'alow' (allow, deny, count or limit)")) {
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
