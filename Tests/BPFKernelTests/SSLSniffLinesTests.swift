import Glibc
@testable import SwiftBPFTools
import Testing

/// sslsniff's byte writer (`SSLSniffLines`) against its `String` formatter (`SSLSniffFormat.text`)
/// on records laid out as `struct payload_event`: the text must be the same, byte for byte. Pure.
@Suite struct SSLSniffLinesTests {
    struct Fields {
        var tgid: UInt32 = 4242
        var tid: UInt32 = 4243
        var comm = "curl"
        var latencyNs: UInt64 = 12_345_678
        var conn: UInt64 = 0x5581_2a3b_4c00
        var ret: Int64 = 0
        var len: UInt32 = 0
        var fd: Int32 = -1
        var direction: UInt8 = 1
        var source: UInt8 = 1
        var flags: UInt8 = 0
        var function: UInt8 = 1
        var family: UInt16 = 0
        var sport: UInt16 = 0
        var dport: UInt16 = 0
        var saddr: [UInt8] = []
        var daddr: [UInt8] = []
        var data: [UInt8] = []
    }

    /// A record as `payload_emit` sends it: the 128-byte header, then the captured bytes.
    static func record(_ f: Fields) -> [UInt8] {
        var r = [UInt8](repeating: 0, count: 128 + f.data.count)
        func put<T>(_ v: T, _ at: Int) { withUnsafeBytes(of: v) { r.replaceSubrange(at..<at + $0.count, with: $0) } }
        put(UInt64(1), 0)
        put(UInt64(7), 8)
        put(f.tid, 16)
        put(f.tgid, 20)
        put(UInt32(1), 24)
        put(UInt32(0), 28)
        r.replaceSubrange(32..<32 + f.comm.utf8.count, with: Array(f.comm.utf8))
        put(f.latencyNs, 48)
        put(f.conn, 56)
        put(f.ret, 64)
        put(f.len, 72)
        put(UInt32(f.data.count), 76)
        put(f.fd, 80)
        r[84] = f.direction
        r[85] = f.source
        r[86] = f.flags
        r[87] = f.function
        put(f.family, 88)
        put(f.sport, 90)
        put(f.dport, 92)
        r.replaceSubrange(96..<96 + f.saddr.count, with: f.saddr)
        r.replaceSubrange(112..<112 + f.daddr.count, with: f.daddr)
        r.replaceSubrange(128..., with: f.data)
        return r
    }

    func check(_ f: Fields, seconds: Double, payload: SSLSniffFormat.Payload = .text, redact: Bool = false,
               sourceLocation: SourceLocation = #_sourceLocation) {
        let record = Self.record(f)
        record.withUnsafeBytes { raw in
            guard let event = PayloadEvent(record: raw) else {
                Issue.record("the record does not decode", sourceLocation: sourceLocation)
                return
            }
            let expected = SSLSniffFormat.text(event, seconds: seconds, payload: payload, redact: redact) + "\n"
            var lines = SSLSniffLines(payload: payload, redact: redact)
            let appended = lines.append(record: raw, seconds: seconds)
            #expect(appended, sourceLocation: sourceLocation)
            #expect(String(decoding: lines.bytes, as: UTF8.self) == expected, sourceLocation: sourceLocation)
        }
    }

    static let request = Array("GET /x HTTP/1.1\r\nHost: a\r\nCookie: s=1\r\n\r\n\u{1}\u{ff}".utf8)

    @Test func aWriteOverIPv4WithItsPayload() {
        var f = Fields()
        f.len = UInt32(Self.request.count)
        f.ret = Int64(f.len)
        f.data = Self.request
        f.fd = 5
        f.family = UInt16(AF_INET)
        f.sport = 40000
        f.dport = 443
        f.saddr = [127, 0, 0, 1]
        f.daddr = [10, 1, 2, 3]
        check(f, seconds: 1.2345675)
        check(f, seconds: 0, payload: .hex)
        check(f, seconds: 12345.000001, redact: true)
        check(f, seconds: 3, payload: .none)
    }

    @Test func aTruncatedReadOverIPv6() {
        var f = Fields()
        f.direction = 0
        f.function = 4
        f.comm = "python3.11-long"
        f.len = 100_000
        f.ret = 1
        f.data = Array(repeating: 0x41, count: 64)
        f.flags = 1
        f.tgid = 123_456_789
        f.tid = 1
        f.family = UInt16(AF_INET6)
        f.saddr = Array(repeating: 0, count: 15) + [1]
        f.daddr = [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]
        f.sport = 8443
        f.dport = 55555
        f.latencyNs = 999
        f.conn = UInt64.max
        check(f, seconds: 99.9999996)
    }

    @Test func handshakesFailedReadsAndSyscalls() {
        var handshake = Fields()
        handshake.direction = 2
        handshake.function = 5
        handshake.ret = -1
        check(handshake, seconds: 0.5)

        var failed = Fields()
        failed.len = 10
        failed.ret = 10
        failed.flags = 2
        check(failed, seconds: 0.25)

        var syscall = Fields()
        syscall.source = 3
        syscall.function = 0
        syscall.len = 3
        syscall.data = Array("abc".utf8)
        syscall.comm = "x"
        check(syscall, seconds: 7)
        syscall.direction = 0
        check(syscall, seconds: 7)
    }

    @Test func recordsThatAreNoEventWriteNothing() {
        var lines = SSLSniffLines(payload: .text, redact: false)
        var bad = Self.record(Fields())
        bad[84] = 9
        let unknownDirection = bad.withUnsafeBytes { lines.append(record: $0, seconds: 1) }
        let short = [UInt8](repeating: 0, count: 20).withUnsafeBytes { lines.append(record: $0, seconds: 1) }
        #expect(!unknownDirection)
        #expect(!short)
        #expect(lines.bytes.isEmpty)
    }
}
