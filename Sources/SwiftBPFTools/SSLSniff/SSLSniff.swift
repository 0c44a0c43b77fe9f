import BPF
import Glibc

/// sslsniff: the plaintext of every TLS read and write, from uprobes on the TLS libraries'
/// functions (`swiftbpf_payload.h`): OpenSSL 1.1/3 `SSL_read`, `SSL_write`, `SSL_read_ex`,
/// `SSL_write_ex`, `SSL_do_handshake`; GnuTLS `gnutls_record_recv`, `gnutls_record_send`,
/// `gnutls_handshake`. The probes go on the library files, so every process that maps them is
/// seen, including those started later. Filters (`-p`, `--comm`, `--uid`, `--cgroup`) run in
/// the kernel at the function's entry.
public final class SSLSniff: Sendable {
    public struct Options: Sendable {
        public var filter: ToolFilter
        /// The most bytes captured per call (1...`SSLSniff.maximumCaptureBytes`); longer
        /// payloads are cut and marked truncated.
        public var maxBytes: UInt32
        /// Extra files to probe: shared TLS libraries, or programs that link one statically.
        public var binaries: [String]
        /// With a pid filter: probe only that process's libraries (else also the system's).
        public var ringBufferSize: UInt32?

        public init(filter: ToolFilter = ToolFilter(), maxBytes: UInt32 = SSLSniff.defaultCaptureBytes, binaries: [String] = [],
                    ringBufferSize: UInt32? = nil) {
            self.filter = filter
            self.maxBytes = maxBytes
            self.binaries = binaries
            self.ringBufferSize = ringBufferSize
        }
    }

    /// The default of `--max-bytes`.
    public static let defaultCaptureBytes: UInt32 = 4096
    /// `PAYLOAD_MAX` of `swiftbpf_payload.h`: what one event can carry.
    public static let maximumCaptureBytes: UInt32 = 16384

    public let session: ToolSession
    /// The uprobes, per library.
    public let probes: TLSProbes
    let bindings: SslsniffObject

    /// Loads the programs, attaches the syscall tracepoints (which tell each TLS call's fd) and
    /// the uprobes to every TLS library found (`TLSLibraryFinder`: the process's own with
    /// `-p`, else the system's and every running process's) and to `options.binaries`.
    /// - Throws: `.invalidArgument` for a bad option, `.missing` when no TLS library is found.
    public init(options: Options = Options()) throws(BPFError) {
        try Self.validate(maxBytes: options.maxBytes)
        var config = SslsniffObject.Config()
        try options.filter.apply(to: &config)
        config.payloadMaxBytes = options.maxBytes
        config.payloadSelfTgid = UInt32(getpid())
        config.maxEntries.toolEvents = options.ringBufferSize
        let bindings = try SslsniffObject.load(config: config)
        try options.filter.bind(cgroupArray: bindings.toolCgroup)
        self.bindings = bindings
        probes = TLSProbes(bindings)
        session = try ToolSession(object: bindings.object, events: bindings.toolEvents.map, dropped: bindings.toolDropped,
                                  attach: { () throws(BPFError) in
            try [bindings.noteRead, bindings.noteWrite, bindings.noteSendto, bindings.noteRecvfrom, bindings.noteSendmsg,
                 bindings.noteRecvmsg].map { (p) throws(BPFError) in try p.attach() }
        })
        try Self.attachLibraries(probes, pid: options.filter.pid, binaries: options.binaries)
    }

    static func validate(maxBytes: UInt32) throws(BPFError) {
        guard maxBytes >= 1, maxBytes <= maximumCaptureBytes else {
            throw .invalidArgument("--max-bytes must be 1 to \(maximumCaptureBytes) (what one event carries), got \(maxBytes)")
        }
    }

    /// Attaches `probes` to the TLS libraries of process `pid` (or the system's and every
    /// running process's) and to `binaries`. Shared with `HTTPTracer`.
    static func attachLibraries(_ probes: TLSProbes, pid: UInt32?, binaries: [String]) throws(BPFError) {
        var libraries: [TLSLibrary] = []
        for path in binaries {
            let resolved = try BinaryPathResolver.system.resolve(path)
            if let name = resolved.split(separator: "/").last, let kind = TLSLibraryFinder.kind(ofLibraryNamed: name) {
                libraries.append(TLSLibrary(path: resolved, kind: kind, isStatic: false))
            } else if let kind = TLSLibraryFinder.staticKind(of: resolved, maxStaticScanBytes: .max) {
                libraries.append(TLSLibrary(path: resolved, kind: kind, isStatic: true))
            } else {
                throw .missing("\(resolved) defines neither SSL_write (OpenSSL) nor gnutls_record_send (GnuTLS)")
            }
        }
        for library in libraries { try probes.attach(library) }
        if let pid {
            guard Syscalls.exists("/proc/\(pid)") else { throw .missing("process \(pid): no such process") }
            _ = probes.followNewProcesses(only: Int32(bitPattern: pid))
        } else {
            _ = probes.attach(TLSLibraryFinder.systemLibraries())
            _ = probes.followNewProcesses()
        }
        guard !probes.attachments.isEmpty else {
            throw .missing("no TLS library found to probe" + (pid.map { " in process \($0)" } ?? "")
                + " (looked for libssl.so*, libgnutls.so* and statically linked SSL_write/gnutls_record_send); name one with --binary")
        }
    }

    /// Waits up to `timeoutMilliseconds` for events and hands each to `body`.
    public func poll(timeoutMilliseconds: Int32, _ body: (PayloadEvent) -> Void) throws(BPFError) -> Int {
        try session.poll(timeoutMilliseconds: timeoutMilliseconds) { record in
            if let event = PayloadEvent(record: record) { body(event) }
        }
    }

    /// Hands every event already queued to `body`, without waiting.
    public func drain(_ body: (PayloadEvent) -> Void) -> Int {
        session.drain { record in
            if let event = PayloadEvent(record: record) { body(event) }
        }
    }

    /// Events lost because the ring buffer was full.
    public func droppedEvents() throws(BPFError) -> UInt64 { try session.droppedEvents() }

    /// Stops the reader and detaches the uprobes.
    public func stop() {
        session.stop()
        probes.close()
    }
}

extension SslsniffObject.Config: ToolFilterConfig {}
extension SslsniffObject.Config.MaxEntries: ToolMaxEntries {}
