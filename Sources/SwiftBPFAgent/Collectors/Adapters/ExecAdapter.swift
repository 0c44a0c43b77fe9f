import SwiftBPFTools

/// The `exec` collector over `ExecSnoop`: one event per execve(2), with its argv.
enum ExecAdapter {
    static func sources(_ c: CollectorConfig) throws -> [EventSource] {
        let tool = try ExecSnoop(filter: ExecSnoop.Filter(pid: c.pid, uid: c.uid, comm: c.comm, cgroupPath: c.cgroup))
        return [EventSource(session: tool.session, owner: tool) { record, ctx in
            guard let e = ExecEvent(record: record) else { return nil }
            return ctx.event(kind: "exec", task: e.task, fields: ["args": e.args.joined(separator: " "), "ret": "\(e.ret)"])
        }]
    }
}
