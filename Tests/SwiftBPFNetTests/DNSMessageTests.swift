import Testing
@testable import DNSWire
@testable import SwiftBPFNet

/// Builds DNS messages byte by byte for the parser tests.
enum DNSBytes {
    static func header(id: UInt16 = 0x1234, response: Bool, rcode: UInt8 = 0, questions: UInt16 = 1, answers: UInt16 = 0) -> [UInt8] {
        let flags: UInt16 = (response ? 0x8180 : 0x0100) | UInt16(rcode)
        return be16(id) + be16(flags) + be16(questions) + be16(answers) + be16(0) + be16(0)
    }
    static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xff)] }
    static func be32(_ v: UInt32) -> [UInt8] { be16(UInt16(v >> 16)) + be16(UInt16(v & 0xffff)) }
    static func name(_ text: String) -> [UInt8] {
        text.split(separator: ".").flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) } + [0]
    }
    static func question(_ text: String, type: UInt16 = 1) -> [UInt8] { name(text) + be16(type) + be16(1) }
    /// An answer whose owner is a pointer to the question name at offset 12.
    static func answerA(_ address: [UInt8], ttl: UInt32 = 60) -> [UInt8] {
        [0xc0, 12] + be16(1) + be16(1) + be32(ttl) + be16(UInt16(address.count)) + address
    }
}

