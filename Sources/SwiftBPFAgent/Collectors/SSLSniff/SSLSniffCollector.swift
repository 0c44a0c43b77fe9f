import BPF
import Foundation
import Synchronization
import SwiftBPFTools

/// The `sslsniff` collector over `SSLSniff` (swiftbpf sslsniff): every TLS read, write and
/// handshake call of OpenSSL and GnuTLS (uprobes on the library files, so processes started
/// later are seen too) becomes a `tls_read`, `tls_write` or `tls_handshake` event, and the
/// plaintext bytes are counted per process, library and direction under the series cap.
/// Events carry no plaintext unless `max_bytes` asks for it (then credential headers are
/// masked unless `redact: false`): an always-on agent should not store passwords by default.
///
/// Options: `max_bytes` (plaintext kept per event, 0 to 16384, default 0), `redact` (default
/// true), `binaries` (more files to probe: programs that link a TLS library statically).
final class SSLSniffCollector: Collector {
    let name = "sslsniff"
    let config: CollectorConfig
    private let sniff: SSLSniff
    private let keepBytes: Int
    private let redact: Bool
    private let sink: any CollectorSink
    private let cgroups: CgroupLabels
    private let sampleCounter = Atomic<Int>(0)
    private let reader = ReaderThread(name: "sslsniff")

    init(config: CollectorConfig, sink: any CollectorSink, cgroups: CgroupLabels) throws {
        self.config = config
        self.sink = sink
        self.cgroups = cgroups
        keepBytes = try config.intOption(name, "max_bytes", in: 0...Int(SSLSniff.maximumCaptureBytes)) ?? 0
        redact = try config.boolOption(name, "redact") ?? true
        // The kernel copies at least one byte per call; with max_bytes 0 that byte is dropped here.
        sniff = try SSLSniff(options: .init(filter: ToolFilter(config), maxBytes: UInt32(max(1, keepBytes)),
                                            binaries: config.listOption("binaries")))
        reader.start { [self] reader in self.read(reader) }
    }

    /// The libraries probed, for the log.
    var libraries: [String] { sniff.probes.attachments.map { $0.library.description } }

    private func read(_ reader: ReaderThread) {
        let interval = Int64(config.intervalSeconds * 1e9)
        var nextFollow: Int64 = 0
        var events: [AgentEvent] = []
        var kept: [Bool] = []
        let sample = config.sample
        while reader.isRunning {
            events.removeAll(keepingCapacity: true)
            kept.removeAll(keepingCapacity: true)
            let offset = Clocks.monotonicToWallOffset()
            var records = 0
            do {
                records = try sniff.poll(timeoutMilliseconds: 250) { e in
                    count(e)
                    events.append(event(e, offset: offset))
                    kept.append(sample == 1 || sampleCounter.wrappingAdd(1, ordering: .relaxed).oldValue % sample == 0)
                }
            } catch {
                reader.end()
            }
            let now = Clocks.now(CLOCK_MONOTONIC)
            if now >= nextFollow {
                nextFollow = now + interval
                // Processes started since may map a TLS library not probed yet (containers).
                _ = sniff.probes.followNewProcesses()
                sink.gauge("swiftbpf_agent_tls_libraries_probed", [], Double(sniff.probes.attachments.count))
            }
            if !events.isEmpty { sink.deliver(events, kept: kept, from: name) }
            ReadPacing.agent.afterBatch(records)
        }
    }

    private func count(_ e: PayloadEvent) {
        switch e.direction {
        case .read, .write:
            guard e.length > 0 else { return }
            sink.count(family: "swiftbpf_agent_tls_bytes_total",
                       labels: [("comm", e.task.comm), ("library", e.source.name), ("direction", e.direction == .read ? "read" : "write")],
                       by: Int64(e.length))
        case .handshake:
            // SSL_do_handshake returns 1 when the handshake completed, gnutls_handshake 0; other
            // values are a non-blocking socket's "call again" or a failure.
            let done = e.source == .gnutls ? e.returnValue == 0 : e.returnValue == 1
            if done {
                sink.count(family: "swiftbpf_agent_tls_handshakes_total", labels: [("comm", e.task.comm), ("library", e.source.name)], by: 1)
            }
        }
    }

    private func event(_ e: PayloadEvent, offset: Int64) -> AgentEvent {
        let kind = switch e.direction {
        case .read: "tls_read"
        case .write: "tls_write"
        case .handshake: "tls_handshake"
        }
        var fields = [
            "function": e.function, "library": e.source.name, "len": "\(e.length)", "ret": "\(e.returnValue)",
            "latency_ns": "\(e.latencyNanoseconds)", "conn": "0x" + String(e.connection, radix: 16),
        ]
        if let fd = e.fd { fields["fd"] = "\(fd)" }
        if let l = e.local { fields["local"] = l.description }
        if let r = e.remote { fields["remote"] = r.description }
        if keepBytes > 0, e.direction != .handshake {
            let data = Array(e.data.prefix(keepBytes))
            fields["data"] = SSLSniffFormat.printable(redact ? HTTPRedaction.payload(data) : data)
            fields["truncated"] = "\(e.length > data.count)"
        }
        let t = e.task
        let time = t.timestampNanoseconds == 0 ? Clocks.wallNanoseconds() : Int64(t.timestampNanoseconds) + offset
        return AgentEvent(timeNanoseconds: time, kind: kind, collector: name, pid: t.tgid, ppid: t.ppid, uid: t.uid, comm: t.comm,
                          cgroupID: t.cgroupID, cgroup: cgroups.names(of: t.cgroupID).path, fields: fields)
    }

    func tick(now: Int64) {}

    func lostEvents() -> UInt64 { (try? sniff.droppedEvents()) ?? 0 }

    var programs: [(name: String, program: Program)] { sniff.session.namedPrograms }

    var maps: [String: Map] { sniff.session.object.maps }

    func stop() {
        reader.stop()
        sniff.stop()
    }
}
