import ArgumentParser
import BPF
import ToolText

/// `swiftbpf http`.
public struct HTTPTool: EventTool {
    public static let configuration = CommandConfiguration(
        commandName: "http",
        abstract: "HTTP/1.x requests, responses and latencies of every process, without instrumentation.",
        discussion: """
            Parses HTTP/1.x from TLS plaintext (uprobes on OpenSSL and GnuTLS, as sslsniff) and from \
            plain TCP sockets (read, write, sendto, recvfrom, from syscall tracepoints). Stream mode \
            (default) prints one line per request/response: COMM, PID, ROLE (client or server, as \
            this process saw it), TLS, METHOD, STATUS, REQ_B and RESP_B (head and body bytes), LAT(ms) \
            (request's last byte to response's first byte), REMOTE and TARGET. --summary N prints every \
            N seconds, per (service, role, method, route, status class), the count, bytes and latency \
            percentiles (--histogram: log2 histograms). Routes collapse ids (/users/42 -> /users/{id}); \
            --template names routes. Keep-alive and pipelined requests are paired in order; a head \
            split across reads is reassembled (up to 32 KiB); bodies are counted, not copied. HTTP/2 \
            and HTTP/3 are not parsed, nor writev/sendmsg payloads on plain sockets. --redact is on: \
            query values and credential headers are masked (--no-redact shows them). JSON fields \
            (stream): comm, pid, tid, role, tls, method, target, route, status, request_bytes, \
            response_bytes, request_body_bytes, response_body_bytes, latency_ns, complete, local, \
            remote, [request_headers, response_headers with --headers]; (summary): service, role, \
            method, route, status_class, count, request_bytes, response_bytes, latency_us_p50, \
            latency_us_p99, latency_us_max, latency_us_sum, latency_us_hist.
            """
    )

    public struct Arguments: ToolArguments {
        @OptionGroup public var common: ToolOptions

        @Option(parsing: .unconditional, help: "Print a summary every this many seconds instead of a line per request.")
        public var summary: Double?

        @Flag(help: "With --summary: a latency histogram under each row.")
        public var histogram = false

        @Option(name: .customLong("template"), help: "A route template such as /users/{id}/posts (repeatable); matched before ids are collapsed.")
        public var templates: [String] = []

        @Flag(name: .customLong("no-collapse"), help: "Keep paths as they are instead of collapsing ids into {id}.")
        public var noCollapse = false

        @Flag(inversion: .prefixedNo, help: "Mask query values and credential headers (Authorization, Cookie, ...).")
        public var redact = true

        @Flag(help: "With --json: include the request and response headers.")
        public var headers = false

        @Flag(name: .customLong("no-tls"), help: "Do not probe TLS libraries.")
        public var noTLS = false

        @Flag(name: .customLong("no-plain"), help: "Do not trace plain TCP sockets.")
        public var noPlain = false

        @Option(name: .customLong("max-bytes"), help: "Bytes captured per read or write (1 to 16384): a message's head must fit.")
        public var maxBytes: UInt32 = HTTPTracer.defaultCaptureBytes

        @Option(name: .customLong("binary"), help: "Also probe this file for TLS: a program that links OpenSSL or GnuTLS statically (repeatable).")
        public var binaries: [String] = []

        public init() {}
        public var output: ToolOutputOptions { common.output }

        public func validate() throws {
            if maxBytes < 1 || maxBytes > SSLSniff.maximumCaptureBytes {
                throw ValidationError("--max-bytes must be 1 to \(SSLSniff.maximumCaptureBytes), got \(maxBytes)")
            }
            if let summary, !(summary > 0) { throw ValidationError("--summary must be a positive number of seconds, got \(summary)") }
            if noTLS && noPlain { throw ValidationError("--no-tls and --no-plain leave nothing to trace") }
            do { _ = try RouteTemplates(templates: templates) } catch { throw ValidationError(error.description) }
        }
    }

    let tracer: HTTPTracer
    let routes: RouteTemplates

    public init(arguments: Arguments) throws {
        let common = arguments.common
        routes = try RouteTemplates(templates: arguments.templates, collapseIDs: !arguments.noCollapse)
        tracer = try HTTPTracer(options: .init(filter: common.filter, maxBytes: arguments.maxBytes, tls: !arguments.noTLS,
                                               plain: !arguments.noPlain, binaries: arguments.binaries,
                                               ringBufferSize: common.ringBufferSize))
        if let problem = tracer.tlsProblem { Output.error("http: TLS not traced: \(problem)") }
        for a in tracer.probes.attachments { Output.error("http: probing \(a.library) [\(a.functions.joined(separator: ", "))]") }
    }

    public var session: ToolSession { tracer.session }
    public func decode(_ record: UnsafeRawBufferPointer) -> PayloadEvent? { PayloadEvent(record: record) }
    public func header() -> String? { HTTPFormat.header() }
    public func text(_ event: PayloadEvent, seconds: Double?) -> String { "" }
    public func json(_ event: PayloadEvent, seconds: Double?) -> String { "" }

    /// Payload events go through the connection tracker; exchanges print as they complete
    /// (stream) or add to the summary printed every --summary seconds.
    public func run(arguments: Arguments) throws {
        let output = arguments.output
        let json = output.json, redact = arguments.redact, showHeaders = arguments.headers
        let summaryInterval = arguments.summary, histogram = arguments.histogram
        var tracker = HTTPConnectionTracker()
        var report = HTTPSummary(routes: routes)
        let start = TimeText.monotonicSeconds()
        var lastSummary = start
        var lastExpire = start
        func render(_ exchanges: [HTTPExchange], _ seconds: Double) -> String? {
            if summaryInterval != nil {
                for e in exchanges { report.add(e) }
                return nil
            }
            let lines = exchanges.map { e in
                json ? HTTPFormat.json(e, route: routes.route(for: e.target), redact: redact, headers: showHeaders,
                                       seconds: output.timestamp ? seconds : nil)
                    : HTTPFormat.line(e, redact: redact)
            }
            return lines.isEmpty ? nil : lines.joined(separator: "\n")
        }
        func printSummary(_ now: Double) {
            if json {
                for l in report.jsonLines(time: now - start) { print(l) }
            } else {
                print("\n\(TimeText.seconds(now - start)) s: \(report.rows.values.reduce(0) { $0 + $1.count }) requests")
                print(report.table(histograms: histogram))
            }
            Output.flush()
            report.reset()
        }
        try TLSEventLoop.run(session, probes: tracer.probes, tool: Self.name, output: output, pid: arguments.common.pid,
                             header: summaryInterval == nil ? header() : nil, follow: !arguments.noTLS, tick: {
            let now = TimeText.monotonicSeconds()
            // Connections idle for 30 s are forgotten (a response running until the close ends there).
            if now - lastExpire >= 5 {
                lastExpire = now
                if let line = render(tracker.expire(before: UInt64(max(0, now - 30) * 1e9)), now - start) { print(line) }
            }
            if let summaryInterval, now - lastSummary >= summaryInterval {
                lastSummary = now
                printSummary(now)
            }
        }) { event, seconds in
            render(tracker.feed(event), seconds)
        }
        tracer.probes.close()
        if summaryInterval != nil { printSummary(TimeText.monotonicSeconds()) }
        let s = tracker.stats
        if s.invalid + s.unmatched + s.dropped > 0 {
            Output.error("http: \(s.invalid) heads not HTTP/1.x or cut, \(s.unmatched) responses without a request seen, \(s.dropped) requests without a response")
        }
    }
}
