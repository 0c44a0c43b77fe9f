import Foundation
import Glibc
import Synchronization

// Every wait of the agent's tests goes through these helpers, each with a deadline and a
// failure naming what did not happen: CI runs the whole suite on a fresh machine under a time
// budget, where one wait without a bound stalls the run instead of failing one test.

/// Runs blocking work (a socket read, a child's exit) on a thread of its own, so that it
/// never holds one of the few threads of Swift's cooperative pool (two on a 2-core machine):
/// the agent under test answers its HTTP requests on that pool.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }
        thread.name = "test-blocking"
        thread.start()
    }
}

/// Awaits `body`, or throws after `seconds` naming `what`. The body is not awaited past the
/// deadline (it is cancelled and left to finish on its own), so a body that ignores
/// cancellation cannot hold the test.
func withDeadline<T: Sendable>(_ seconds: Double, _ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let once = ResumeOnce<T>()
    return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        once.set(continuation)
        let work = Task {
            let result: Result<T, any Error>
            do { result = .success(try await body()) } catch { result = .failure(error) }
            once.take()?.resume(with: result)
        }
        Task {
            try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            if let c = once.take() {
                work.cancel()
                c.resume(throwing: TestError("\(what): no result within \(seconds) s"))
            }
        }
    }
}

/// A continuation resumed by whichever of two tasks comes first.
final class ResumeOnce<T: Sendable>: Sendable {
    private let slot = Mutex<CheckedContinuation<T, any Error>?>(nil)
    func set(_ c: CheckedContinuation<T, any Error>) { slot.locked { $0 = c } }
    func take() -> CheckedContinuation<T, any Error>? { slot.locked { $0.take() } }
}

/// Polls `body` until it returns a value or `timeout` passes; sleeps without holding a thread.
func eventually<T>(timeout: Double, every: Double = 0.25, _ body: () async throws -> T?) async rethrows -> T? {
    let deadline = Date().addingTimeInterval(timeout)
    repeat {
        if let v = try await body() { return v }
        try? await Task.sleep(for: .milliseconds(Int(every * 1000)))
    } while Date() < deadline
    return nil
}

/// Waits until `process` exits, at most `timeout` seconds; past it the process is killed
/// (SIGKILL) and the error names `what`.
func waitForExit(_ process: Process, timeout: Double, _ what: String) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(10_000) }
    guard process.isRunning else { return }
    kill(process.processIdentifier, SIGKILL)
    let killDeadline = Date().addingTimeInterval(5)
    while process.isRunning && Date() < killDeadline { usleep(10_000) }
    throw TestError("\(what) did not exit within \(timeout) s (killed)")
}

/// Runs `/bin/sh -c command`, at most `timeout` seconds (then killed, status -1).
@discardableResult
func shell(_ command: String, timeout: Double = 60) -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", command]
    guard (try? p.run()) != nil else { return -1 }
    do { try waitForExit(p, timeout: timeout, "sh -c \(command)") } catch { return -1 }
    return p.terminationStatus
}

/// Runs a program and returns its standard output (through a file, never a pipe a
/// grandchild could keep open), at most `timeout` seconds; nil when it failed or timed out.
func output(of executable: String, _ arguments: [String], timeout: Double = 30) -> String? {
    let file = NSTemporaryDirectory() + "swiftbpf-agent-out-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    FileManager.default.createFile(atPath: file, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: file) }
    guard let handle = FileHandle(forWritingAtPath: file) else { return nil }
    defer { try? handle.close() }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    p.standardOutput = handle
    p.standardError = FileHandle.nullDevice
    guard (try? p.run()) != nil, (try? waitForExit(p, timeout: timeout, executable)) != nil, p.terminationStatus == 0 else { return nil }
    return try? String(contentsOfFile: file, encoding: .utf8)
}
