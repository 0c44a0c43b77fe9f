import SwiftBPFTools

/// The `tcp` collector over the TCP tools: connects, accepts, session ends (with bytes and
/// duration) and retransmits; `options.tools` picks which (all four by default).
enum TCPAdapter {
    static let kinds: [String: (TCPTool, String)] = [
        "connect": (.connect, "tcp_connect"), "accept": (.accept, "tcp_accept"),
        "life": (.life, "tcp_close"), "retrans": (.retrans, "tcp_retrans"),
    ]

    static func sources(_ c: CollectorConfig) throws -> [EventSource] {
        let names = c.options["tools"].map { $0.split(separator: ",").map { String($0).trimmingSpaces } } ?? ["connect", "accept", "life", "retrans"]
        var sources: [EventSource] = []
        for name in names {
            guard let (tool, kind) = kinds[name] else {
                throw ConfigError("collectors.tcp.options.tools: unknown tool \(name) (known: connect, accept, life, retrans)")
            }
            let session = try tool.start(filter: ToolFilter(c))
            sources.append(EventSource(session: session, owner: nil) { record, ctx in
                guard let e = TCPEvent(record: record) else { return nil }
                var fields = [
                    "family": "\(e.family)", "saddr": e.localAddress, "sport": "\(e.localPort)",
                    "daddr": e.remoteAddress, "dport": "\(e.remotePort)",
                ]
                switch tool {
                case .life:
                    fields["tx_bytes"] = "\(e.txBytes)"
                    fields["rx_bytes"] = "\(e.rxBytes)"
                    fields["duration_ns"] = "\(e.durationNanoseconds)"
                case .retrans:
                    fields["state"] = TCPState.name(e.state)
                default: break
                }
                return ctx.event(kind: kind, task: e.task, fields: fields)
            })
        }
        return sources
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
