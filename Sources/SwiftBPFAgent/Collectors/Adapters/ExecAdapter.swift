import SwiftBPFTools

/// The `exec` collector over `ExecSnoop`'s counting mode: every execve(2) is counted in the
/// kernel (`swiftbpf_agent_execs_total`, read each tick), and sent as an event with its argv up to
/// `max_events_per_second`.
enum ExecAdapter {
    static let family = "swiftbpf_agent_execs_total"

    static func sources(_ c: CollectorConfig) throws -> [EventSource] {
        // An exec's record is its 64-byte header and its arguments: a few hundred bytes typically.
        let ring = LimitedRing(eventsPerSecond: c.maxEventsPerSecond, typicalRecordBytes: 512)
        let (tool, counts) = try ExecSnoop.startCounting(
            filter: ExecSnoop.Filter(pid: c.pid, uid: c.uid, comm: c.comm, cgroupPath: c.cgroup, ringBufferSize: ring.bytes),
            counting: CountingOptions(eventsPerSecond: UInt32(clamping: c.maxEventsPerSecond)))
        var source = EventSource(session: tool.session, owner: tool) { record, ctx in
            guard let e = ExecEvent(record: record) else { return nil }
            return ctx.event(kind: "exec", task: e.task, fields: ["args": e.args.joined(separator: " "), "ret": "\(e.ret)"])
        }
        source.pacing = ring.pacing
        // Failed execs are counted too, under the caller's command, as the events showed them.
        source.tick = KernelCountsFeed.tick(counts, family: family, collector: "exec") { _ in [] }
        return [source]
    }
}
