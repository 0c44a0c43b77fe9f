import SwiftBPFTools

/// The `runqlat` collector over `RunQLat`: the run-queue latency histogram, in microseconds,
/// read and emptied every interval.
enum RunQLatAdapter {
    static func collector(_ c: CollectorConfig, sink: any CollectorSink) throws -> TableCollector {
        let tool = try RunQLat(filter: ToolFilter(c))
        return TableCollector(name: "runqlat", config: c, session: tool.session, owner: tool, sink: sink) { sink in
            var total = [UInt64](repeating: 0, count: 64)
            for h in try tool.take() {
                for (i, n) in h.slots.enumerated() where i < total.count { total[i] += n }
            }
            sink.observe(histogram: "swiftbpf_agent_runqlat_microseconds", labels: [], slots: total, unit: "microseconds")
        }
    }
}
