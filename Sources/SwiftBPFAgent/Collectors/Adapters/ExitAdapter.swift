import SwiftBPFTools

/// The `exit` collector over `ExitSnoop`'s counting mode: every process exit is counted in the
/// kernel by outcome (`swiftbpf_agent_exits_total`), and sent as an event with its code or signal
/// up to `max_events_per_second`.
enum ExitAdapter {
    static let family = "swiftbpf_agent_exits_total"

    static func sources(_ c: CollectorConfig) throws -> [EventSource] {
        let ring = LimitedRing(eventsPerSecond: c.maxEventsPerSecond, typicalRecordBytes: ExitEvent.maxRecordBytes)
        let (session, counts) = try ExitSnoop.startCounting(
            filter: ToolFilter(c), options: ExitSnoop.Options(failedOnly: c.flag("failed_only")),
            counting: CountingOptions(eventsPerSecond: UInt32(clamping: c.maxEventsPerSecond)),
            ringBufferSize: ring.bytes)
        var source = EventSource(session: session, owner: counts) { record, ctx in
            guard let e = ExitEvent(record: record) else { return nil }
            return ctx.event(kind: "exit", task: e.task, fields: [
                "code": "\(e.code)", "signal": "\(e.signal)", "age_ns": "\(e.ageNanoseconds)",
            ])
        }
        source.pacing = ring.pacing
        source.tick = KernelCountsFeed.tick(counts, family: family, collector: "exit") { outcome in
            [("outcome", outcome == ExitSnoop.Outcome.signal ? "signal" : outcome == ExitSnoop.Outcome.error ? "error" : "ok")]
        }
        return [source]
    }
}
