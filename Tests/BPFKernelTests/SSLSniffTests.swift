import BPF
import Foundation
import Glibc
import SwiftBPFTools
import Testing

/// sslsniff against real TLS on loopback: the test server (Python's ssl: OpenSSL 3's
/// SSL_read_ex/SSL_write_ex) and curl (SSL_read/SSL_write), both started after the tool, with a
/// certificate made here. The captured plaintext must equal, byte for byte, what the server
/// logged as received and sent.
@Suite(.serialized, .enabled(if: isRoot, "sslsniff needs root"),
       .enabled(if: TLSTestTools.available, "\(TLSTestTools.missing ?? "")"))
struct SSLSniffTests {
    /// Checks that `events` (one direction of one process, in order) carry `stream`: each
    /// event's bytes are the stream's bytes at its offset, and the lengths add up. Returns
    /// a description of the first mismatch.
    static func mismatch(_ events: [PayloadEvent], _ stream: [UInt8], maxBytes: Int) -> String? {
        var offset = 0
        for (i, e) in events.enumerated() {
            guard offset + e.length <= stream.count else { return "event \(i) ends past the stream (\(offset)+\(e.length) > \(stream.count))" }
            guard e.data.count == min(e.length, maxBytes) else { return "event \(i): \(e.data.count) bytes captured of \(e.length)" }
            guard e.data[...] == stream[offset..<offset + e.data.count] else { return "event \(i) at \(offset): bytes differ" }
            guard e.truncated == (e.length > maxBytes) else { return "event \(i): truncation mark wrong" }
            offset += e.length
        }
        return offset == stream.count ? nil : "the events carry \(offset) bytes, the stream has \(stream.count)"
    }

    /// One HTTPS request by curl for a body of `size` bytes; checks both processes, both ways.
    func exchange(size: Int, maxBytes: UInt32) throws {
        let sniff = try SSLSniff(options: .init(maxBytes: maxBytes, ringBufferSize: 8 << 20))
        defer { sniff.stop() }
        #expect(sniff.probes.attachments.contains { $0.library.kind == .openssl && $0.functions.contains("SSL_read_ex") })
        #if arch(x86_64)
        // Debian's libssl: the four read and write functions are seen through the two internal
        // functions they call (TLSShortcut), so the events below also check the callers' names.
        let system = sniff.probes.attachments.first { $0.library.kind == .openssl && !$0.library.isStatic }
        #expect(system?.shortcuts.count == 2, "\(sniff.probes.attachments.map { "\($0.library) \($0.functions) \($0.shortcuts)" })")
        #endif
        let dir = try TLSTestDirectory()
        let server = try TestServer(directory: dir, tls: true, connections: 1)
        let client = try runClient(TLSTestTools.curl!, ["-sk", "--http1.1", "-o", "/dev/null", "-w", "%{http_code}",
                                                        "https://127.0.0.1:\(server.port)/bytes/\(size)"])
        server.waitForExit()
        #expect(client.status == 0 && client.stdout == "200")
        let received = dir.read("received"), sent = dir.read("sent")
        #expect(sent.count > size)
        let pids: Set<UInt32> = [client.pid, server.pid]
        let events = try collectPayloads(poll: { try sniff.poll(timeoutMilliseconds: 100, $0) }) { events in
            events.filter { $0.task.tgid == client.pid && $0.direction == .read }.reduce(0) { $0 + $1.length } >= sent.count
        }.filter { pids.contains($0.task.tgid) }

        let curl = events.filter { $0.task.tgid == client.pid }
        let python = events.filter { $0.task.tgid == server.pid }
        let pythonComm = ((try? String(contentsOfFile: "/proc/\(server.pid)/comm", encoding: .utf8)) ?? "python3")
        #expect(curl.allSatisfy { $0.task.comm == "curl" })
        #expect(python.allSatisfy { $0.task.comm.hasPrefix("python3") }, "\(pythonComm)")
        let m = Int(maxBytes)
        // curl: SSL_write sends the request, SSL_read gets the response.
        let curlWrites = curl.filter { $0.direction == .write }, curlReads = curl.filter { $0.direction == .read }
        #expect(!curlWrites.isEmpty && curlWrites.allSatisfy { $0.function == "SSL_write" })
        #expect(curlReads.allSatisfy { $0.function == "SSL_read" })
        #expect(Self.mismatch(curlWrites, received, maxBytes: m) == nil, "\(Self.mismatch(curlWrites, received, maxBytes: m) ?? "")")
        #expect(Self.mismatch(curlReads, sent, maxBytes: m) == nil, "\(Self.mismatch(curlReads, sent, maxBytes: m) ?? "")")
        // The server: Python's ssl module calls SSL_read_ex/SSL_write_ex.
        let pyReads = python.filter { $0.direction == .read }, pyWrites = python.filter { $0.direction == .write }
        #expect(!pyReads.isEmpty && pyReads.allSatisfy { $0.function == "SSL_read_ex" })
        #expect(pyWrites.allSatisfy { $0.function == "SSL_write_ex" })
        #expect(Self.mismatch(pyReads, received, maxBytes: m) == nil, "\(Self.mismatch(pyReads, received, maxBytes: m) ?? "")")
        #expect(Self.mismatch(pyWrites, sent, maxBytes: m) == nil, "\(Self.mismatch(pyWrites, sent, maxBytes: m) ?? "")")
        // The handshakes, with their latency, and the socket behind curl's connection.
        let handshakes = curl.filter { $0.direction == .handshake }
        #expect(handshakes.contains { $0.returnValue == 1 && $0.latencyNanoseconds > 0 && $0.function == "SSL_do_handshake" })
        #expect(python.contains { $0.direction == .handshake && $0.returnValue == 1 })
        #expect(curlWrites.first?.remote?.description == "127.0.0.1:\(server.port)")
        #expect(pyWrites.first?.local?.description == "127.0.0.1:\(server.port)")
        #expect(curlReads.allSatisfy { $0.fd != nil && $0.latencyNanoseconds > 0 })
    }

