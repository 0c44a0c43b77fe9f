import SwiftBPFTools
import Testing

/// The pure HTTP/1.x parsing of `swiftbpf http`: well-formed traffic cut at every byte, and
/// hostile input (garbage, huge heads, smuggling shapes, overflowing lengths) that must give a
/// clear rejection with bounded memory, never a crash or a wrong pairing. No kernel, no root.
@Suite struct HTTPParserTests {
    static let request = Array("GET /users/42?q=1 HTTP/1.1\r\nHost: example\r\nAuthorization: Bearer abc\r\n\r\n".utf8)
    static let response = Array("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello".utf8)

    func messages(_ outputs: [HTTPStreamParser.Output]) -> [HTTPMessage] {
        outputs.compactMap { if case let .message(m) = $0 { m } else { nil } }
    }

    @Test func aRequestSplitAtEveryByteParsesTheSame() {
        let whole = Self.request + Array("POST /x HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc".utf8)
        for cut in 1..<whole.count {
            var p = HTTPStreamParser()
            let out = messages(p.feed(whole[..<cut], time: 1) + p.feed(whole[cut...], time: 2))
            #expect(out.count == 2, "cut at \(cut)")
            guard out.count == 2 else { continue }
            #expect(out[0].head == .request(method: "GET", target: "/users/42?q=1", version: "HTTP/1.1",
                                            headers: [HTTPHeader("Host", "example"), HTTPHeader("Authorization", "Bearer abc")]))
            #expect(out[0].totalBytes == Self.request.count)
            #expect(out[1].bodyBytes == 3 && out[1].complete)
        }
    }

    @Test func chunkedBodiesAndTrailers() {
        let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
        let bytes = Array(text.utf8)
        for cut in stride(from: 1, to: bytes.count, by: 3) {
            var p = HTTPStreamParser()
            let out = messages(p.feed(bytes[..<cut], time: 1) + p.feed(bytes[cut...], time: 2))
            #expect(out.count == 2 && out[0].complete && out[0].totalBytes + out[1].totalBytes == bytes.count, "cut at \(cut)")
        }
    }

    @Test func missingBytesAreCountedThroughABody() {
        var p = HTTPStreamParser()
        let head = Array("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n".utf8)
        // 4096 captured of 60000 moved, then the rest uncaptured, then a next response.
        let first = head + [UInt8](repeating: 0x61, count: 4096 - head.count)
        #expect(messages(p.feed(first, missing: 60000 - 4096, time: 1)).isEmpty)
        let out = messages(p.feed([UInt8](repeating: 0x62, count: 100), missing: 40000 + head.count - 100, time: 2))
        #expect(out.count == 1 && out[0].bodyBytes == 100000 && out[0].complete)
        #expect(messages(p.feed(Self.response, time: 3)).count == 1)
    }

    @Test func responsesToHeadAndInterimResponsesHaveNoBody() {
        var p = HTTPStreamParser()
        let text = Array("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n".utf8)
        let out = messages(p.feed(text, time: 1, requestMethod: { "HEAD" }))
        #expect(out.count == 2 && out.allSatisfy { $0.bodyBytes == 0 })
    }

    @Test func hostileHeadsAreRejected() {
        let cases: [(String, String)] = [
            ("GET / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", "conflicting"),
            ("GET / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n", "Content-Length"),
            ("GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", "Content-Length"),
            ("GET / HTTP/1.1\r\nX: a\r\n folded\r\n\r\n", "folded"),
            ("GET / HTTP/2.0\r\n\r\n", "HTTP/1"),
            ("GET /a b HTTP/1.1\r\n\r\n", "request line"),
            ("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", "header name"),
            ("GET / HTTP/1.1\r\nX: a\u{01}b\r\n\r\n", "control"),
            ("HTTP/1.1 999 Nope\r\n\r\n", "range"),
            ("HTTP/1.1 2x0 OK\r\n\r\n", "digits"),
            ("GET / HTTP/1.1\r\nnocolon\r\n\r\n", "colon"),
        ]
        for (text, why) in cases {
            var p = HTTPStreamParser()
            let out = p.feed(Array(text.utf8), time: 1)
            guard case let .invalid(reason)? = out.first else {
                Issue.record("accepted: \(text.debugDescription)")
                continue
            }
            #expect(reason.contains(why), "\(text.debugDescription): \(reason)")
            // The parser recovers at the next read.
            #expect(messages(p.feed(Self.response, time: 2)).count == 1)
        }
    }

    @Test func chunkSizesThatOverflowAreRejected() {
        var p = HTTPStreamParser()
        let out = p.feed(Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n".utf8), time: 1)
        #expect(out.contains { if case .invalid = $0 { true } else { false } })
    }

    @Test func anEndlessHeadStaysBounded() {
        var p = HTTPStreamParser(maxHeadBytes: 8192)
        var outputs: [HTTPStreamParser.Output] = p.feed(Array("GET / HTTP/1.1\r\n".utf8), time: 0)
        let line = Array("X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n".utf8)
        for i in 0..<1000 { outputs += p.feed(line, time: UInt64(i)) }
        #expect(outputs.contains { if case let .invalid(r) = $0 { r.contains("longer than 8192") } else { false } })
        #expect(messages(outputs).isEmpty)
    }

    @Test func binaryGarbageIsSkippedWithoutMessages() {
        var rng = SystemRandomNumberGenerator()
        var p = HTTPStreamParser()
        var tracker = HTTPConnectionTracker(maxConnections: 16)
        for i in 0..<2000 {
            let n = Int.random(in: 0...300, using: &rng)
            var bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if i % 7 == 0 { bytes = Array("GET ".utf8) + bytes }  // plausible starts, then garbage
            if i % 11 == 0 { bytes = Array("HTTP/1.1 ".utf8) + bytes }
            _ = p.feed(bytes, missing: Int.random(in: 0...3, using: &rng) == 0 ? n : 0, time: UInt64(i))
            let seg = HTTPSegment(tgid: 1, tid: 1, comm: "x", connection: UInt64(i % 40), tls: false, isWrite: i % 2 == 0, time: UInt64(i))
            _ = tracker.feed(seg, bytes: bytes)
        }
        #expect(tracker.connectionCount <= 16)
        // After garbage, a clean request still parses.
        var clean = HTTPStreamParser()
        #expect(messages(clean.feed(Self.request, time: 1)).count == 1)
    }

    @Test func trackerPairsPipelinedRequestsInOrder() {
        var t = HTTPConnectionTracker()
        func seg(_ write: Bool, _ time: UInt64) -> HTTPSegment {
            HTTPSegment(tgid: 7, tid: 7, comm: "svc", connection: 1, tls: false, isWrite: write, time: time)
        }
        let two = Array("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n".utf8)
        #expect(t.feed(seg(false, 100), bytes: two).isEmpty)  // a server reads two requests
        let r1 = Array("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx".utf8)
        let r2 = Array("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".utf8)
        let out = t.feed(seg(true, 300), bytes: r1 + r2)
        #expect(out.map(\.target) == ["/a", "/b"] && out.map(\.status) == [200, 404])
        #expect(out.allSatisfy { $0.role == .server && $0.latencyNanoseconds == 200 })
        // A response with no request is counted, not paired.
        #expect(t.feed(seg(true, 400), bytes: r1).isEmpty && t.stats.unmatched == 1)
    }

    @Test func routesCollapseIDsAndHonourTemplates() throws {
        let r = try RouteTemplates(templates: ["/api/{version}/items"])
        #expect(r.route(for: "/users/42") == "/users/{id}")
        #expect(r.route(for: "/users/42/posts/7?x=1") == "/users/{id}/posts/{id}")
        #expect(r.route(for: "/orders/3f2b8c1e-9d4a-4c2b-8a7e-1b2c3d4e5f60") == "/orders/{id}")
        #expect(r.route(for: "/blob/9f86d081884c7d659a2feaa0") == "/blob/{id}")
        #expect(r.route(for: "/api/v2/items") == "/api/{version}/items")
        #expect(r.route(for: "/static/app.js") == "/static/app.js")
        #expect(r.route(for: "http://host:8080/users/1") == "/users/{id}")
        #expect(throws: HTTPHeadParser.Failure.self) { try RouteTemplates(templates: ["users"]) }
    }

    @Test func redactionMasksCredentialsAndQueryValues() {
        #expect(HTTPRedaction.target("/a?token=abc&x=1&flag") == "/a?token=[REDACTED]&x=[REDACTED]&flag")
        let masked = String(decoding: HTTPRedaction.payload(Self.request), as: UTF8.self)
        #expect(masked.contains("Authorization: [REDACTED]\r\n") && !masked.contains("abc"))
        #expect(masked.contains("Host: example\r\n"))
    }

    @Test func base64AndHexDumpFormats() {
        #expect(SSLSniffFormat.base64(Array("".utf8)) == "")
        #expect(SSLSniffFormat.base64(Array("f".utf8)) == "Zg==")
        #expect(SSLSniffFormat.base64(Array("fo".utf8)) == "Zm8=")
        #expect(SSLSniffFormat.base64(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(SSLSniffFormat.hexDump(Array("GET /\r\n".utf8)) == "00000000  47 45 54 20 2f 0d 0a                              |GET /..|")
    }
}
