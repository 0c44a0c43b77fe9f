/// One event from a collector, in the form the store, the live stream and OTLP share.
public struct AgentEvent: Sendable, Equatable {
    /// Wall-clock time, nanoseconds since the Unix epoch.
    public var timeNanoseconds: Int64
    /// What happened: `exec`, `exit`, `open`, `tcp_connect`, `tcp_accept`, `tcp_close`, `tcp_retrans`.
    public var kind: String
    /// The collector that saw it.
    public var collector: String
    public var pid: UInt32
    public var ppid: UInt32
    public var uid: UInt32
    public var comm: String
    public var cgroupID: UInt64
    /// The cgroup's path relative to the cgroup v2 mount ("" when unknown).
    public var cgroup: String
    /// Kind-specific fields (argv, path, addresses, exit code...), as text.
    public var fields: [String: String]

    public init(timeNanoseconds: Int64, kind: String, collector: String, pid: UInt32, ppid: UInt32 = 0, uid: UInt32 = 0,
                comm: String, cgroupID: UInt64 = 0, cgroup: String = "", fields: [String: String] = [:]) {
        self.timeNanoseconds = timeNanoseconds
        self.kind = kind
        self.collector = collector
        self.pid = pid
        self.ppid = ppid
        self.uid = uid
        self.comm = comm
        self.cgroupID = cgroupID
        self.cgroup = cgroup
        self.fields = fields
    }

    /// The event as one JSON object (fields sorted, for stable output).
    public var json: String {
        var s = "{\"time_ns\":\(timeNanoseconds),\"kind\":\(JSONText.quote(kind)),\"collector\":\(JSONText.quote(collector))"
        s += ",\"pid\":\(pid),\"ppid\":\(ppid),\"uid\":\(uid),\"comm\":\(JSONText.quote(comm))"
        s += ",\"cgroup_id\":\(cgroupID),\"cgroup\":\(JSONText.quote(cgroup)),\"fields\":\(JSONText.object(fields))}"
        return s
    }
}

/// Minimal JSON text building (the agent's payloads are flat).
public enum JSONText {
    /// A JSON string literal.
    public static func quote(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    /// A JSON object of string members, keys sorted.
    public static func object(_ fields: [String: String]) -> String {
        "{" + fields.sorted { $0.key < $1.key }.map { "\(quote($0.key)):\(quote($0.value))" }.joined(separator: ",") + "}"
    }
}