    @Test func tenBytesBothWays() throws { try exchange(size: 10, maxBytes: 4096) }

    @Test func sixteenKiBBothWays() throws { try exchange(size: 16 * 1024, maxBytes: 16384) }

    @Test func oneMiBIsCutAndMarked() throws { try exchange(size: 1 << 20, maxBytes: 4096) }

    @Test func pidAndCommFiltersRunInTheKernel() throws {
        let dir = try TLSTestDirectory()
        let server = try TestServer(directory: dir, tls: true, connections: 2)
        // Only the server's process: curl's calls never reach the ring buffer.
        let sniff = try SSLSniff(options: .init(filter: ToolFilter(pid: server.pid)))
        defer { sniff.stop() }
        _ = try runClient(TLSTestTools.curl!, ["-sk", "-o", "/dev/null", "https://127.0.0.1:\(server.port)/bytes/5"])
        var events = try collectPayloads(seconds: 3, poll: { try sniff.poll(timeoutMilliseconds: 100, $0) }) { e in
            e.contains { $0.direction == .write }
        }
        #expect(!events.isEmpty)
        #expect(events.allSatisfy { $0.task.tgid == server.pid })
        sniff.stop()

        let byComm = try SSLSniff(options: .init(filter: ToolFilter(comm: "curl")))
        defer { byComm.stop() }
        _ = try runClient(TLSTestTools.curl!, ["-sk", "-o", "/dev/null", "https://127.0.0.1:\(server.port)/bytes/5"])
        events = try collectPayloads(seconds: 3, poll: { try byComm.poll(timeoutMilliseconds: 100, $0) }) { e in
            e.contains { $0.direction == .read }
        }
        #expect(!events.isEmpty)
        #expect(events.allSatisfy { $0.task.comm == "curl" })
        server.waitForExit()
    }

    @Test func badOptionsAreRejected() throws {
        #expect(throws: BPFError.self) { try SSLSniff(options: .init(maxBytes: 0)) }
        #expect(throws: BPFError.self) { try SSLSniff(options: .init(maxBytes: 20000)) }
        #expect(throws: BPFError.self) { try SSLSniff(options: .init(binaries: ["/bin/true"])) }
        #expect(throws: BPFError.self) { try SSLSniff(options: .init(filter: ToolFilter(pid: 4_000_000))) }
    }

    /// A C client linked with OpenSSL statically (libssl.a), found by its symbols.
    @Test(.enabled(if: StaticTLSClient.canBuild, "needs cc and Debian's libssl.a (libssl-dev)"))
    func staticallyLinkedClientIsFoundBySymbol() throws {
        let binary = try StaticTLSClient.build()
        defer { try? FileManager.default.removeItem(atPath: binary) }
        #expect(TLSLibraryFinder.staticKind(of: binary) == .openssl)
        let dir = try TLSTestDirectory()
        let server = try TestServer(directory: dir, tls: true, connections: 1)
        let sniff = try SSLSniff(options: .init(binaries: [binary]))
        defer { sniff.stop() }
        #expect(sniff.probes.attachments.contains { $0.library.isStatic && $0.library.path == binary })
        let run = try runClient(binary, ["127.0.0.1", "\(server.port)", "/bytes/33"])
        server.waitForExit()
        #expect(run.status == 0)
        let received = dir.read("received"), sent = dir.read("sent")
        let events = try collectPayloads(poll: { try sniff.poll(timeoutMilliseconds: 100, $0) }) { e in
            e.filter { $0.task.tgid == run.pid && $0.direction == .read }.reduce(0) { $0 + $1.length } >= sent.count
        }.filter { $0.task.tgid == run.pid }
        let writes = events.filter { $0.direction == .write }, reads = events.filter { $0.direction == .read }
        #expect(writes.allSatisfy { $0.function == "SSL_write" } && reads.allSatisfy { $0.function == "SSL_read" })
        #expect(Self.mismatch(writes, received, maxBytes: 4096) == nil)
        #expect(Self.mismatch(reads, sent, maxBytes: 4096) == nil)
    }
}