@Suite("DNS message parser")
struct DNSMessageTests {
    @Test func parsesAQueryAndItsAnswer() throws {
        let query = DNSBytes.header(response: false) + DNSBytes.question("API.internal")
        let q = try DNSMessage(parsing: query)
        #expect(q.id == 0x1234 && !q.isResponse && q.name == "api.internal" && q.type == 1 && q.answers.isEmpty)

        let answer = DNSBytes.header(response: true, answers: 2) + DNSBytes.question("api.internal")
            + DNSBytes.answerA([10, 0, 0, 7], ttl: 300) + DNSBytes.answerA([10, 0, 0, 8], ttl: 30)
        let a = try DNSMessage(parsing: answer)
        #expect(a.isResponse && a.responseCodeName == "NOERROR" && !a.isIncomplete)
        #expect(a.answers == [DNSRecord(name: "api.internal", type: 1, ttl: 300, data: .address([10, 0, 0, 7])),
                              DNSRecord(name: "api.internal", type: 1, ttl: 30, data: .address([10, 0, 0, 8]))])
    }

    @Test func nxdomainAndCname() throws {
        let nx = try DNSMessage(parsing: DNSBytes.header(response: true, rcode: 3) + DNSBytes.question("missing.test"))
        #expect(nx.responseCode == 3 && nx.responseCodeName == "NXDOMAIN" && nx.answers.isEmpty)

        // www.test CNAME -> web.test (written as "web" + pointer to "test" at offset 16), then web.test A.
        var m = DNSBytes.header(response: true, answers: 2) + DNSBytes.question("www.test")
        let cnameData: [UInt8] = [3] + Array("web".utf8) + [0xc0, 16]
        m += [0xc0, 12] + DNSBytes.be16(5) + DNSBytes.be16(1) + DNSBytes.be32(10) + DNSBytes.be16(UInt16(cnameData.count)) + cnameData
        let webOffset = UInt8(m.count - cnameData.count)
        m += [0xc0, webOffset] + DNSBytes.be16(1) + DNSBytes.be16(1) + DNSBytes.be32(10) + DNSBytes.be16(4) + [192, 0, 2, 1]
        let msg = try DNSMessage(parsing: m)
        #expect(msg.answers.count == 2)
        #expect(msg.answers[0].data == .cname("web.test"))
        #expect(msg.answers[1].name == "web.test" && msg.answers[1].data == .address([192, 0, 2, 1]))
    }

    @Test func aCompressionLoopIsAnErrorNotAHang() {
        // The question name is a pointer to itself.
        let selfLoop = DNSBytes.header(response: false) + [0xc0, 12] + DNSBytes.be16(1) + DNSBytes.be16(1)
        #expect(throws: DNSParseError.self) { try DNSMessage(parsing: selfLoop) }
        // Two pointers pointing at each other (the second one forwards): rejected as not backwards.
        let pair = DNSBytes.header(response: false) + [0xc0, 14, 0xc0, 12] + DNSBytes.be16(1) + DNSBytes.be16(1)
        #expect(throws: DNSParseError.self) { try DNSMessage(parsing: pair) }
        // A loop inside an answer: the answers before it survive, the message is incomplete.
        var m = DNSBytes.header(response: true, answers: 2) + DNSBytes.question("a.test") + DNSBytes.answerA([1, 2, 3, 4])
        let at = UInt8(m.count)
        m += [0xc0, at] + DNSBytes.be16(1) + DNSBytes.be16(1) + DNSBytes.be32(1) + DNSBytes.be16(4) + [5, 6, 7, 8]
        let msg = try? DNSMessage(parsing: m)
        #expect(msg?.answers.count == 1 && msg?.isIncomplete == true)
    }

    @Test func longBackwardPointerChainsAreBounded() throws {
        // The first answer's data (an unknown type) holds a chain of 40 pointers, each pointing
        // back at the previous one (the first at the question's name); the second answer's
        // name points at the chain's end: 41 jumps, more than allowed.
        var m = DNSBytes.header(response: true, answers: 2) + DNSBytes.question("a.test")
        m += [0xc0, 12] + DNSBytes.be16(99) + DNSBytes.be16(1) + DNSBytes.be32(1) + DNSBytes.be16(80)
        let base = m.count
        for k in 0..<40 {
            let target = k == 0 ? 12 : base + 2 * (k - 1)
            m += [0xc0 | UInt8(target >> 8), UInt8(target & 0xff)]
        }
        let last = base + 2 * 39
        m += [0xc0 | UInt8(last >> 8), UInt8(last & 0xff)] + DNSBytes.be16(1) + DNSBytes.be16(1) + DNSBytes.be32(1) + DNSBytes.be16(4) + [1, 1, 1, 1]
        let msg = try DNSMessage(parsing: m)
        #expect(msg.answers.count == 1 && msg.isIncomplete)
        // Within the limit (a chain of 10), the same shape parses whole.
        var ok = DNSBytes.header(response: true, answers: 2) + DNSBytes.question("a.test")
        ok += [0xc0, 12] + DNSBytes.be16(99) + DNSBytes.be16(1) + DNSBytes.be32(1) + DNSBytes.be16(20)
        let okBase = ok.count
        for k in 0..<10 {
            let target = k == 0 ? 12 : okBase + 2 * (k - 1)
            ok += [0xc0 | UInt8(target >> 8), UInt8(target & 0xff)]
        }
        let okLast = okBase + 18
        ok += [0xc0 | UInt8(okLast >> 8), UInt8(okLast & 0xff)] + DNSBytes.be16(1) + DNSBytes.be16(1) + DNSBytes.be32(1) + DNSBytes.be16(4) + [1, 1, 1, 1]
        let whole = try DNSMessage(parsing: ok)
        #expect(whole.answers.count == 2 && !whole.isIncomplete && whole.answers[1].name == "a.test")
    }

    @Test func truncatedMessagesFailCleanly() throws {
        let full = DNSBytes.header(response: true, answers: 1) + DNSBytes.question("cut.test") + DNSBytes.answerA([10, 1, 1, 1])
        // Every prefix either throws or parses with fewer answers; never crashes.
        for n in 0..<full.count {
            let prefix = Array(full[0..<n])
            if let m = try? DNSMessage(parsing: prefix) {
                #expect(m.answers.isEmpty && m.isIncomplete)
            }
        }
        #expect(throws: DNSParseError.self) { try DNSMessage(parsing: Array(full[0..<11])) }
        #expect(throws: DNSParseError.self) { try DNSMessage(parsing: Array(full[0..<15])) }
        #expect(try DNSMessage(parsing: full).answers.count == 1)
    }

    @Test func hostileLabelsAndCounts() throws {
        // A label running past the end.
        #expect(throws: DNSParseError.self) { try DNSMessage(parsing: DNSBytes.header(response: false) + [63, 65, 66]) }
        // Reserved label types 0x40 and 0x80.
        #expect(throws: DNSParseError.self) { try DNSMessage(parsing: DNSBytes.header(response: false) + [0x41, 0] + DNSBytes.be16(1) + DNSBytes.be16(1)) }
        // A name over 255 bytes (five 63-byte labels).
        let label: [UInt8] = [63] + [UInt8](repeating: 97, count: 63)
        let long: [UInt8] = label + label + label + label + label + [0]
        #expect(throws: DNSParseError.self) { try DNSMessage(parsing: DNSBytes.header(response: false) + long + DNSBytes.be16(1) + DNSBytes.be16(1)) }
        // No question.
        #expect(throws: DNSParseError.self) { try DNSMessage(parsing: DNSBytes.header(response: true, questions: 0)) }
        // 65535 claimed answers, none present: incomplete, no crash, no huge allocation.
        let m = try DNSMessage(parsing: DNSBytes.header(response: true, answers: 0xffff) + DNSBytes.question("x.test"))
        #expect(m.answers.isEmpty && m.isIncomplete)
        // Non-printable bytes are escaped, dots inside labels too.
        let odd = try DNSMessage(parsing: DNSBytes.header(response: false) + [3, 0x00, 0x2e, 0x7f, 0] + DNSBytes.be16(1) + DNSBytes.be16(1))
        #expect(odd.name == "\\000\\.\\127")
    }

    @Test func randomBytesNeverCrash() {
        var rng = SystemRandomNumberGenerator()
        var parsed = 0
        for _ in 0..<20_000 {
            let n = Int.random(in: 0..<80, using: &rng)
            var bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if bytes.count >= 6 { bytes[4] = 0; bytes[5] = 1 }   // one question, so parsing goes deeper
            if (try? DNSMessage(parsing: bytes)) != nil { parsed += 1 }
        }
        #expect(parsed >= 0)   // the property is that none of the 20,000 crashed or hung
    }
}

