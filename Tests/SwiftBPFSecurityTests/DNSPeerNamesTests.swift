import SwiftBPFSecurity
import Testing

/// DNS messages written byte by byte (RFC 1035 §4.1) for the recorder tests.
enum DNSWireBytes {
    static func u16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xff)] }
    static func u32(_ v: UInt32) -> [UInt8] { u16(UInt16(v >> 16)) + u16(UInt16(v & 0xffff)) }
    static func name(_ text: String) -> [UInt8] {
        text.split(separator: ".").flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) } + [0]
    }
    /// Header and one question (type A, class IN); `flags` 0x8180 is a NOERROR response.
    static func start(_ question: String, flags: UInt16 = 0x8180, answers: UInt16) -> [UInt8] {
        u16(0xbeef) + u16(flags) + u16(1) + u16(answers) + u16(0) + u16(0) + name(question) + u16(1) + u16(1)
    }
    static func record(_ owner: [UInt8], type: UInt16, data: [UInt8]) -> [UInt8] {
        owner + u16(type) + u16(1) + u32(60) + u16(UInt16(data.count)) + data
    }
    /// An A record owned by the question's name (a pointer to offset 12).
    static func a(_ address: [UInt8]) -> [UInt8] { record([0xc0, 12], type: 1, data: address) }
}

/// `DNSPeerNames`: what a workload's own DNS answers name, and that hostile bytes name nothing.
@Suite struct DNSPeerNamesTests {
    typealias B = DNSWireBytes

