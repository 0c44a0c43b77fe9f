import Foundation
import Glibc
import Testing

/// `swiftbpf tcplife` and `swiftbpf tcpaccept` as users run them, against connections the test makes.
@Suite(.serialized, .enabled(if: isRoot && CLI.path != nil, "needs root and the built swiftbpf binary"))
struct TCPCLITests {
    /// Starts `swiftbpf args`, then makes exchanges on `pair` until a line with `marker` is printed.
    func firstLine(_ args: [String], pair: LoopbackTCP, clientBytes: Int, serverBytes: Int, containing marker: String) throws -> (Process, String, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.path!)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = Pipe()
        try p.run()
        let reader = out.fileHandleForReading
        var text = ""
        // The tool needs a moment to load and attach: repeat the workload until it reports it.
        for _ in 0..<150 where !text.contains(marker) {   // up to 30 s (the VM under TCG on a busy host)
            _ = try pair.exchange(clientBytes: clientBytes, serverBytes: serverBytes)
            var pfd = pollfd(fd: reader.fileDescriptor, events: Int16(POLLIN), revents: 0)
            if poll(&pfd, 1, 200) > 0 { text += String(decoding: reader.availableData, as: UTF8.self) }
        }
        let line = text.split(separator: "\n").first { $0.contains(marker) }.map(String.init) ?? ""
        return (p, text, line)
    }

    @Test func tcplifeJSONWithExactBytesAndCleanStopOnSIGTERM() throws {
        let pair = try LoopbackTCP(v6: false)
        let me = getpid()
        let (p, text, line) = try firstLine(["tcplife", "--json", "--pid", String(me), "--lport", String(pair.port)], pair: pair,
                                            clientBytes: 777, serverBytes: 999, containing: "\"sport\":\(pair.port)")
        kill(p.processIdentifier, SIGTERM)
        BoundedExit.collect(p, "tcplife after SIGTERM")
        #expect(p.terminationStatus == 0)
        let event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "output: \(text)")
        #expect(event["family"] as? Int == 4)
        #expect(event["saddr"] as? String == "127.0.0.1")
        #expect(event["daddr"] as? String == "127.0.0.1")
        #expect(event["tx_bytes"] as? Int == 999 + 1)  // data and FIN
        #expect(event["rx_bytes"] as? Int == 777 + 1)
        #expect(event["tgid"] as? Int == Int(me))
        #expect(event["attributed"] as? Bool == true)
        #expect(event["duration_ms"] is Double)
        #expect(event["cgroup"] is String)
    }

    @Test func tcpacceptColumnsOverIPv6() throws {
        let pair = try LoopbackTCP(v6: true)
        let (p, text, line) = try firstLine(["tcpaccept", "--pid", String(getpid()), "-d", "3"], pair: pair,
                                            clientBytes: 1, serverBytes: 1, containing: " ::1 ")
        BoundedExit.collect(p, "tcpaccept -d 3")
        #expect(p.terminationStatus == 0)
        let header = text.split(separator: "\n").first.map(String.init) ?? ""
        #expect(header.split(separator: " ", omittingEmptySubsequences: true) == ["PID", "COMM", "IP", "RADDR", "RPORT", "LADDR", "LPORT"])
        let columns = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        #expect(columns.first == String(getpid()), "line: \(line)")
        #expect(columns.count >= 7)
        #expect(Array(columns.suffix(5)).first == "6")
        #expect(columns.suffix(4).first == "::1")  // RADDR
        #expect(columns.suffix(2).first == "::1")  // LADDR
        #expect(columns.last == String(pair.port))
    }
}
