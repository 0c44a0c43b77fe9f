import BPF
import Synchronization
import SwiftBPFTools

/// A collector whose kernel side builds tables (histograms, counts) that the agent reads and
/// empties every `interval_seconds`.
final class TableCollector: Collector {
    let name: String
    let config: CollectorConfig
    private let session: ToolSession
    private let owner: any Sendable & AnyObject
    private let read: @Sendable (any CollectorSink) throws -> Void
    private let sink: any CollectorSink
    private let nextRead = Mutex<Int64>(0)
    private let failures = Atomic<Int>(0)
    private let lost: @Sendable () -> UInt64
    private let onStop: @Sendable () -> Void

    /// `read` runs on the agent's tick when the interval has passed; `lost` counts what the
    /// collector dropped in user space; `onStop` runs before the programs are released.
    init(name: String, config: CollectorConfig, session: ToolSession, owner: any Sendable & AnyObject, sink: any CollectorSink,
         lost: @escaping @Sendable () -> UInt64 = { 0 }, onStop: @escaping @Sendable () -> Void = {},
         read: @escaping @Sendable (any CollectorSink) throws -> Void) {
        self.name = name
        self.config = config
        self.session = session
        self.owner = owner
        self.sink = sink
        self.lost = lost
        self.onStop = onStop
        self.read = read
    }

    func tick(now: Int64) {
        let due = nextRead.locked { next -> Bool in
            guard now >= next else { return false }
            next = now + Int64(config.intervalSeconds * 1e9)
            return true
        }
        guard due else { return }
        do { try read(sink) } catch { failures.add(1, ordering: .relaxed) }
    }

    func lostEvents() -> UInt64 { lost() }
    var programs: [(name: String, program: Program)] { session.namedPrograms }
    var maps: [String: Map] { session.object.maps }
    func stop() {
        onStop()
        session.stop()
    }
}
