import BPF
import ToolText

/// The loop of the tools that print one line per event: waits for records until Ctrl-C,
/// SIGTERM or --duration, prints queued records at the stop, then reports drops.
package enum EventLoop {
    /// A line appears at most 4 ms after its event (see `ReadPacing`).
    static let pacing = ReadPacing(smallBatch: 64, pauseMilliseconds: 4)

    /// `handle` turns a record (and the seconds since start, with a timestamp) into the line to
    /// print, or nil when it printed itself or skips the record.
    package static func run(_ session: ToolSession, tool: String, output: ToolOutputOptions, header: String?,
                            _ handle: (UnsafeRawBufferPointer, Double?) -> String?) throws {
        let start = TimeText.monotonicSeconds()
        if let header, !output.json {
            print(header)
            Output.flush()
        }
        let emit = { (record: UnsafeRawBufferPointer) in
            if let line = handle(record, output.timestamp ? TimeText.monotonicSeconds() - start : nil) { print(line) }
        }
        var losses = LossReporter(tool: tool, json: output.json, start: start)
        while !stopRequested.load(ordering: .relaxed) {
            if let d = output.duration, TimeText.monotonicSeconds() - start >= d { break }
            let count = try session.poll(timeoutMilliseconds: 200, emit)
            try losses.check(session)
            guard count > 0 else { continue }
            Output.flush()
            Self.pacing.afterBatch(count)
        }
        _ = session.drain(emit)
        Output.flush()
        session.stop()
        try reportDrops(session, tool: tool, json: output.json)
    }

    /// Drops are never silent: stderr, and a JSON line with --json.
    static func reportDrops(_ session: ToolSession, tool: String, json: Bool) throws {
        let lost = try session.droppedEvents()
        guard lost > 0 else { return }
        if json { print("{\"dropped\":\(lost)}") }
        Output.error("\(tool): \(lost) events dropped (ring buffer full)")
    }
}

/// The loop of the aggregating tools: every interval (and once at the end) calls `report`.
package enum IntervalLoop {
    package static func run(interval: Double?, duration: Double?, _ report: (_ final: Bool) throws -> Void) throws {
        let start = TimeText.monotonicSeconds()
        var last = start
        while !stopRequested.load(ordering: .relaxed) {
            let now = TimeText.monotonicSeconds()
            if let duration, now - start >= duration { break }
            if let interval, now - last >= interval {
                try report(false)
                last = now
            }
            Sleep.milliseconds(50)
        }
        try report(true)
    }
}
