import ToolText

/// Reports events lost to a full ring buffer while a tool runs, once per interval with losses
/// (as Tetragon and Falco do): a line on stderr, and with --json a record on stdout,
/// `{"lost":N,"total_lost":M,"interval_s":S,"time":T}`, between the events. The total is also
/// reported at the end (`EventLoop.reportDrops`).
package struct LossReporter {
    /// How often the drop counter is read (one per-CPU map lookup).
    static let intervalSeconds = 1.0

    let tool: String
    let json: Bool
    let start: Double
    private var lastCheck: Double
    private var reported: UInt64 = 0

    package init(tool: String, json: Bool, start: Double) {
        self.tool = tool
        self.json = json
        self.start = start
        lastCheck = start
    }

    /// Reads the counter if an interval has passed and reports what was lost since the last report.
    package mutating func check(_ session: ToolSession) throws {
        let now = TimeText.monotonicSeconds()
        guard now - lastCheck >= Self.intervalSeconds else { return }
        let interval = now - lastCheck
        lastCheck = now
        let total = try session.droppedEvents()
        guard total > reported else { return }
        let lost = total - reported
        reported = total
        if json {
            // After the events already written, so the record sits where the loss happened.
            Output.flush()
            print("{\"lost\":\(lost),\"total_lost\":\(total),\"interval_s\":\(TimeText.seconds(interval)),\"time\":\(TimeText.seconds(now - start))}")
            Output.flush()
        }
        Output.error("\(tool): \(lost) events lost in the last \(TimeText.seconds(interval)) s (ring buffer full; \(total) since start)")
    }
}
