import Foundation

/// Runs an external command (an oracle such as bpftool) and returns its output.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// A command that did not end within its deadline (it was killed).
struct CommandTimedOut: Error, CustomStringConvertible {
    var command: String
    var seconds: Double
    var stdout: String
    var stderr: String
    var description: String {
        "`\(command)` did not end within \(Int(seconds)) s and was killed; stderr so far: \(stderr.suffix(2000)); stdout so far: \(stdout.suffix(2000))"
    }
}

enum Command {
    /// Runs `path args` to its end and returns its status and output. Bounded: a command that
    /// runs longer than `timeout` seconds is killed and the call throws `CommandTimedOut`, so a
    /// hung oracle fails the test that called it instead of hanging the whole run.
    @discardableResult
    static func run(_ path: String, _ args: [String], input: String? = nil, timeout: Double = 300) throws -> CommandResult {
        let r = try TimedCommand.run(path, args, timeout: timeout, input: input)
        if r.timedOut {
            throw CommandTimedOut(command: ([path] + args).joined(separator: " "), seconds: timeout,
                                  stdout: r.stdout, stderr: r.stderr)
        }
        return CommandResult(status: r.status, stdout: r.stdout, stderr: r.stderr)
    }

    /// Finds an executable on PATH or in the usual system folders.
    static func which(_ name: String) -> String? {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin"]
        return dirs.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