    @Test func namesTheAddressesOfTheQuestion() {
        var names = DNSPeerNames()
        names.take(B.start("API.Example.test", answers: 2) + B.a([10, 0, 0, 7]) + B.a([10, 0, 0, 8]))
        let v6: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1]
        names.take(B.start("v6.example.test", answers: 1) + B.record([0xc0, 12], type: 28, data: v6))
        #expect(names.name(for: "10.0.0.7") == "api.example.test")
        #expect(names.name(for: "10.0.0.8") == "api.example.test")
        #expect(names.name(for: "::ffff:10.0.0.7") == "api.example.test", "an IPv6 socket's view of the IPv4 address")
        #expect(names.name(for: "2001:db8::1") == "v6.example.test")
        #expect(names.name(for: "10.0.0.9") == nil && names.name(for: "not an address") == nil)
        #expect(names.count == 3 && names.answers == 2 && names.malformed == 0 && names.dropped == 0)
    }

    @Test func followsCnamesAndIgnoresUnrelatedRecords() {
        var names = DNSPeerNames()
        // api.example.test CNAME edge.cdn.test; edge.cdn.test A 192.0.2.10; other.test A 192.0.2.99.
        let question = B.start("api.example.test", answers: 3)
        let edge = B.name("edge.cdn.test")
        let message = question + B.record([0xc0, 12], type: 5, data: edge)
            + B.record(edge, type: 1, data: [192, 0, 2, 10]) + B.record(B.name("other.test"), type: 1, data: [192, 0, 2, 99])
        names.take(message)
        #expect(names.name(for: "192.0.2.10") == "api.example.test")
        #expect(names.name(for: "192.0.2.99") == nil, "a record for a name the question does not lead to")
    }

    @Test func queriesAndFailedAnswersNameNothing() {
        var names = DNSPeerNames()
        names.take(B.start("q.test", flags: 0x0100, answers: 1) + B.a([10, 1, 1, 1]))   // a query
        names.take(B.start("nx.test", flags: 0x8183, answers: 1) + B.a([10, 1, 1, 2]))  // NXDOMAIN
        #expect(names.count == 0 && names.answers == 0 && names.malformed == 0)
    }

    @Test func theFirstNameStaysAndTheTableIsBounded() {
        var names = DNSPeerNames(capacity: 2)
        names.take(B.start("first.test", answers: 1) + B.a([10, 2, 0, 1]))
        names.take(B.start("second.test", answers: 1) + B.a([10, 2, 0, 1]))
        names.take(B.start("b.test", answers: 1) + B.a([10, 2, 0, 2]))
        names.take(B.start("c.test", answers: 2) + B.a([10, 2, 0, 3]) + B.a([10, 2, 0, 4]))
        #expect(names.name(for: "10.2.0.1") == "first.test")
        #expect(names.name(for: "10.2.0.2") == "b.test")
        #expect(names.name(for: "10.2.0.3") == nil && names.count == 2 && names.dropped == 2)
    }

    @Test func malformedAndTruncatedAnswersNameNothing() {
        var names = DNSPeerNames()
        let whole = B.start("cut.test", answers: 1) + B.a([10, 3, 0, 1])
        // Every proper prefix: the only record never arrives whole.
        for n in 0..<whole.count { names.take(Array(whole[0..<n])) }
        #expect(names.count == 0)
        let header = B.u16(1) + B.u16(0x8180) + B.u16(1) + B.u16(1) + B.u16(0) + B.u16(0)
        let hostile: [[UInt8]] = [
            [],
            [0xff],
            header,                                                                   // no question
            header + [0xc0, 12] + B.u16(1) + B.u16(1) + B.a([10, 3, 0, 2]),            // the question points at itself
            header + [0xc0, 40] + B.u16(1) + B.u16(1) + B.a([10, 3, 0, 3]),            // a pointer forwards
            header + [0x80, 1, 0] + B.u16(1) + B.u16(1) + B.a([10, 3, 0, 4]),          // a reserved label type
            header + [63, 0x61] + B.a([10, 3, 0, 5]),                                 // a label past the end
            header + Array(repeating: [UInt8(63)] + [UInt8](repeating: 0x61, count: 63), count: 5).flatMap { $0 } + [0] + B.u16(1) + B.u16(1),
            // 65535 answers claimed, one present and cut.
            B.start("many.test", answers: 0xffff) + Array(B.a([10, 3, 0, 6]).dropLast()),
            // An A record whose length says 5.
            B.start("odd.test", answers: 1) + B.record([0xc0, 12], type: 1, data: [10, 3, 0, 7, 0]),
            // A CNAME whose target points at itself (its data starts at offset 39), then an address.
            B.start("loop.test", answers: 2) + B.record([0xc0, 12], type: 5, data: [0xc0, 39]) + B.a([10, 3, 0, 8]),
        ]
        for bytes in hostile { names.take(bytes) }
        #expect(names.count == 0, "named: \(["10.3.0.2", "10.3.0.3", "10.3.0.4", "10.3.0.5", "10.3.0.6", "10.3.0.7", "10.3.0.8"].filter { names.name(for: $0) != nil })")
        #expect(names.malformed >= 7, "\(names.malformed)")

        // Noise: random lengths and bytes, and random bytes after a valid question. Must not trap.
        var seed: UInt64 = 0x9e37_79b9_7f4a_7c15
        func next() -> UInt8 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: seed >> 56)
        }
        var noise = DNSPeerNames(capacity: 16)
        for round in 0..<3000 {
            let count = Int(next()) + Int(next()) % 3 * 256
            let tail = (0..<count).map { _ in next() }
            noise.take(round % 2 == 0 ? tail : B.start("noise.test", answers: UInt16(next())) + tail)
        }
        #expect(noise.count <= 16)
    }

    @Test func dnsNamesComeBeforeHostsInTheProfile() {
        var builder = ProfileBuilder(workload: .init(cgroup: "/sys/fs/cgroup/app"), hosts: ["127.0.0.78": "from-hosts", "127.0.0.1": "localhost"])
        for (address, port) in [("127.0.0.78", UInt16(8080)), ("127.0.0.1", 9090)] {
            var e = GuardEvent(timestampNanoseconds: 1, kind: .connect,
                               process: GuardProcess(pid: 10, tid: 10, ppid: 1, uid: 0, gid: 0, comm: "app", binary: FileID(inode: 1, device: 1)))
            e.address = address
            e.port = port
            builder.add(e)
        }
        var names = DNSPeerNames()
        names.take(B.start("learned.swiftbpf.test", answers: 1) + B.a([127, 0, 0, 78]))
        builder.name(from: names)
        let peers = Dictionary(uniqueKeysWithValues: builder.profile.network.map { ($0.address, $0.name) })
        #expect(peers["127.0.0.78"] == "learned.swiftbpf.test")
        #expect(peers["127.0.0.1"] == "localhost")
        var o = GenerateOptions()
        o.source = "p.yaml"
        #expect(GuardPolicyGenerator.networkPolicy(builder.profile, o).contains("- \"127.0.0.78:8080\"  # learned.swiftbpf.test, seen once"))
        #expect(KubernetesNetworkPolicyGenerator.policy(builder.profile, o, app: "app").contains("# learned.swiftbpf.test, connect 1 times"))
    }
}
