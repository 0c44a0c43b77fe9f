import Foundation
import Glibc

/// Headless Chromium (Debian's `chromium`) driven by the DevTools protocol over
/// `--remote-debugging-pipe`: commands and events are JSON messages ending in a NUL byte on
/// the browser's fds 3 (to it) and 4 (from it). No port, no WebSocket. Every read is bounded
/// by a deadline; `close()` ends the browser and every process it started (its own process
/// group, SIGKILL after 5 s).
///
/// The calls block on the pipe: an async test makes them through `CDPPage`'s async methods,
/// which run them off Swift's cooperative pool (`offPool`), because an agent under test in the
/// same process answers HTTP on that pool (two threads on a 2-core machine). One caller at a
/// time; the lock only keeps a stray second caller from interleaving messages.
final class CDPBrowser: @unchecked Sendable {
    private let lock = NSLock()
    let pid: pid_t
    private let toBrowser: Int32
    private let fromBrowser: Int32
    private var nextID = 1
    private var buffer: [UInt8] = []
    /// Events not yet consumed, in arrival order.
    private(set) var events: [[String: Any]] = []
    let profileDir: String
    let logPath: String

    /// The browser's executable, or nil (the caller skips, naming the missing package).
    static var executable: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first { access($0, X_OK) == 0 }
    }

    init() throws {
        guard let exe = Self.executable else { throw TestError("no chromium (Scripts/setup-host.sh installs Debian's chromium)") }
        profileDir = NSTemporaryDirectory() + "swiftbpf-cdp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: profileDir, withIntermediateDirectories: true)
        logPath = profileDir + ".log"
        var down: [Int32] = [0, 0], up: [Int32] = [0, 0]
        guard pipe(&down) == 0, pipe(&up) == 0 else { throw TestError("pipe: errno \(errno)") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, down[0], 3)
        posix_spawn_file_actions_adddup2(&actions, up[1], 4)
        // Nothing else of the test process goes to the browser: an inherited fd of the agent
        // under test (its listening socket, its BPF links) would outlive the agent's stop, and
        // connections to the stopped agent would hang in the listen backlog instead of failing.
        Self.closeFrom(5, in: &actions)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // A process group of its own: close() ends the renderer and GPU processes with it.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        let args = [exe, "--headless", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--no-default-browser-check", "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
                    "--disable-extensions", "--disable-background-networking", "--disable-component-update",
                    "--user-data-dir=" + profileDir, "about:blank"]
        var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, exe, &actions, &attributes, &argv, environ)
        Glibc.close(down[0])
        Glibc.close(up[1])
        guard rc == 0 else {
            Glibc.close(down[1]); Glibc.close(up[0])
            throw TestError("posix_spawn(\(exe)): \(rc)")
        }
        pid = child
        toBrowser = down[1]
        fromBrowser = up[0]
        _ = fcntl(fromBrowser, F_SETFL, fcntl(fromBrowser, F_GETFL) | O_NONBLOCK)
        // The browser answers once it is up.
        do {
            _ = try send("Browser.getVersion", timeout: 30)
        } catch {
            close()
            throw error
        }
    }

    /// Adds "close every fd from `first` on" to `actions`: glibc's
    /// posix_spawn_file_actions_addclosefrom_np (2.34+, not visible to Swift's Glibc module,
    /// so looked up), else a close action per fd open now.
    private static func closeFrom(_ first: Int32, in actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            let closeFrom = unsafeBitCast(symbol, to: CloseFrom.self)
            if closeFrom(&actions, first) == 0 { return }
        }
        for fd in first..<4096 where fcntl(fd, F_GETFD) >= 0 { posix_spawn_file_actions_addclose(&actions, fd) }
    }

    /// Sends a command and waits for its result; events arriving meanwhile are queued.
    @discardableResult
    func send(_ method: String, _ params: [String: Any] = [:], session: String? = nil, timeout: Double = 15) throws -> [String: Any] {
        lock.lock()
        defer { lock.unlock() }
        let id = nextID
        nextID += 1
        var message: [String: Any] = ["id": id, "method": method, "params": params]
        if let session { message["sessionId"] = session }
        var bytes = [UInt8](try JSONSerialization.data(withJSONObject: message))
        bytes.append(0)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(toBrowser, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw TestError("writing to the browser: errno \(errno)")
            }
            done += n
        }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            guard let m = try read(until: deadline) else { throw TestError("\(method): no answer from the browser within \(timeout) s") }
            if let mid = m["id"] as? Int, mid == id {
                if let error = m["error"] as? [String: Any] { throw TestError("\(method): \(error["message"] ?? error)") }
                return m["result"] as? [String: Any] ?? [:]
            }
            if m["method"] != nil { events.append(m) }
        }
    }

    /// Waits for an event (of `session` when given) matching `where`, consuming it.
    func waitEvent(_ method: String, session: String? = nil, timeout: Double,
                   where match: @escaping ([String: Any]) -> Bool = { _ in true }) throws -> [String: Any] {
        lock.lock()
        defer { lock.unlock() }
        let ok = { (m: [String: Any]) -> Bool in
            m["method"] as? String == method && (session == nil || m["sessionId"] as? String == session)
                && match(m["params"] as? [String: Any] ?? [:])
        }
        if let i = events.firstIndex(where: ok) { return events.remove(at: i) }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            guard let m = try read(until: deadline) else { throw TestError("no \(method) event within \(timeout) s") }
            if ok(m) { return m }
            if m["method"] != nil { events.append(m) }
        }
    }

    /// Reads what has arrived without waiting (events go to the queue).
    func drain() throws {
        lock.lock()
        defer { lock.unlock() }
        while let m = try read(until: Date()) { if m["method"] != nil { events.append(m) } }
    }

    /// The next message, or nil when the deadline passes first.
    private func read(until deadline: Date) throws -> [String: Any]? {
        while true {
            if let zero = buffer.firstIndex(of: 0) {
                let data = Data(buffer[..<zero])
                buffer.removeSubrange(...zero)
                return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
            }
            let left = deadline.timeIntervalSinceNow
            var p = pollfd(fd: fromBrowser, events: Int16(POLLIN), revents: 0)
            let r = poll(&p, 1, Int32(max(0, min(left, 60)) * 1000))
            if r < 0 && errno == EINTR { continue }
            if r == 0 { return nil }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fromBrowser, $0.baseAddress, $0.count) }
            if n > 0 {
                buffer += chunk[..<n]
            } else if n == 0 {
                throw TestError("the browser closed its DevTools pipe (log: \(logTail))")
            } else if errno != EAGAIN && errno != EINTR {
                throw TestError("reading from the browser: errno \(errno)")
            }
        }
    }

    var logTail: String { String(((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").suffix(600)) }

    /// Ends the browser (Browser.close, then SIGKILL to its process group after 5 s; the group
    /// is killed in any case, so no renderer outlives the test) and removes its profile directory.
    func close() {
        _ = try? send("Browser.close", timeout: 3)
        let deadline = Date().addingTimeInterval(5)
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline {
                kill(-pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                break
            }
            usleep(50_000)
        }
        kill(-pid, SIGKILL)
        Glibc.close(toBrowser)
        Glibc.close(fromBrowser)
        try? FileManager.default.removeItem(atPath: profileDir)
        try? FileManager.default.removeItem(atPath: logPath)
    }
}
