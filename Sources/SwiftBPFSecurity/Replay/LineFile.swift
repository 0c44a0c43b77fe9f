import Glibc

/// A file written line by line through a buffer, created with mode 0644 (replaced if it exists).
/// Closed by `close()` or when released.
public final class LineFileWriter {
    let fd: Int32
    var buffer: [UInt8] = []

    public init(path: String) throws(GuardRecordError) {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw GuardRecordError("cannot create \(path): \(String(cString: strerror(errno)))") }
        buffer.reserveCapacity(1 << 16)
    }

    public func write(line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(10)
        if buffer.count >= 1 << 16 { flush() }
    }

    public func flush() {
        var done = 0
        while done < buffer.count {
            let n = buffer[done...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            done += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    public func close() {
        flush()
    }

    deinit {
        flush()
        Glibc.close(fd)
    }
}

/// Whole-file reads for recordings, profiles and test cases, bounded in size.
public enum TextFile {
    /// The file's text, or an error naming it; at most `limit` bytes.
    public static func read(_ path: String, limit: Int = 1 << 30) throws(GuardRecordError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw GuardRecordError("cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 { throw GuardRecordError("cannot read \(path): \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            out.append(contentsOf: buf[0..<n])
            if out.count > limit { throw GuardRecordError("\(path) is larger than \(limit) bytes") }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A file read line by line through a 1 MiB buffer (lines end at '\n'; a last line without one
/// counts). Closed when released.
public final class LineFileReader {
    let fd: Int32
    let path: String
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    var start = 0, end = 0
    var atEnd = false

    public init(path: String) throws(GuardRecordError) {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw GuardRecordError("cannot read \(path): \(String(cString: strerror(errno)))") }
    }

    deinit { close(fd) }

    /// The next line's bytes without its newline, or nil at the end of the file.
    public func nextLine(maxLength: Int, lineNumber: Int) throws(GuardRecordError) -> [UInt8]? {
        var line: [UInt8] = []
        while true {
            if let nl = buffer[start..<end].firstIndex(of: 10) {
                line.append(contentsOf: buffer[start..<nl])
                start = nl + 1
                guard line.count <= maxLength else { throw tooLong(lineNumber, maxLength) }
                return line
            }
            line.append(contentsOf: buffer[start..<end])
            start = 0
            end = 0
            guard line.count <= maxLength else { throw tooLong(lineNumber, maxLength) }
            if atEnd { return line.isEmpty ? nil : line }
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 { throw GuardRecordError("cannot read \(path): \(String(cString: strerror(errno)))") }
            if n == 0 { atEnd = true } else { end = n }
        }
    }

    func tooLong(_ lineNumber: Int, _ maxLength: Int) -> GuardRecordError {
        GuardRecordError("line longer than \(maxLength) bytes", file: path, line: lineNumber)
    }
}
