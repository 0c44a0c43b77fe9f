import BPF
import Foundation
import Glibc
import Testing

/// A TCP congestion control written in BPF (bpf/swb_cc.h), registered through struct_ops and
/// carrying a loopback TCP connection; the same object registered by bpftool (libbpf) as a
/// differential check. Every registration is undone on every path (deferred close/unregister).
@Suite(.serialized, .enabled(if: isRoot && TCPCongestion.kernelTakesBPF, TCPCongestion.skipReason))
struct StructOpsTests {
    @Test func linkRegistersCarriesAConnectionAndUnregistersOnClose() throws {
        let object = try BPFObject(ObjectSpec(bytes: EmbeddedObjects.swbCc.bytes, name: "swb_cc"))
        let ops = try object.structOpsMap("swb_cc")
        #expect(ops.spec.isLink && ops.spec.typeName == "tcp_congestion_ops")
        #expect(ops.map.type == .structOps)
        #expect(!TCPCongestion.available().contains("swb_cc"))

        let link = try object.attachStructOps("swb_cc")
        defer { link.close() }
        #expect(try link.info().typeName == "struct_ops")
        #expect(TCPCongestion.available().contains("swb_cc"))

        let (sent, received, algorithm) = try TCPCongestion.exchange(algorithm: "swb_cc", bytes: 4 << 20)
        #expect(sent == 4 << 20 && received == sent)
        #expect(algorithm == "swb_cc")
        #expect(try object.global("init_calls", as: UInt64.self) > 0)
        #expect(try object.global("cong_avoid_calls", as: UInt64.self) > 0)

        link.close()
        #expect(TCPCongestion.waitUntilGone("swb_cc"))
        withExtendedLifetime(object) {}
    }

    @Test func attachAllRegistersStructOpsMaps() throws {
        let object = try BPFObject(ObjectSpec(bytes: EmbeddedObjects.swbCc.bytes, name: "swb_cc"))
        var links = try object.attachAll()
        defer { links.forEach { $0.close() } }
        #expect(links.count == 1)
        #expect(TCPCongestion.available().contains("swb_cc"))
        links.forEach { $0.close() }
        links = []
        #expect(TCPCongestion.waitUntilGone("swb_cc"))
    }

    @Test func plainStructOpsRegistersByUpdateAndUnregistersByDelete() throws {
        let object = try BPFObject(ObjectSpec(bytes: EmbeddedObjects.swbCcPlain.bytes, name: "swb_cc_plain"))
        #expect(try !object.structOpsMap("swb_cc_plain").spec.isLink)
        let registration = try object.attachStructOps("swb_cc_plain")
        defer { registration.close() }
        #expect(TCPCongestion.available().contains("swb_cc_plain"))

        let (sent, received, algorithm) = try TCPCongestion.exchange(algorithm: "swb_cc_plain", bytes: 1 << 20)
        #expect(received == sent && algorithm == "swb_cc_plain")
        #expect(try object.global("cong_avoid_calls", as: UInt64.self) > 0)

        // bpftool (libbpf) sees SwiftBPF's registration as a tcp_congestion_ops struct_ops map.
        if let bpftool = Bpftool.path {
            let shown = try Command.run(bpftool, ["struct_ops", "show", "name", "swb_cc_plain"])
            #expect(shown.status == 0 && shown.stdout.contains("tcp_congestion_ops"), "bpftool: \(shown.stdout) \(shown.stderr)")
        }
        registration.close()
        #expect(TCPCongestion.waitUntilGone("swb_cc_plain"))
    }

