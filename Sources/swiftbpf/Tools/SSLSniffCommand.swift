import ArgumentParser
import BPF
import SwiftBPFTools

struct SSLSniffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sslsniff",
        abstract: "Print the plaintext of TLS reads and writes (OpenSSL, GnuTLS), from uprobes.",
        discussion: """
            One record per SSL_read/SSL_write (and _ex), gnutls_record_recv/send, and per handshake \
            (SSL_do_handshake, gnutls_handshake, with its latency): FUNC, TIME, COMM, PID, TID, LEN, \
            LAT(us) (the call's duration) and the connection (library object, fd and endpoints when \
            known), then the payload. The probes go on the library files (libssl.so*, libgnutls.so*, \
            found in ld.so.cache and in every process's maps; with -p, that process's own, and its \
            program if it links OpenSSL statically), so processes started later are seen too. \
            Filters run in the kernel. The payload is captured up to --max-bytes per call and marked \
            when cut. It is printed as it is: it can hold passwords, cookies and tokens (--redact masks \
            credential headers). JSON fields: time, function, direction, library, pid, tgid, ppid, uid, \
            comm, cgroup_id, len, captured, truncated, latency_ns, conn, ret, fd, local, remote, data \
            (base64).
            """
    )

    @OptionGroup var common: ToolOptions

    @Option(name: .customLong("max-bytes"), help: "Bytes of payload captured per call (1 to 16384).")
    var maxBytes: UInt32 = SSLSniff.defaultCaptureBytes

    @Flag(name: [.customShort("x"), .long], help: "Print the payload as a hex dump.")
    var hex = false

    @Flag(name: .customLong("no-data"), help: "Print only the header line of each call.")
    var noData = false

    @Flag(help: "Mask the values of credential headers (Authorization, Cookie, Set-Cookie, ...) in the payload.")
    var redact = false

    @Option(name: .customLong("binary"), help: "Also probe this file: a TLS library, or a program that links one statically (repeatable).")
    var binaries: [String] = []

    func validate() throws {
        if maxBytes < 1 || maxBytes > SSLSniff.maximumCaptureBytes {
            throw ValidationError("--max-bytes must be 1 to \(SSLSniff.maximumCaptureBytes), got \(maxBytes)")
        }
    }

    func run() throws {
        installStopHandlers()
        let sniff = try SSLSniff(options: .init(filter: common.filter, maxBytes: maxBytes, binaries: binaries,
                                                ringBufferSize: common.ringBufferSize))
        for a in sniff.probes.attachments { Output.error("sslsniff: probing \(a.library) [\(a.functions.joined(separator: ", "))]") }
        let payload: SSLSniffFormat.Payload = noData ? .none : hex ? .hex : .text
        let json = common.json
        let redact = redact
        try TLSEventLoop.run(sniff.session, probes: sniff.probes, tool: "sslsniff", options: common,
                             header: SSLSniffFormat.header()) { event, seconds in
            json ? SSLSniffFormat.json(event, seconds: seconds, redact: redact)
                : SSLSniffFormat.text(event, seconds: seconds, payload: payload, redact: redact)
        }
        sniff.probes.close()
    }
}

/// The loop of sslsniff and http's stream: events until Ctrl-C or --duration, losses reported
/// as they happen, and new processes looked at every `followSeconds` (libraries they map that
/// are not probed yet get probed).
enum TLSEventLoop {
    static let followSeconds = 2.0

    static func run(_ session: ToolSession, probes: TLSProbes, tool: String, options: ToolOptions, header: String?,
                    follow: Bool = true, tick: (() -> Void)? = nil, _ handle: (PayloadEvent, Double) -> String?) throws {
        let start = MonotonicClock.seconds()
        if let header, !options.json {
            print(header)
            Output.flush()
        }
        let emit = { (record: UnsafeRawBufferPointer) in
            guard let event = PayloadEvent(record: record) else { return }
            if let line = handle(event, MonotonicClock.seconds() - start) { print(line) }
        }
        var losses = LossReporter(tool: tool, json: options.json, start: start)
        var lastFollow = start
        while !stopRequested.load(ordering: .relaxed) {
            let now = MonotonicClock.seconds()
            if let d = options.duration, now - start >= d { break }
            let count = try session.poll(timeoutMilliseconds: 200, emit)
            try losses.check(session)
            tick?()
            if follow, now - lastFollow >= followSeconds {
                lastFollow = now
                for a in probes.followNewProcesses(only: options.pid.map { Int32(bitPattern: $0) }) {
                    Output.error("\(tool): probing \(a.library) [\(a.functions.joined(separator: ", "))]")
                }
            }
            guard count > 0 else { continue }
            Output.flush()
            if count < EventLoop.coalesceBelowRecords { Sleep.milliseconds(EventLoop.coalesceMilliseconds) }
        }
        _ = session.drain(emit)
        Output.flush()
        session.stop()
        try EventLoop.reportDrops(session, tool: tool, json: options.json)
    }
}
