import Testing
@testable import SwiftBPFNet

@Suite("FirewallYAMLParser")
struct FirewallYAMLParserTests {
    @Test func parsesMappingsAndRuleLines() throws {
        let set = try FirewallYAMLParser.ruleSet("""
            # the office policy
            default: deny
            rules:
              - allow from 192.0.2.0/24        # a rule line
              - action: allow
                from: 198.51.100.7
                protocol: tcp
                port: 22
              - action: deny
                to: 2001:db8::/32
              - action: count
                protocol: icmp
                type: 8
              - action: limit
                from: 0.0.0.0/0
                pps: 1000
                burst: 200
                bytes: 1000000
                byte-burst: 150000
                per: prefix
              - action: deny
                protocol: udp
                port: "6000-6010"
            """)
        #expect(set.defaultAction == .deny)
        #expect(set.rules.map(\.description) == [
            "allow from 192.0.2.0/24", "allow from 198.51.100.7 tcp port 22", "deny to 2001:db8::/32", "count icmp type 8",
            "limit from 0.0.0.0/0 pps 1000 burst 200 bytes 1000000 burst 150000 per-prefix", "deny udp port 6000-6010",
        ])
        #expect(try FirewallYAMLParser.ruleSet("").rules.isEmpty)
        #expect(try FirewallYAMLParser.ruleSet("rules:\n").rules.isEmpty)
    }

    /// Each error names the line, and the field where there is one.
    @Test(arguments: [
        ("rules:\n  - action: deny\n    port: 99999\n    protocol: udp\n", 3, "field 'port': bad port '99999'"),
        ("rules:\n  - action: drop\n    from: 10.0.0.0/8\n", 2, "field 'action': allow, deny, count or limit, not 'drop'"),
        ("rules:\n  - action: deny\n\n    from: 10.0.0.300\n", 4, "field 'from': bad address or prefix '10.0.0.300'"),
        ("rules:\n  - action: deny\n    protocl: udp\n", 3, "unknown field 'protocl'"),
        ("rules:\n  - from: 10.0.0.0/8\n", 2, "no 'action'"),
        ("rules:\n  - action: deny\n    protocol: icmp\n    port: 3\n", 2, "has no ports"),
        ("rules:\n  - action: limit\n    from: ::/0\n    pps: lots\n", 4, "field 'pps': a number"),
        ("rules:\n  - action: deny\n    pps: 5\n    from: 10.0.0.1\n", 3, "field 'pps': only a 'limit' rule"),
        ("rules:\n  - action: deny\n    port: [1, 2]\n", 3, "field 'port': a single value, not a list"),
        ("default: maybe\n", 1, "field 'default': allow or deny, not 'maybe'"),
        ("rule:\n  - deny icmp\n", 1, "unknown field 'rule'"),
        ("rules:\n  - deny icmp\n  - dney udp port 5\n", 3, "unknown action 'dney'"),
        ("rules:\n  - deny icmp\n  - deny icmp\n", 3, "overlaps 'deny icmp' of line 2"),
        ("rules:\n  - action: deny\n    from: [10.0.0.1\n", 3, "is not closed"),
        ("- deny icmp\n", 1, "a mapping with 'rules:'"),
    ])
    func namesTheLineAndField(text: String, line: Int, cause: String) {
        do {
            let set = try FirewallYAMLParser.ruleSet(text)
            Issue.record("accepted \(set)")
        } catch {
            #expect(error.line == line, "\(error)")
            #expect(error.description.contains(cause), "\(error)")
        }
    }
}
