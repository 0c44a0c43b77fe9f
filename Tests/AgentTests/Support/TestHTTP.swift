import Foundation
import Glibc

/// A minimal HTTP/1.1 client over a loopback socket, for requests to the agent, Prometheus and
/// the live stream (read until a predicate holds or the timeout passes).
enum TestHTTP {
    struct Reply {
        var status: Int
        var body: String
    }

    /// A GET with every step bounded: connect and send (SO_SNDTIMEO), the reply (`timeout`).
    /// Runs off the cooperative pool (`offPool`).
    static func get(_ port: Int, _ path: String, headers: [String: String] = [:], host: String = "127.0.0.1",
                    timeout: Double = 10) async throws -> Reply {
        try await offPool { try getBlocking(port, path, headers: headers, host: host, timeout: timeout) }
    }

    static func getBlocking(_ port: Int, _ path: String, headers: [String: String] = [:], host: String = "127.0.0.1",
                            timeout: Double = 10) throws -> Reply {
        let raw = try exchange(port: port, host: host, request: request(path, headers: headers), timeout: timeout) { _ in false }
        return parse(raw)
    }

    /// Sends a GET and reads until `until` holds on what arrived (or `timeout`); for streams.
    static func stream(_ port: Int, _ path: String, headers: [String: String] = [:], timeout: Double,
                       until: @escaping @Sendable (String) -> Bool) async throws -> String {
        try await offPool {
            try exchange(port: port, host: "127.0.0.1", request: request(path, headers: headers), timeout: timeout, until: until)
        }
    }

    static func request(_ path: String, headers: [String: String]) -> String {
        var r = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        for (k, v) in headers { r += "\(k): \(v)\r\n" }
        return r + "\r\n"
    }

    static func exchange(port: Int, host: String, request: String, timeout: Double, until: (String) -> Bool) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestError("socket: errno \(errno)") }
        defer { close(fd) }
        // Reads wake every 200 ms to check the deadline; connect and send give up after 5 s
        // (on Linux SO_SNDTIMEO bounds a blocking connect too).
        var tv = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var sendTimeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &sendTimeout, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &addr.sin_addr)
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard rc == 0 else { throw TestError("connect to \(host):\(port): errno \(errno)") }
        let sent = request.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        guard sent == request.utf8.count else { throw TestError("send to \(host):\(port): errno \(errno)") }
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 {
                data.append(contentsOf: buffer[0..<n])
                if until(String(decoding: data, as: UTF8.self)) { break }
            } else if n == 0 {
                break
            } else if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
                break
            }
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func parse(_ raw: String) -> Reply {
        let status = raw.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
        guard let range = raw.range(of: "\r\n\r\n") else { return Reply(status: status, body: "") }
        var body = String(raw[range.upperBound...])
        if raw[..<range.lowerBound].lowercased().contains("transfer-encoding: chunked") { body = dechunk(body) }
        return Reply(status: status, body: body)
    }

    static func dechunk(_ s: String) -> String {
        var out = ""
        var rest = Substring(s)
        while let nl = rest.range(of: "\r\n"), let size = Int(rest[..<nl.lowerBound], radix: 16), size > 0 {
            let start = nl.upperBound
            let bytes = Array(rest[start...].utf8)
            out += String(decoding: bytes.prefix(size), as: UTF8.self)
            rest = Substring(String(decoding: bytes.dropFirst(size), as: UTF8.self)).dropFirst(2)
        }
        return out
    }
}

struct TestError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// A TCP port free on loopback now (bound and released).
func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = 0
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
    _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
    return Int(UInt16(bigEndian: addr.sin_port))
}

let isRoot = getuid() == 0

/// A temporary directory removed by `cleanup()`.
struct TempDir {
    let path: String
    init(_ name: String) {
        path = NSTemporaryDirectory() + "swiftbpf-agent-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

/// A copy of /bin/true under a unique name, so its execs (comm = the name) are the test's own.
struct MarkerBinary {
    let name: String
    let path: String
    init(in dir: TempDir) throws {
        name = "sbmk\(UInt32.random(in: 100_000...999_999))"
        path = dir.path + "/" + name
        try FileManager.default.copyItem(atPath: "/bin/true", toPath: path)
    }

    /// Runs it `count` times, waiting for each.
    func run(_ count: Int) throws {
        for _ in 0..<count {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: path)
            try p.run()
            try waitForExit(p, timeout: 10, "the marker binary \(name)")
        }
    }
}

/// A child process (a server the test starts), killed by `stop()`.
final class Child: @unchecked Sendable {
    let process = Process()
    let logPath: String

    init(_ executable: String, _ arguments: [String], log: String, environment: [String: String]? = nil) throws {
        logPath = log
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = FileHandle(forWritingAtPath: log)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, b in b } }
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

    /// Waits until `ready` holds (a server answers), at most `timeout`; fails at once, with
    /// the child's log, when the child exits first (a port taken, a permission refused).
    func waitReady(_ what: String, timeout: Double, _ ready: () async -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if await ready() { return }
            guard process.isRunning else {
                throw TestError("\(what) exited (status \(process.terminationStatus)) before it was ready: \(log.suffix(1500))")
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
        throw TestError("\(what) was not ready within \(timeout) s: \(log.suffix(1500))")
    }

    @discardableResult
    func stop(timeout: Double = 10) -> Int32 {
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                let killDeadline = Date().addingTimeInterval(5)
                while process.isRunning && Date() < killDeadline { Thread.sleep(forTimeInterval: 0.05) }
            }
        }
        return process.isRunning ? -1 : process.terminationStatus
    }
}

/// Finds an executable on PATH (or at one of `extra`).
func which(_ name: String, extra: [String] = []) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":").map(String.init) + extra {
        let p = dir.hasSuffix(name) ? dir : dir + "/" + name
        if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    return nil
}
