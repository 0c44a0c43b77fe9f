import Glibc

/// Terminal output of the tools: stdout is flushed after each batch of events, so a reader of a
/// pipe sees events as they happen (libbpf-tools only flushes every 4 KiB).
package enum Output {
    package static func flush() { fflush(nil) }

    package static func error(_ message: String) {
        flush()
        var bytes = Array(message.utf8)
        if bytes.last != 10 { bytes.append(10) }
        _ = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}

package enum Sleep {
    package static func milliseconds(_ ms: Int) {
        // An interrupting signal ends the sleep early: callers check the stop flag next.
        var ts = timespec(tv_sec: ms / 1000, tv_nsec: (ms % 1000) * 1_000_000)
        _ = nanosleep(&ts, nil)
    }
}