@Suite("DNS tracker and name cache")
struct DNSTrackerTests {
    func packet(_ bytes: [UInt8], response: Bool, at ns: UInt64, cookie: UInt64 = 7) -> DNSPacket {
        DNSPacket(timestampNanos: ns, cookie: cookie, source: Endpoint(address: response ? "10.0.0.53" : "10.0.0.1", port: response ? 53 : 40000),
                  destination: Endpoint(address: response ? "10.0.0.1" : "10.0.0.53", port: response ? 40000 : 53),
                  isResponse: response, owner: response ? nil : Flow.Owner(pid: 42, uid: 0, comm: "curl", cgroupID: 1),
                  length: bytes.count, bytes: bytes)
    }

    @Test func pairsQueryAndAnswerAndLabelsAddressesUntilTheTTL() {
        var t = DNSTracker()
        #expect(t.take(packet(DNSBytes.header(response: false) + DNSBytes.question("api.internal"), response: false, at: 1_000_000)) == nil)
        let answer = DNSBytes.header(response: true, answers: 1) + DNSBytes.question("api.internal") + DNSBytes.answerA([10, 9, 9, 9], ttl: 2)
        let e = t.take(packet(answer, response: true, at: 3_500_000))
        #expect(e?.name == "api.internal" && e?.answers == ["10.9.9.9"] && e?.latencyMicros == 2500 && e?.owner?.comm == "curl")
        #expect(t.cache.name(for: "10.9.9.9", nowNanos: 1_000_000_000) == "api.internal")
        #expect(t.cache.name(for: "10.9.9.9", nowNanos: 3_000_000_000) == nil)   // TTL 2 s ran out
    }

    @Test func cacheIsBounded() {
        var c = DNSNameCache(capacity: 10)
        for i in 0..<25 { c.insert(address: "10.0.0.\(i)", name: "n\(i)", ttl: UInt32(100 + i), nowNanos: 0) }
        #expect(c.count == 10 && c.dropped == 15)
        #expect(c.name(for: "10.0.0.24", nowNanos: 0) == "n24" && c.name(for: "10.0.0.0", nowNanos: 0) == nil)
    }
}
