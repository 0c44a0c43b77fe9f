import BPF
import Foundation
import Glibc
import SwiftBPFTools
import Testing

/// http against real servers on loopback: the test server (Python) over plain TCP and over
/// TLS, curl as the client (keep-alive: several URLs on one connection), and a Python client
/// that splits a request into several writes and pipelines two requests. Requests, statuses
/// and sizes must match the server's own log; latencies must lie within the client's time.
@Suite(.serialized, .enabled(if: isRoot, "http needs root"),
       .enabled(if: TLSTestTools.available, "\(TLSTestTools.missing ?? "")"))
struct HTTPTests {
    /// Runs `client` (whose command name is `clientComm`) against a fresh server while tracing;
    /// returns the exchanges of the client's and the server's processes, and the server's log.
    /// Two tracers with filters in the kernel (the server's pid; the client's comm): on a shared
    /// machine, unfiltered tracing of every TCP socket can fill the ring buffer with others' traffic.
    func trace(tls: Bool, clientComm: String, expect count: Int, _ client: (Int) throws -> (pid: UInt32, status: Int32, stdout: String))
        throws -> (client: [HTTPExchange], server: [HTTPExchange], log: [[String]], run: (pid: UInt32, status: Int32, stdout: String), seconds: Double) {
        let dir = try TLSTestDirectory()
        let server = try TestServer(directory: dir, tls: tls, connections: 1)
        let serverSide = try HTTPTracer(options: .init(filter: ToolFilter(pid: server.pid), tls: tls, plain: !tls))
        defer { serverSide.stop() }
        let clientSide = try HTTPTracer(options: .init(filter: ToolFilter(comm: clientComm), tls: tls, plain: !tls))
        defer { clientSide.stop() }
        let started = Date()
        let run = try client(server.port)
        let seconds = Date().timeIntervalSince(started)
        server.waitForExit()
        var trackers = [HTTPConnectionTracker(), HTTPConnectionTracker()]
        var exchanges: [[HTTPExchange]] = [[], []]
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, exchanges[0].count < count || exchanges[1].count < count {
            for (i, (tracer, pid)) in [(clientSide, run.pid), (serverSide, server.pid)].enumerated() {
                _ = try tracer.poll(timeoutMilliseconds: 50) { e in
                    if e.task.tgid == pid { exchanges[i] += trackers[i].feed(e) }
                }
            }
        }
        return (exchanges[0], exchanges[1], dir.log(), run, seconds)
    }

    /// Checks the exchanges of one side against the server's log, in order.
    func check(_ exchanges: [HTTPExchange], _ log: [[String]], role: HTTPRole, tls: Bool, seconds: Double) {
        #expect(exchanges.count == log.count, "\(role): \(exchanges.count) exchanges, the server logged \(log.count)")
        for (e, l) in zip(exchanges, log) {
            #expect(e.role == role)
            #expect(e.tls == tls)
            #expect(e.method == l[0] && e.target == l[1] && "\(e.status)" == l[2])
            #expect("\(e.request.totalBytes)" == l[3], "request bytes of \(e.target)")
            #expect("\(e.response.totalBytes)" == l[4], "response bytes of \(e.target)")
            #expect(e.request.complete && e.response.complete)
            #expect(e.latencyNanoseconds > 0 && Double(e.latencyNanoseconds) < seconds * 1e9,
                    "latency \(e.latencyNanoseconds) ns outside the client's \(seconds) s")
        }
    }

    static let paths = ["/users/17", "/users/42?token=secret", "/bytes/20000", "/status/404", "/status/500"]

    func keepAlive(tls: Bool) throws {
        let scheme = tls ? "https" : "http"
        let result = try trace(tls: tls, clientComm: "curl", expect: Self.paths.count) { port in
            try runClient(TLSTestTools.curl!, ["-sk", "--http1.1", "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null",
                                               "-o", "/dev/null", "-w", "%{num_connects}\n"]
                          + Self.paths.map { "\(scheme)://127.0.0.1:\(port)\($0)" })
        }
        #expect(result.run.status == 0)
        // One connection for all five: keep-alive.
        #expect(result.run.stdout.split(separator: "\n").map(String.init) == ["1", "0", "0", "0", "0"])
        #expect(result.log.map { $0[1] } == Self.paths)
        check(result.client, result.log, role: .client, tls: tls, seconds: result.seconds)
        check(result.server, result.log, role: .server, tls: tls, seconds: result.seconds)
        #expect(result.client.first?.remote?.hasPrefix("127.0.0.1:") == true)

        // The summary per route: ids collapse, statuses group by class.
        var summary = HTTPSummary(routes: try RouteTemplates())
        for e in result.client { summary.add(e) }
        let rows = summary.rows
        #expect(rows.first { $0.key.route == "/users/{id}" && $0.key.statusClass == "2xx" }?.value.count == 2)
        #expect(rows.first { $0.key.route == "/status/{id}" && $0.key.statusClass == "4xx" }?.value.count == 1)
        #expect(rows.first { $0.key.route == "/status/{id}" && $0.key.statusClass == "5xx" }?.value.count == 1)
        #expect(rows.values.allSatisfy { $0.maxMicroseconds > 0 || $0.count > 0 })
    }

    @Test func plainKeepAliveRequestsMatchTheServersLog() throws { try keepAlive(tls: false) }

    @Test func tlsKeepAliveRequestsMatchTheServersLog() throws { try keepAlive(tls: true) }

    /// A request written in three pieces (with pauses), then two requests pipelined in one write.
    @Test func splitAndPipelinedRequests() throws {
        let script = """
            import socket, sys, time
            s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
            for part in [b"POST /sp", b"lit HTTP/1.1\\r\\nHost: x\\r\\nContent-Le", b"ngth: 11\\r\\n\\r\\nhello", b" world"]:
                s.sendall(part); time.sleep(0.05)
            def response():
                data = b""
                while b"\\r\\n\\r\\n" not in data: data += s.recv(65536)
                head, _, body = data.partition(b"\\r\\n\\r\\n")
                n = int([l.split(b":")[1] for l in head.split(b"\\r\\n") if l.lower().startswith(b"content-length")][0])
                while len(body) < n: body += s.recv(65536)
                return body[n:]
            response()
            s.sendall(b"GET /a HTTP/1.1\\r\\nHost: x\\r\\n\\r\\nHEAD /bytes/100 HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
            data = b""
            while data.count(b"HTTP/1.1") < 2: data += s.recv(65536)
            s.close()
            """
        let result = try trace(tls: false, clientComm: "python3", expect: 3) { port in
            try runClient(TLSTestTools.python!, ["-c", script, "\(port)"])
        }
        #expect(result.run.status == 0)
        #expect(result.log.map { $0[0] } == ["POST", "GET", "HEAD"])
        check(result.client, result.log, role: .client, tls: false, seconds: result.seconds)
        check(result.server, result.log, role: .server, tls: false, seconds: result.seconds)
        #expect(result.client.first?.request.bodyBytes == 11)
        #expect(result.client.last?.response.bodyBytes == 0)  // HEAD: no body
    }

    @Test func aProcessStartedAfterTheToolIsSeenOverTLS() throws {
        // curl starts after the tracer: the uprobes sit on libssl's file, not on a process.
        let result = try trace(tls: true, clientComm: "curl", expect: 1) { port in
            try runClient(TLSTestTools.curl!, ["-sk", "-o", "/dev/null", "https://127.0.0.1:\(port)/late"])
        }
        #expect(result.client.count == 1 && result.client.first?.target == "/late")
    }
}
