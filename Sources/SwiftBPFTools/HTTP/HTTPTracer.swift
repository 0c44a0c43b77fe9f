import BPF
import Glibc

/// http: HTTP/1.x requests and responses without instrumentation. The bytes come from
/// `http.bpf.c`: TLS plaintext from uprobes on the TLS libraries (as sslsniff), and the
/// payload of read/write/sendto/recvfrom on plain TCP sockets from the syscall tracepoints.
/// They are parsed in user space (`HTTPConnectionTracker`).
public final class HTTPTracer: Sendable {
    public struct Options: Sendable {
        public var filter: ToolFilter
        /// The most bytes captured per call: the head of a message must fit for it to be parsed.
        public var maxBytes: UInt32
        /// Trace TLS plaintext (uprobes on the TLS libraries).
        public var tls: Bool
        /// Trace plain TCP sockets (syscall tracepoints).
        public var plain: Bool
        /// Extra files for the TLS uprobes (statically linked programs).
        public var binaries: [String]
        public var ringBufferSize: UInt32?

        public init(filter: ToolFilter = ToolFilter(), maxBytes: UInt32 = HTTPTracer.defaultCaptureBytes, tls: Bool = true, plain: Bool = true,
                    binaries: [String] = [], ringBufferSize: UInt32? = nil) {
            self.filter = filter
            self.maxBytes = maxBytes
            self.tls = tls
            self.plain = plain
            self.binaries = binaries
            self.ringBufferSize = ringBufferSize
        }
    }

    /// The default capture: enough for the heads of ordinary requests and responses; the
    /// bodies are counted by length, not copied.
    public static let defaultCaptureBytes: UInt32 = 4096

    public let session: ToolSession
    /// The TLS uprobes (empty with `tls` off).
    public let probes: TLSProbes
    let bindings: HttpObject

    /// Loads and attaches. With TLS on and no TLS library found, plain sockets are still traced
    /// (`tlsProblem` says why TLS is not); with plain off, that is an error.
    public init(options: Options = Options()) throws(BPFError) {
        guard options.tls || options.plain else { throw .invalidArgument("nothing to trace: both TLS and plain sockets are off") }
        try SSLSniff.validate(maxBytes: options.maxBytes)
        var config = HttpObject.Config()
        try options.filter.apply(to: &config)
        config.payloadMaxBytes = options.maxBytes
        config.payloadSelfTgid = UInt32(getpid())
        config.capturePlain = options.plain ? 1 : 0
        config.maxEntries.toolEvents = options.ringBufferSize
        let bindings = try HttpObject.load(config: config)
        try options.filter.bind(cgroupArray: bindings.toolCgroup)
        self.bindings = bindings
        probes = TLSProbes(bindings)
        // With plain off the syscall programs still run: they tell each TLS call its fd.
        session = try ToolSession(object: bindings.object, events: bindings.toolEvents.map, dropped: bindings.toolDropped,
                                  attach: { () throws(BPFError) in
            try [bindings.noteSendmsg, bindings.noteRecvmsg, bindings.enterRead, bindings.exitRead, bindings.enterRecvfrom,
                 bindings.exitRecvfrom, bindings.enterWrite, bindings.exitWrite, bindings.enterSendto, bindings.exitSendto]
                .map { (p) throws(BPFError) in try p.attach() }
        })
        var problem: String?
        if options.tls {
            do throws(BPFError) {
                try SSLSniff.attachLibraries(probes, pid: options.filter.pid, binaries: options.binaries)
            } catch {
                if !options.plain { throw error }
                problem = "\(error)"
            }
        }
        tlsProblem = problem
    }

    /// Why TLS traffic is not traced although asked for (no TLS library found), nil if it is.
    public let tlsProblem: String?

    /// Waits up to `timeoutMilliseconds` for payload events and hands each to `body`.
    public func poll(timeoutMilliseconds: Int32, _ body: (PayloadEvent) -> Void) throws(BPFError) -> Int {
        try session.poll(timeoutMilliseconds: timeoutMilliseconds) { record in
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

extension HTTPConnectionTracker {
    /// Feeds one payload event (handshakes carry no bytes and are skipped).
    public mutating func feed(_ event: PayloadEvent) -> [HTTPExchange] {
        guard event.direction != .handshake else { return [] }
        let segment = HTTPSegment(tgid: event.task.tgid, tid: event.task.pid, comm: event.task.comm, connection: event.connection,
                                  tls: event.source != .syscall, isWrite: event.direction == .write,
                                  time: event.task.timestampNanoseconds, local: event.local?.description, remote: event.remote?.description)
        return feed(segment, bytes: event.data, missing: max(0, event.length - event.data.count))
    }
}

extension HttpObject.Config: ToolFilterConfig {}
extension HttpObject.Config.MaxEntries: ToolMaxEntries {}
