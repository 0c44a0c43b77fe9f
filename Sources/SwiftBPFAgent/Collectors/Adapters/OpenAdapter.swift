import SwiftBPFTools

/// The `open` collector over `OpenSnoop`'s counting mode: every open(2)/openat(2)/openat2(2) is
/// counted in the kernel per cgroup, command and outcome (`swiftbpf_agent_opens_total`, read each
/// tick), and only one in `sample` of them is sent as an event for the store and the stream.
enum OpenAdapter {
    /// The family the counts go to, with `result` (`ok`, `error`) after the process labels.
    static let family = "swiftbpf_agent_opens_total"
    /// The command label of opens counted while the kernel's table was full.
    static let overflowComm = "[table full]"

    static func sources(_ c: CollectorConfig) throws -> [EventSource] {
        let options = OpenSnoop.Options(failedOnly: c.flag("failed_only"), pathPrefix: c.options["path_prefix"])
        let (session, counts) = try OpenSnoop.startCounting(filter: ToolFilter(c), options: options, sampleEvery: UInt32(clamping: c.sample))
        var source = EventSource(session: session, owner: counts) { record, ctx in
            guard let e = OpenEvent(record: record) else { return nil }
            return ctx.event(kind: "open", task: e.task, fields: [
                "path": e.fullPath, "ret": "\(e.ret)", "flags": "\(e.flags)",
            ])
        }
        source.sampledInKernel = true
        source.tick = { sink in
            guard let taken = try? counts.take() else { return }
            for n in taken.counts {
                sink.countProcess(family: family, comm: n.comm, cgroupID: n.cgroupID, extra: [("result", n.failed ? "error" : "ok")],
                                  by: Int64(clamping: n.count))
            }
            for (failed, n) in [(false, taken.whileFull.succeeded), (true, taken.whileFull.failed)] where n > 0 {
                sink.countProcess(family: family, comm: overflowComm, cgroupID: 0, extra: [("result", failed ? "error" : "ok")],
                                  by: Int64(clamping: n))
            }
        }
        return [source]
    }
}
