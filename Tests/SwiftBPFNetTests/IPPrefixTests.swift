import Testing
@testable import SwiftBPFNet

@Suite("IPPrefix")
struct IPPrefixTests {
    @Test func parsesIPv4PrefixesAndClearsHostBits() throws {
        let p = try IPPrefix(parsing: "10.1.2.3/8")
        #expect(p.family == .ipv4)
        #expect(p.address == [10, 0, 0, 0])
        #expect(p.length == 8)
        #expect(p.description == "10.0.0.0/8")
        #expect(try IPPrefix(parsing: "192.0.2.0/23").address == [192, 0, 2, 0])
        #expect(try IPPrefix(parsing: "192.0.3.255/23").address == [192, 0, 2, 0])
    }

    @Test func bareAddressIsAHostPrefix() throws {
        #expect(try IPPrefix(parsing: "198.51.100.7").length == 32)
        #expect(try IPPrefix(parsing: "198.51.100.7").description == "198.51.100.7")
        #expect(try IPPrefix(parsing: "2001:db8::1").length == 128)
        #expect(try IPPrefix(parsing: "0.0.0.0/0").length == 0)
    }

    @Test func parsesIPv6Prefixes() throws {
        let p = try IPPrefix(parsing: "2001:db8:abcd:12ff::/52")
        #expect(p.family == .ipv6)
        #expect(p.length == 52)
        #expect(p.description == "2001:db8:abcd:1000::/52")
        #expect(Array(p.address[0..<8]) == [0x20, 0x01, 0x0d, 0xb8, 0xab, 0xcd, 0x10, 0x00])
    }

    @Test(arguments: ["", "/8", "10.0.0/8", "10.0.0.256", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/", "2001:db8::/129",
                      "2001:db8:::1", "host.example", "10.0.0.0/8/9", "10.0.0.0/ 8"])
    func rejectsBadPrefixes(text: String) {
        #expect(throws: IPPrefixError.self) { try IPPrefix(parsing: text) }
    }

    @Test func errorSaysWhatIsWrong() {
        do {
            _ = try IPPrefix(parsing: "10.0.0.0/40")
            Issue.record("accepted a /40 IPv4 prefix")
        } catch {
            #expect(error.description.contains("0 to 32"))
        }
    }

    @Test func containment() throws {
        let net = try IPPrefix(parsing: "10.0.0.0/8")
        #expect(net.contains(try IPPrefix(parsing: "10.200.1.1")))
        #expect(!net.contains(try IPPrefix(parsing: "11.0.0.1")))
        #expect(!net.contains(try IPPrefix(parsing: "::ffff:10.0.0.1")))
    }
}
