import SwiftBPFTools

/// The `syscount` collector over `SysCount`: syscalls per name, counted in the kernel.
enum SysCountAdapter {
    static func collector(_ c: CollectorConfig, sink: any CollectorSink) throws -> TableCollector {
        let tool = try SysCount(filter: ToolFilter(c), options: SysCount.Options(failedOnly: c.flag("failed_only")))
        return TableCollector(name: "syscount", config: c, session: tool.session, owner: tool, sink: sink) { sink in
            for e in try tool.take() {
                sink.count(family: "swiftbpf_agent_syscalls_total", labels: [("syscall", e.name)], by: Int64(e.count))
            }
        }
    }
}
