import SwiftBPFTools

/// The `biolatency` collector over `BioLatency`: block I/O latency histograms in microseconds,
/// per disk with `options.per_disk`.
enum BioLatencyAdapter {
    static func collector(_ c: CollectorConfig, sink: any CollectorSink) throws -> TableCollector {
        let perDisk = c.flag("per_disk")
        let tool = try BioLatency(options: BioLatency.Options(perDisk: perDisk, disk: c.options["disk"]))
        return TableCollector(name: "biolatency", config: c, session: tool.session, owner: tool, sink: sink) { sink in
            for h in try tool.take() {
                let labels = perDisk ? [("disk", BlockDevices.name(of: BlockDevices.Device(kernelDev: h.key)))] : []
                sink.observe(histogram: "swiftbpf_agent_biolatency_microseconds", labels: labels, slots: h.slots, unit: "microseconds")
            }
        }
    }
}
