import Logging
import SwiftBPFTools

/// The `profile` collector over `Profile`: CPU samples at a low rate (`options.frequency`,
/// 19 Hz by default), counted per process name, and symbolised into the profile history
/// (`/api/v1/profile`, the UI's Profiles page). The kernel keys samples by thread and cgroup
/// too, so that the history answers by thread and container; `options.per_thread: false`
/// keys by process only (fewer keys on hosts with many threads). The tick only copies the
/// counts out of the kernel; symbolising runs on `ProfileSymbolizingQueue`.
enum ProfileAdapter {
    static func collector(_ c: CollectorConfig, sink: any CollectorSink, logger: Logger) throws -> TableCollector {
        let frequency = c.options["frequency"].flatMap(UInt64.init) ?? 19
        var perThread = true
        if let text = c.options["per_thread"] {
            guard let v = Bool(text) else { throw ConfigError("collectors.profile.options.per_thread: true or false, got \(text)") }
            perThread = v
        }
        let tool = try Profile(filter: ToolFilter(c), options: Profile.Options(frequency: frequency, perThread: perThread, perCgroup: true))
        let symbolizing = ProfileSymbolizingQueue(
            logger: logger,
            symbolize: { samples in FoldedProfile.stacks(ProfileStack.merged(tool.symbolize(samples)), options: tool.options) },
            deliver: { [weak sink] stacks, time in sink?.profile(stacks, timeNanoseconds: time) })
        return TableCollector(name: "profile", config: c, session: tool.session, owner: tool, sink: sink,
                              lost: { symbolizing.droppedSamples }, onStop: { symbolizing.stop() }) { sink in
            var byComm: [String: UInt64] = [:]
            let samples = try tool.take()
            for s in samples { byComm[s.comm, default: 0] += s.count }
            try tool.rememberProcesses()
            symbolizing.submit(samples, timeNanoseconds: Clocks.wallNanoseconds())
            for (comm, n) in byComm {
                sink.count(family: "swiftbpf_agent_cpu_samples_total", labels: [("comm", comm)], by: Int64(n))
            }
        }
    }
}
