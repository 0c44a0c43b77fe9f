import Glibc
import Synchronization

/// The library's log: what it decides on its own that a caller may want to know (a fallback
/// taken, a part left out), as libbpf's print callback reports them. By default warnings go to
/// standard error; `setHandler` routes them elsewhere (or nowhere).
public enum BPFLog {
    public enum Level: Int, Sendable, Comparable, CustomStringConvertible {
        case debug, info, warning
        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
        public var description: String { ["debug", "info", "warning"][rawValue] }
    }

    public typealias Handler = @Sendable (Level, String) -> Void

    /// Writes warnings to standard error as "swiftbpf: warning: <message>".
    public static let standardError: Handler = { level, message in
        guard level >= .warning else { return }
        let line = Array("swiftbpf: \(level): \(message)\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }

    private static let handler = Mutex<Handler?>(standardError)

    /// Routes the library's messages to `handler` (nil: drop them). Affects every thread.
    public static func setHandler(_ handler: Handler?) {
        self.handler.locked { $0 = handler }
    }

    static func log(_ level: Level, _ message: @autoclosure () -> String) {
        guard let h = handler.locked({ $0 }) else { return }
        h(level, message())
    }
}