    /// bpftool 7.1 here carries libbpf 1.1, which predates `.struct_ops.link`: the differential
    /// check uses the plain `.struct_ops` object, which both register.
    @Test(.enabled(if: Bpftool.path != nil, "needs bpftool (Scripts/setup-host.sh installs it)"))
    func bpftoolRegistersTheSameObject() throws {
        let file = try ObjectFile(EmbeddedObjects.swbCcPlain)
        let bpftool = try #require(Bpftool.path)
        let registered = try Command.run(bpftool, ["struct_ops", "register", file.path])
        defer { _ = try? Command.run(bpftool, ["struct_ops", "unregister", "name", "swb_cc_plain"]) }
        #expect(registered.status == 0, "bpftool: \(registered.stderr)")
        #expect(TCPCongestion.available().contains("swb_cc_plain"))
        let (sent, received, algorithm) = try TCPCongestion.exchange(algorithm: "swb_cc_plain", bytes: 1 << 20)
        #expect(received == sent && algorithm == "swb_cc_plain")
        let libbpfDump = try Self.normalizedDump(bpftool, "swb_cc_plain")

        let unregistered = try Command.run(bpftool, ["struct_ops", "unregister", "name", "swb_cc_plain"])
        #expect(unregistered.status == 0, "bpftool: \(unregistered.stderr)")
        #expect(TCPCongestion.waitUntilGone("swb_cc_plain"))

        // SwiftBPF registers the same file after libbpf has let it go.
        let object = try BPFObject(path: file.path)
        let registration = try object.attachStructOps("swb_cc_plain")
        defer { registration.close() }
        #expect(TCPCongestion.available().contains("swb_cc_plain"))
        // The kernel holds the same map (sizes, flags, value type) and the same value: every
        // member of the kernel's tcp_congestion_ops, with the same programs in the same slots.
        let swiftDump = try Self.normalizedDump(bpftool, "swb_cc_plain")
        #expect(swiftDump == libbpfDump)
        #expect(swiftDump.contains("swb_cong_avoid/prog_id:N") && swiftDump.contains("\"name\": \"swb_cc_plain\""))
        registration.close()
        #expect(TCPCongestion.waitUntilGone("swb_cc_plain"))
    }

    /// This suite's maps and programs still in the kernel (by name, so that suites running in
    /// parallel, which open descriptors of their own, do not disturb the check).
    static func leftovers() throws -> [String] {
        let maps = try Map.allDetails().filter { $0.type == .structOps && $0.name.hasPrefix("swb_cc") }.map { "map \($0.name)" }
        let programs = try Program.allDetails().filter { ["swb_init", "swb_ssthresh", "swb_cong_avoid", "swb_undo_cwnd"].contains($0.name) }
        return maps + programs.map { "program \($0.name)" }
    }

    /// `leftovers()` once the kernel has had time to release them: a struct_ops map (and with
    /// it the programs in its value) is freed only after an RCU tasks grace period, which
    /// takes seconds here, although its id goes at once.
    static func leftoversAfterRelease() throws -> [String] {
        var left = try leftovers()
        for _ in 0..<150 where !left.isEmpty {
            usleep(100_000)
            left = try leftovers()
        }
        return left
    }

