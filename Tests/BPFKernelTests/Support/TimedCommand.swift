import Foundation
import Glibc

/// What a command run under a deadline did.
struct TimedResult {
    var status: Int32
    /// True when the process ended by a signal (a trap, a crash) rather than exiting.
    var signaled: Bool
    /// True when the deadline passed and the process had to be killed.
    var timedOut: Bool
    var stdout: String
    var stderr: String
}

/// Runs a command with a deadline: a command that hangs is killed (SIGKILL) and reported as
/// timed out instead of hanging the test. Output is collected by a reader per pipe, so a large
/// output cannot block the child.
enum TimedCommand {
    static func run(_ path: String, _ args: [String], timeout: Double = 20,
                    environment: [String: String]? = nil) throws -> TimedResult {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        if let environment { p.environment = environment }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        let collected = OutputCollector()
        let group = DispatchGroup()
        for (pipe, isError) in [(out, false), (err, true)] {
            group.enter()
            Thread.detachNewThread {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                collected.set(data, isError: isError)
                group.leave()
            }
        }
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while p.isRunning {
            if Date() >= deadline {
                timedOut = true
                kill(p.processIdentifier, SIGKILL)
                break
            }
            usleep(20_000)
        }
        p.waitUntilExit()
        group.wait()
        return TimedResult(status: p.terminationStatus, signaled: p.terminationReason == .uncaughtSignal,
                           timedOut: timedOut, stdout: collected.stdout, stderr: collected.stderr)
    }
}

private final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var out = Data(), err = Data()
    func set(_ data: Data, isError: Bool) {
        lock.lock()
        if isError { err = data } else { out = data }
        lock.unlock()
    }
    var stdout: String { lock.lock(); defer { lock.unlock() }; return String(decoding: out, as: UTF8.self) }
    var stderr: String { lock.lock(); defer { lock.unlock() }; return String(decoding: err, as: UTF8.self) }
}
