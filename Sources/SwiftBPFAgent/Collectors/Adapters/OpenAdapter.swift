import SwiftBPFTools

/// The `open` collector over `OpenSnoop`'s counting mode: every open(2)/openat(2)/openat2(2) is
/// counted in the kernel per cgroup, command and outcome (`swiftbpf_agent_opens_total`, read each
/// tick), and only one in `sample` of them, at most `max_events_per_second`, is sent as an event
/// for the store and the stream.
enum OpenAdapter {
    /// The family the counts go to, with `result` (`ok`, `error`) after the process labels.
    static let family = "swiftbpf_agent_opens_total"

    static func sources(_ c: CollectorConfig) throws -> [EventSource] {
        let options = OpenSnoop.Options(failedOnly: c.flag("failed_only"), pathPrefix: c.options["path_prefix"])
        // An open's record is its 64-byte header and the path: typically well under 256 bytes.
        let ring = LimitedRing(eventsPerSecond: c.maxEventsPerSecond, typicalRecordBytes: 256)
        let (session, counts) = try OpenSnoop.startCounting(
            filter: ToolFilter(c), options: options, sampleEvery: UInt32(clamping: c.sample),
            counting: CountingOptions(eventsPerSecond: UInt32(clamping: c.maxEventsPerSecond)),
            ringBufferSize: ring.bytes)
        var source = EventSource(session: session, owner: counts) { record, ctx in
            guard let e = OpenEvent(record: record) else { return nil }
            return ctx.event(kind: "open", task: e.task, fields: [
                "path": e.fullPath, "ret": "\(e.ret)", "flags": "\(e.flags)",
            ])
        }
        source.sampledInKernel = true
        source.pacing = ring.pacing
        source.tick = KernelCountsFeed.tick(counts, family: family, collector: "open") { outcome in
            [("result", outcome == OpenSnoop.Outcome.failed ? "error" : "ok")]
        }
        return [source]
    }
}
