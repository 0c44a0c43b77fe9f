import Foundation
import Glibc
import Testing

/// Collects a child's output and its exit with a deadline, for tests that start a `swiftbpf`
/// tool, signal it, and wait for it to end: a tool that does not end is killed and the test
/// records an issue naming it, instead of hanging the run (CI runs every suite in one process).
enum BoundedExit {
    /// Reads `output` (when given) to its end while waiting for `process` to exit, for at most
    /// `seconds`. Returns what was read. A process still running at the deadline is killed
    /// (SIGKILL) and an issue says `what` did not end.
    @discardableResult
    static func collect(_ process: Process, output: Pipe? = nil, within seconds: Double = 30, _ what: String,
                        sourceLocation: SourceLocation = #_sourceLocation) -> String {
        var data = Data()
        let deadline = Date().addingTimeInterval(seconds)
        let fd = output?.fileHandleForReading.fileDescriptor
        var open = fd != nil
        var exitedAt: Date?
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while Date() < deadline {
            if !process.isRunning {
                exitedAt = exitedAt ?? Date()
                // Output still open two seconds after the exit: a grandchild holds the pipe.
                if !open || Date().timeIntervalSince(exitedAt!) > 2 { break }
            }
            if let fd, open {
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                if poll(&pfd, 1, 50) > 0 {
                    let n = read(fd, &buffer, buffer.count)
                    if n > 0 { data.append(contentsOf: buffer[0..<n]) } else { open = false }
                }
            } else {
                usleep(20_000)
            }
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("\(what) did not end within \(Int(seconds)) s and was killed", sourceLocation: sourceLocation)
        }
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