    /// `bpftool struct_ops dump name NAME` with the ids that differ between two loads (map,
    /// BTF and program ids) replaced by N.
    static func normalizedDump(_ bpftool: String, _ name: String) throws -> String {
        let r = try Command.run(bpftool, ["struct_ops", "dump", "name", name])
        guard r.status == 0 else { return "bpftool failed: \(r.stderr)" }
        return r.stdout
            .replacingOccurrences(of: #"prog_id:\d+"#, with: "prog_id:N", options: .regularExpression)
            .replacingOccurrences(of: #""(id|btf_id)": \d+"#, with: "\"$1\": N", options: .regularExpression)
    }

    @Test func secondRegistrationOfTheSameNameIsRefusedAndNothingStaysBehind() throws {
        do {
            let first = try BPFObject(ObjectSpec(bytes: EmbeddedObjects.swbCc.bytes, name: "swb_cc"))
            let second = try BPFObject(ObjectSpec(bytes: EmbeddedObjects.swbCc.bytes, name: "swb_cc"))
            let link = try first.attachStructOps("swb_cc")
            defer { link.close() }
            do {
                let again = try second.attachStructOps("swb_cc")
                again.close()
                Issue.record("a second 'swb_cc' was registered")
            } catch {
                guard case let .invalidArgument(why) = error else { throw error }
                #expect(why.contains("already has a 'tcp_congestion_ops' registered") && why.contains("swb_cc"))
            }
            #expect(TCPCongestion.available().filter { $0 == "swb_cc" }.count == 1)
        }
        #expect(TCPCongestion.waitUntilGone("swb_cc"))
        #expect(try Self.leftoversAfterRelease() == [])
    }

    @Test func kernelWithoutTheStructIsNamed() throws {
        var spec = try ObjectSpec(bytes: EmbeddedObjects.swbCc.bytes, name: "swb_cc")
        spec.structOpsMaps[0].typeName = "swb_no_such_ops"
        let error = loadError(spec)
        guard case let .notSupported(feature, reason)? = error else {
            Issue.record("expected notSupported, got \(String(describing: error))")
            return
        }
        #expect(feature.contains("swb_no_such_ops") && reason.contains("bpf_struct_ops_swb_no_such_ops"))
    }

    @Test func memberTheKernelLacksIsNamed() throws {
        let error = loadError(try ObjectSpec(bytes: EmbeddedObjects.swbCcExtra.bytes, name: "swb_cc_extra"))
        guard case let .notSupported(feature, reason)? = error else {
            Issue.record("expected notSupported, got \(String(describing: error))")
            return
        }
        #expect(feature.contains("swb_extra") && reason.contains("has no member 'swb_extra'") && reason.contains("swb_init"))
        #expect(!TCPCongestion.available().contains("swb_cc_extra"))
    }

    @Test func programNotLoadedIsNamed() throws {
        var options = LoadOptions()
        options.programs = ["swb_init", "swb_ssthresh", "swb_undo_cwnd"]
        let error = loadError(try ObjectSpec(bytes: EmbeddedObjects.swbCc.bytes, name: "swb_cc"), options: options)
        guard case let .missing(what)? = error else {
            Issue.record("expected missing, got \(String(describing: error))")
            return
        }
        #expect(what.contains("swb_cong_avoid") && what.contains("swb_cc"))
    }

    /// The error of a load that must fail, checking that it left nothing in the kernel.
    func loadError(_ spec: ObjectSpec, options: LoadOptions = LoadOptions()) -> BPFError? {
        defer { #expect((try? Self.leftoversAfterRelease()) == []) }
        do {
            let object = try BPFObject(spec, options: options)
            Issue.record("loaded unexpectedly: \(object.structOpsMaps.keys.sorted())")
            return nil
        } catch {
            return error
        }
    }
}

/// The kernel's TCP congestion controls, and a loopback connection that uses one.
enum TCPCongestion {
    static let availablePath = "/proc/sys/net/ipv4/tcp_available_congestion_control"

    /// Probed: the kernel BTF has the struct_ops wrapper of tcp_congestion_ops.
    static let kernelTakesBPF: Bool = (try? BTF.kernel().typeID(named: "bpf_struct_ops_tcp_congestion_ops", kind: .struct)) != nil
    static let skipReason: Comment = "needs root and a kernel whose BTF has struct bpf_struct_ops_tcp_congestion_ops (BPF TCP congestion controls)"

    static func available() -> [String] {
        ((try? String(contentsOfFile: availablePath, encoding: .utf8)) ?? "").split(whereSeparator: \.isWhitespace).map(String.init)
    }

    /// Unregistration is synchronous, but allow the kernel a moment before failing.
    static func waitUntilGone(_ name: String) -> Bool {
        for _ in 0..<100 {
            if !available().contains(name) { return true }
            usleep(20_000)
        }
        return false
    }

    /// Connects a client socket set to `algorithm` (`TCP_CONGESTION`) to a listener on
    /// 127.0.0.1, sends `bytes` and has the server read them all and answer with the count.
    /// Returns what was sent, what the server received, and the client's algorithm as
    /// `getsockopt(TCP_CONGESTION)` reports it.
    static func exchange(algorithm: String, bytes: Int) throws -> (sent: Int, received: Int, algorithm: String) {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(listener >= 0)
        defer { close(listener) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        try #require(withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, len) } } == 0)
        try #require(listen(listener, 1) == 0)
        try #require(withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &len) } } == 0)

        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(client >= 0)
        defer { close(client) }
        let set = algorithm.withCString { setsockopt(client, Int32(IPPROTO_TCP), TCP_CONGESTION, $0, socklen_t(strlen($0))) }
        try #require(set == 0, "setsockopt(TCP_CONGESTION, \(algorithm)): \(String(cString: strerror(errno)))")
        try #require(withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, len) } } == 0)
        let server = accept(listener, nil, nil)
        try #require(server >= 0)

        // The server reads to EOF on its own thread and answers with the byte count.
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            defer { close(server); done.signal() }
            var total = 0
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(server, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                total += n
            }
            var answer = UInt64(total)
            _ = withUnsafeBytes(of: &answer) { write(server, $0.baseAddress, 8) }
        }

        let chunk = [UInt8](repeating: 0x5a, count: 65536)
        var sent = 0
        while sent < bytes {
            let n = chunk.withUnsafeBytes { write(client, $0.baseAddress, min($0.count, bytes - sent)) }
            guard n > 0 else { break }
            sent += n
        }
        var name = [CChar](repeating: 0, count: 16)
        var nameLen = socklen_t(name.count)
        let got = getsockopt(client, Int32(IPPROTO_TCP), TCP_CONGESTION, &name, &nameLen)
        shutdown(client, Int32(SHUT_WR))
        var answer: UInt64 = 0
        var have = 0
        while have < 8 {
            let n = withUnsafeMutableBytes(of: &answer) { read(client, $0.baseAddress! + have, 8 - have) }
            if n <= 0 { break }
            have += n
        }
        done.wait()
        try #require(got == 0)
        return (sent, have == 8 ? Int(answer) : -1, String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
}
