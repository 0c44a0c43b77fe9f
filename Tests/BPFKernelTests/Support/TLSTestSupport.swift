import Foundation
import Glibc
import SwiftBPFTools

/// What the sslsniff and http tests run: Debian's openssl (certificates), curl (the client),
/// python3 (the server of `TLSHelpers/http_test_server.py`, and scripted clients).
enum TLSTestTools {
    static let openssl = Command.which("openssl")
    static let curl = Command.which("curl")
    /// Debian's python3 first (the pyenv shim is a shell script that execs another python).
    static let python: String? = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : Command.which("python3")
    static let serverScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TLSHelpers/http_test_server.py").path

    /// Nil when everything is there, else what is missing (the reason of a skip).
    static var missing: String? {
        var gone: [String] = []
        if openssl == nil { gone.append("openssl") }
        if curl == nil { gone.append("curl") }
        if python == nil { gone.append("python3") }
        if !FileManager.default.fileExists(atPath: serverScript) { gone.append(serverScript) }
        if (try? BinaryPathResolver.system.resolve("libssl.so.3")) == nil { gone.append("libssl.so.3") }
        return gone.isEmpty ? nil : "needs " + gone.joined(separator: ", ") + " (.ci/run installs openssl and curl)"
    }

    static var available: Bool { missing == nil }
}

import BPF

/// A temporary folder with a self-signed certificate for 127.0.0.1, removed on deinit.
final class TLSTestDirectory {
    let path: String
    var cert: String { path + "/cert.pem" }
    var key: String { path + "/key.pem" }

    init() throws {
        path = NSTemporaryDirectory() + "swiftbpf-tls-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let r = try Command.run(TLSTestTools.openssl!, [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert,
        ])
        guard r.status == 0 else { throw TLSTestError("openssl req failed: \(r.stderr)") }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func read(_ name: String) -> [UInt8] {
        (try? Data(contentsOf: URL(fileURLWithPath: path + "/" + name))).map { [UInt8]($0) } ?? []
    }

    /// The server's log lines: METHOD TARGET STATUS REQUEST_BYTES RESPONSE_BYTES.
    func log() -> [[String]] {
        String(decoding: read("log"), as: UTF8.self).split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
    }
}

struct TLSTestError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// A child process with its stdout readable line by line.
final class TestServer {
    let process = Process()
    let output = Pipe()
    let port: Int

    /// Starts the test server (TLS when `tls`) serving `connections` connections (0: until stopped).
    init(directory: TLSTestDirectory, tls: Bool, connections: Int = 0) throws {
        process.executableURL = URL(fileURLWithPath: TLSTestTools.python!)
        var args = [TLSTestTools.serverScript, "--outdir", directory.path, "--connections", "\(connections)"]
        if tls { args += ["--cert", directory.cert, "--key", directory.key] }
        process.arguments = args
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = [UInt8]()
        let handle = output.fileHandleForReading
        while true {
            let d = handle.readData(ofLength: 1)
            guard let c = d.first else { break }
            if c == 0x0A { break }
            line.append(c)
        }
        guard let p = Int(String(decoding: line, as: UTF8.self)) else {
            process.terminate()
            throw TLSTestError("the test server printed no port")
        }
        port = p
    }

    var pid: UInt32 { UInt32(process.processIdentifier) }

    func waitForExit() { process.waitUntilExit() }

    /// SIGKILL: a child of the test runner inherits its blocked signals, SIGTERM among them.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }
}

/// Runs a client to its end and returns its pid, status and stdout.
func runClient(_ path: String, _ args: [String]) throws -> (pid: UInt32, status: Int32, stdout: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = args
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    try p.run()
    let pid = UInt32(p.processIdentifier)
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (pid, p.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Collects events from `poll` until `done` says enough or `seconds` pass.
func collectPayloads(seconds: Double = 5, poll: ((PayloadEvent) -> Void) throws -> Int, until done: ([PayloadEvent]) -> Bool) throws -> [PayloadEvent] {
    var events: [PayloadEvent] = []
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        _ = try poll { events.append($0) }
        if done(events) { break }
    }
    // What is still queued.
    _ = try poll { events.append($0) }
    return events
}
