import ArgumentParser
import BPF
import Glibc
import ToolText

/// `swiftbpf sslsniff`.
public struct SSLSniffTool: EventTool {
    public static let configuration = CommandConfiguration(
        commandName: "sslsniff",
        abstract: "Print the plaintext of TLS reads and writes (OpenSSL, GnuTLS), from uprobes.",
        discussion: """
            One record per SSL_read/SSL_write (and _ex), gnutls_record_recv/send, and per handshake \
            (SSL_do_handshake, gnutls_handshake, with its latency): FUNC, TIME, COMM, PID, TID, LEN, \
            LAT(us) (the call's duration) and the connection (function, library object, fd and \
            endpoints when known), then the payload. The probes go on the library files (libssl.so*, \
            libgnutls.so*, from ld.so.cache and every process's maps, looked at again every 2 s), so \
            processes started later are seen too; with -p, that process's own libraries and its \
            program if it links OpenSSL statically; --binary names more. Filters run in the kernel. \
            The payload is captured up to --max-bytes per call and marked when cut. It is printed as it \
            is: it can hold passwords, cookies and tokens (--redact masks credential headers). JSON \
            fields: time, function, direction, library, pid, tgid, ppid, uid, comm, cgroup_id, len, \
            captured, truncated, latency_ns, conn, ret, fd, local, remote, data (base64).
            """
    )

    public struct Arguments: ToolArguments {
        @OptionGroup public var common: ToolOptions

        @Option(name: .customLong("max-bytes"), help: "Bytes of payload captured per call (1 to 16384).")
        public var maxBytes: UInt32 = SSLSniff.defaultCaptureBytes

        @Flag(name: [.customShort("x"), .long], help: "Print the payload as a hex dump.")
        public var hex = false

        @Flag(name: .customLong("no-data"), help: "Print only the header line of each call.")
        public var noData = false

        @Flag(help: "Mask the values of credential headers (Authorization, Cookie, Set-Cookie, ...) in the payload.")
        public var redact = false

        @Option(name: .customLong("binary"), help: "Also probe this file: a TLS library, or a program that links one statically (repeatable).")
        public var binaries: [String] = []

        public init() {}
        public var output: ToolOutputOptions { common.output }

        public func validate() throws {
            if maxBytes < 1 || maxBytes > SSLSniff.maximumCaptureBytes {
                throw ValidationError("--max-bytes must be 1 to \(SSLSniff.maximumCaptureBytes), got \(maxBytes)")
            }
        }
    }

    let sniff: SSLSniff
    let payload: SSLSniffFormat.Payload
    let redact: Bool
    let pid: UInt32?

    public init(arguments: Arguments) throws {
        let common = arguments.common
        sniff = try SSLSniff(options: .init(filter: common.filter, maxBytes: arguments.maxBytes, binaries: arguments.binaries,
                                            ringBufferSize: common.ringBufferSize))
        payload = arguments.noData ? .none : arguments.hex ? .hex : .text
        redact = arguments.redact
        pid = common.pid
        for a in sniff.probes.attachments { Output.error("sslsniff: probing \(a.library) [\(a.functions.joined(separator: ", "))]") }
    }

    public var session: ToolSession { sniff.session }
    public func decode(_ record: UnsafeRawBufferPointer) -> PayloadEvent? { PayloadEvent(record: record) }
    public func header() -> String? { SSLSniffFormat.header() }
    public func text(_ event: PayloadEvent, seconds: Double?) -> String {
        SSLSniffFormat.text(event, seconds: seconds ?? 0, payload: payload, redact: redact)
    }
    public func json(_ event: PayloadEvent, seconds: Double?) -> String {
        SSLSniffFormat.json(event, seconds: seconds ?? 0, redact: redact)
    }

    /// Text goes straight from each record into a stdio stream on fd 1 (`SSLSniffLines`, the
    /// same text as `text`; the loop's flush after each batch flushes every stream); JSON goes
    /// through `PayloadEvent`.
    public func run(arguments: Arguments) throws {
        // The TIME column is always there (BCC's sslsniff prints it too).
        let output = arguments.output
        if output.json {
            try TLSEventLoop.run(session, probes: sniff.probes, tool: Self.name, output: output, pid: pid,
                                 header: header()) { event, seconds in json(event, seconds: seconds) }
        } else {
            guard let out = fdopen(1, "w") else { throw CommandError("cannot open standard output") }
            setvbuf(out, nil, _IOFBF, 1 << 16)
            var lines = SSLSniffLines(payload: payload, redact: redact)
            try TLSEventLoop.runRecords(session, probes: sniff.probes, tool: Self.name, output: output, pid: pid,
                                        header: header()) { record, seconds in
                guard lines.append(record: record, seconds: seconds) else { return }
                lines.bytes.withUnsafeBytes { _ = fwrite_unlocked($0.baseAddress, 1, $0.count, out) }
                lines.bytes.removeAll(keepingCapacity: true)
            }
        }
        sniff.probes.close()
    }
}

/// The loop of sslsniff and http: events until Ctrl-C or --duration, losses reported as they
/// happen, and every `followSeconds` the processes started since are looked at (libraries they
/// map that are not probed yet get probed).
enum TLSEventLoop {
    static let followSeconds = 2.0

    static func run(_ session: ToolSession, probes: TLSProbes, tool: String, output: ToolOutputOptions, pid: UInt32?, header: String?,
                    follow: Bool = true, tick: () -> Void = {}, _ handle: (PayloadEvent, Double) -> String?) throws {
        try runRecords(session, probes: probes, tool: tool, output: output, pid: pid, header: header, follow: follow,
                       tick: tick) { record, seconds in
            guard let event = PayloadEvent(record: record) else { return }
            if let line = handle(event, seconds) { print(line) }
        }
    }

    /// `run` with each record as it lies in the ring, and its time in seconds since the start.
    static func runRecords(_ session: ToolSession, probes: TLSProbes, tool: String, output: ToolOutputOptions, pid: UInt32?,
                           header: String?, follow: Bool = true, tick: () -> Void = {},
                           _ handle: (UnsafeRawBufferPointer, Double) -> Void) throws {
        let start = TimeText.monotonicSeconds()
        if let header, !output.json {
            print(header)
            Output.flush()
        }
        // The time of the call (bpf_ktime_get_ns, CLOCK_MONOTONIC, at the start of every record's
        // tool_task), not of its reading: the reader takes records in batches (ReadPacing).
        let emit = { (record: UnsafeRawBufferPointer) in
            let stamp = record.count >= 8 ? Double(record.loadUnaligned(as: UInt64.self)) / 1e9 : 0
            handle(record, stamp > start ? stamp - start : TimeText.monotonicSeconds() - start)
        }
        var losses = LossReporter(tool: tool, json: output.json, start: start)
        var lastFollow = start
        while !stopRequested.load(ordering: .relaxed) {
            let now = TimeText.monotonicSeconds()
            if let d = output.duration, now - start >= d { break }
            let count = try session.poll(timeoutMilliseconds: 200, emit)
            try losses.check(session)
            tick()
            if follow, now - lastFollow >= followSeconds {
                lastFollow = now
                for a in probes.followNewProcesses(only: pid.map { Int32(bitPattern: $0) }) {
                    Output.error("\(tool): probing \(a.library) [\(a.functions.joined(separator: ", "))]")
                }
            }
            guard count > 0 else { continue }
            Output.flush()
            EventLoop.pacing.afterBatch(count)
        }
        _ = session.drain(emit)
        Output.flush()
        session.stop()
        try EventLoop.reportDrops(session, tool: tool, json: output.json)
    }
}
