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
/// timed out instead of hanging the test. Each pipe has its own reader that appends what
/// arrives, so a large output cannot block the child, and a grandchild that keeps a pipe open
/// after the command ended (a daemon it started) cannot block the test: the readers get two
/// seconds after the exit, then the output read so far is the result.
enum TimedCommand {
    static func run(_ path: String, _ args: [String], timeout: Double = 20,
                    environment: [String: String]? = nil, input: String? = nil) throws -> TimedResult {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        if let environment { p.environment = environment }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let inPipe = input == nil ? nil : Pipe()
        p.standardInput = inPipe ?? FileHandle.nullDevice
        let collected = OutputCollector()
        let group = DispatchGroup()
        for (pipe, isError) in [(out, false), (err, true)] {
            group.enter()
            let reader = pipe.fileHandleForReading
            Thread.detachNewThread {
                while true {
                    let chunk = reader.availableData
                    if chunk.isEmpty { break }
                    collected.append(chunk, isError: isError)
                }
                group.leave()
            }
        }
        try p.run()
        if let input, let inPipe {
            // A writer thread: a child that does not read its input must not block us.
            Thread.detachNewThread {
                inPipe.fileHandleForWriting.write(Data(input.utf8))
                try? inPipe.fileHandleForWriting.close()
            }
        }
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
        _ = group.wait(timeout: .now() + 2)
        return TimedResult(status: p.terminationStatus, signaled: p.terminationReason == .uncaughtSignal,
                           timedOut: timedOut, stdout: collected.stdout, stderr: collected.stderr)
    }
}

private final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var out = Data(), err = Data()
    func append(_ data: Data, isError: Bool) {
        lock.lock()
        if isError { err.append(data) } else { out.append(data) }
        lock.unlock()
    }
    var stdout: String { lock.lock(); defer { lock.unlock() }; return String(decoding: out, as: UTF8.self) }
    var stderr: String { lock.lock(); defer { lock.unlock() }; return String(decoding: err, as: UTF8.self) }
}