extension SSLSniffTests {
    /// A C client on GnuTLS (libgnutls.so.30): gnutls_record_send/recv and gnutls_handshake.
    @Test(.enabled(if: GnuTLSClient.canBuild, "needs cc and GnuTLS's headers (libgnutls28-dev)"))
    func gnutlsClientBothWays() throws {
        let binary = try GnuTLSClient.build()
        defer { try? FileManager.default.removeItem(atPath: binary) }
        let sniff = try SSLSniff(options: .init())
        defer { sniff.stop() }
        #expect(sniff.probes.attachments.contains { $0.library.kind == .gnutls })
        let dir = try TLSTestDirectory()
        let server = try TestServer(directory: dir, tls: true, connections: 1)
        let run = try runClient(binary, ["127.0.0.1", "\(server.port)", "/bytes/777"])
        server.waitForExit()
        #expect(run.status == 0)
        let received = dir.read("received"), sent = dir.read("sent")
        let events = try collectPayloads(poll: { try sniff.poll(timeoutMilliseconds: 100, $0) }) { e in
            e.filter { $0.task.tgid == run.pid && $0.direction == .read }.reduce(0) { $0 + $1.length } >= sent.count
        }.filter { $0.task.tgid == run.pid }
        let writes = events.filter { $0.direction == .write }, reads = events.filter { $0.direction == .read }
        #expect(!writes.isEmpty && writes.allSatisfy { $0.function == "gnutls_record_send" && $0.source == .gnutls })
        #expect(!reads.isEmpty && reads.allSatisfy { $0.function == "gnutls_record_recv" })
        #expect(Self.mismatch(writes, received, maxBytes: 4096) == nil, "\(Self.mismatch(writes, received, maxBytes: 4096) ?? "")")
        #expect(Self.mismatch(reads, sent, maxBytes: 4096) == nil, "\(Self.mismatch(reads, sent, maxBytes: 4096) ?? "")")
        #expect(events.contains { $0.direction == .handshake && $0.function == "gnutls_handshake" && $0.returnValue == 0 })
        #expect(writes.first?.remote?.description == "127.0.0.1:\(server.port)")
    }
}

/// `TLSHelpers/gnutls_client.c`, linked with -lgnutls.
enum GnuTLSClient {
    static let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("TLSHelpers/gnutls_client.c").path
    static var canBuild: Bool {
        Command.which("cc") != nil && FileManager.default.fileExists(atPath: "/usr/include/gnutls/gnutls.h")
            && FileManager.default.fileExists(atPath: source)
    }

    static func build() throws -> String {
        let out = NSTemporaryDirectory() + "swiftbpf-gnutls-client-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let r = try Command.run(Command.which("cc")!, ["-O1", "-g", "-o", out, source, "-lgnutls"])
        guard r.status == 0 else { throw TLSTestError("cc failed on gnutls_client.c: \(r.stderr)") }
        return out
    }
}

/// `TLSHelpers/tls_client.c` linked against libssl.a and libcrypto.a.
enum StaticTLSClient {
    static let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("TLSHelpers/tls_client.c").path
    static let archives = ["/usr/lib/x86_64-linux-gnu/libssl.a", "/usr/lib/x86_64-linux-gnu/libcrypto.a"]
    static var canBuild: Bool {
        Command.which("cc") != nil && archives.allSatisfy { FileManager.default.fileExists(atPath: $0) }
            && FileManager.default.fileExists(atPath: source)
    }

    static func build() throws -> String {
        let out = NSTemporaryDirectory() + "swiftbpf-tls-client-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let r = try Command.run(Command.which("cc")!, ["-O1", "-g", "-o", out, source] + archives + ["-lpthread", "-ldl"])
        guard r.status == 0 else { throw TLSTestError("cc failed on tls_client.c: \(r.stderr)") }
        return out
    }
}
