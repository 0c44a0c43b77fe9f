import SwiftBPFTools

/// The `exit` collector over `ExitSnoop`: one event per process exit, with its code or signal.
enum ExitAdapter {
    static func sources(_ c: CollectorConfig) throws -> [EventSource] {
        let session = try ExitSnoop.start(filter: ToolFilter(c), options: ExitSnoop.Options(failedOnly: c.flag("failed_only")))
        return [EventSource(session: session, owner: nil) { record, ctx in
            guard let e = ExitEvent(record: record) else { return nil }
            return ctx.event(kind: "exit", task: e.task, fields: [
                "code": "\(e.code)", "signal": "\(e.signal)", "age_ns": "\(e.ageNanoseconds)",
            ])
        }]
    }
}
