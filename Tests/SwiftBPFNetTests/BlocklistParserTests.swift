import Testing
@testable import SwiftBPFNet

@Suite("BlocklistParser")
struct BlocklistParserTests {
    @Test func readsADropListWithComments() throws {
        let prefixes = try BlocklistParser.prefixes("""
            ; Spamhaus DROP List 2026/12/06 - (c) 2026 The Spamhaus Project
            ; Last-Modified: Sat, 05 Dec 2026 10:11:44 GMT
            1.10.16.0/20 ; SBL256894
            2.56.192.0/22 ; SBL459831
            # a single address and an IPv6 prefix
            198.51.100.7
              2001:db8:bad::/48   # comment

            """)
        #expect(prefixes.map(\.description) == ["1.10.16.0/20", "2.56.192.0/22", "198.51.100.7", "2001:db8:bad::/48"])
    }

    @Test func namesTheBadLine() {
        do {
            _ = try BlocklistParser.prefixes("10.0.0.0/8\n; ok\n10.0.0.0/8 11.0.0.0/8\n")
            Issue.record("accepted two prefixes on a line")
        } catch {
            #expect(error.line == 3)
            #expect(error.description.contains("one address or prefix per line"))
        }
        #expect(throws: FirewallRuleError(line: 2, reason: "bad address or prefix '300.1.1.1': '300.1.1.1' is not an IPv4 address")) {
            try BlocklistParser.prefixes("1.2.3.4\n300.1.1.1\n")
        }
    }

    @Test func emptyFileIsAnEmptyList() throws {
        #expect(try BlocklistParser.prefixes("").isEmpty)
        #expect(try BlocklistParser.prefixes("# nothing\n;\n").isEmpty)
    }
}
