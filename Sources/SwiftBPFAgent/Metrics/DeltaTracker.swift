import Synchronization

/// Turns totals read from the kernel (drops, program run counts) into counter increments:
/// the difference from the last reading, or the whole value when the source restarted.
final class DeltaTracker: Sendable {
    private let last = Mutex<[String: UInt64]>([:])

    func delta(_ key: String, _ value: UInt64) -> UInt64 {
        last.locked { l in
            let previous = l[key] ?? 0
            l[key] = value
            return value >= previous ? value - previous : value
        }
    }
}
