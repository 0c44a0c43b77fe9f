import SwiftBPFTools

/// The `open` collector over `OpenSnoop`: one event per open(2)/openat(2)/openat2(2).
enum OpenAdapter {
    static func sources(_ c: CollectorConfig) throws -> [EventSource] {
        let options = OpenSnoop.Options(failedOnly: c.flag("failed_only"), pathPrefix: c.options["path_prefix"])
        let session = try OpenSnoop.start(filter: ToolFilter(c), options: options)
        return [EventSource(session: session, owner: nil) { record, ctx in
            guard let e = OpenEvent(record: record) else { return nil }
            return ctx.event(kind: "open", task: e.task, fields: [
                "path": e.fullPath, "ret": "\(e.ret)", "flags": "\(e.flags)",
            ])
        }]
    }
}
