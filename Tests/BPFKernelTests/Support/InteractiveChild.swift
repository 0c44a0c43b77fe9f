import Foundation

/// A helper process driven line by line: read its stdout lines, answer on its stdin, wait for it.
/// Its stderr is discarded. Dropping it terminates a child that is still running.
final class InteractiveChild {
    let process = Process()
    let input = Pipe(), output = Pipe()
    private var buffer = Data()

    init(_ path: String, _ args: [String]) throws {
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = args
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    /// The next line of output; at the end of output, the unterminated rest (nil if none).
    func readLine() -> String? {
        if let line = nextLine() { return line }
        return buffer.isEmpty ? nil : String(decoding: buffer, as: UTF8.self)
    }

    /// The next newline-terminated line; throws naming what came if the output ends first.
    func readCompleteLine() throws -> String {
        guard let line = nextLine() else {
            throw ChildProcessError("child \(pid) closed its output after '\(String(decoding: buffer, as: UTF8.self))'")
        }
        return line
    }

    /// Removes and returns the next complete line, reading as needed; nil at the end of output.
    private func nextLine() -> String? {
        while true {
            if let nl = buffer.firstIndex(of: 0x0a) {
                let line = String(decoding: buffer[buffer.startIndex..<nl], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...nl)
                return line
            }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { return nil }
            buffer.append(chunk)
        }
    }

    func send(_ line: String) throws {
        try input.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
    }

    /// Closes the child's stdin and waits for it to exit.
    func finish() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}

struct ChildProcessError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
