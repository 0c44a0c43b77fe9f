import BPF

/// Who talks to whom over a window: nodes are processes (with their cgroup) and remote
/// endpoints (named by DNS where known, else address and port; an incoming client is its
/// address alone); edges go from the side that connected to the side that accepted, and carry
/// bytes, connections, mean RTT and retransmits.
public struct Topology: Sendable {
    public struct Node: Sendable, Hashable, Comparable {
        public enum Kind: String, Sendable { case process, remote }
        /// "proc:PID" or "remote:NAME-OR-ADDR[:PORT]".
        public var id: String
        public var kind: Kind
        public var label: String
        /// The process's cgroup id (process nodes).
        public var cgroupID: UInt64?
        public static func < (a: Node, b: Node) -> Bool { a.id < b.id }
    }

    public struct Edge: Sendable, Equatable {
        public var from: String
        public var to: String
        public var bytes: UInt64
        public var connections: Int
        /// Mean smoothed RTT of the edge's TCP connections, microseconds (0 for UDP only).
        public var rttMicros: UInt32
        public var retransmits: UInt64
    }

    public private(set) var nodes: [String: Node] = [:]
    /// Keyed by "from -> to".
    private var edgeTable: [String: Edge] = [:]
    private var rttSums: [String: (sum: UInt64, n: UInt64)] = [:]
    /// What each live flow contributed so far, so that its next figures replace them. A closed
    /// flow leaves this table (its figures are final): memory follows the live flows.
    private var live: [FlowID: Contribution] = [:]

    struct Contribution {
        var edge: String
        var bytes: UInt64
        var retransmits: UInt64
        var rtt: UInt64?
    }

    public init() {}

    public var edges: [Edge] { edgeTable.values.sorted { ($0.from, $0.to) < ($1.from, $1.to) } }

    /// Takes in the latest figures of flows (live or closed); a flow already seen replaces its
    /// earlier figures. Flows with no known owner are left out.
    public mutating func add(_ flows: [Flow]) {
        for f in flows { add(f) }
    }

    private mutating func add(_ f: Flow) {
        guard let o = f.owner else { return }
        let process = Node(id: "proc:\(o.pid)", kind: .process, label: "\(o.comm) (\(o.pid))", cgroupID: o.cgroupID)
        let remoteLabel: String
        if f.direction == .incoming {
            remoteLabel = f.remoteName ?? f.remote.address
        } else {
            remoteLabel = (f.remoteName ?? (f.remote.isIPv6 ? "[\(f.remote.address)]" : f.remote.address)) + ":\(f.remote.port)"
        }
        let remote = Node(id: "remote:\(remoteLabel)", kind: .remote, label: remoteLabel, cgroupID: nil)
        let (from, to) = f.direction == .incoming ? (remote.id, process.id) : (process.id, remote.id)
        let key = "\(from) -> \(to)"
        let old = live.removeValue(forKey: f.id)
        if let old { retract(old) }
        if nodes[process.id] == nil { nodes[process.id] = process }
        if nodes[remote.id] == nil { nodes[remote.id] = remote }
        var e = edgeTable[key] ?? Edge(from: from, to: to, bytes: 0, connections: 0, rttMicros: 0, retransmits: 0)
        e.connections += 1   // retract() took the earlier figures' count out
        e.bytes += f.totalBytes
        e.retransmits += UInt64(f.retransmits)
        var rtt: UInt64?
        if f.transport == .tcp, f.rttMicros > 0 {
            rtt = UInt64(f.rttMicros)
            var r = rttSums[key] ?? (0, 0)
            r.sum += UInt64(f.rttMicros)
            r.n += 1
            rttSums[key] = r
        }
        edgeTable[key] = e
        updateRTT(key)
        if !f.closed { live[f.id] = Contribution(edge: key, bytes: f.totalBytes, retransmits: UInt64(f.retransmits), rtt: rtt) }
    }

    /// Takes a live flow's earlier figures (and its count) out of its edge; `add` puts the new
    /// ones in, on the same edge or on another one (once its remote got a DNS name).
    private mutating func retract(_ c: Contribution) {
        guard var e = edgeTable[c.edge] else { return }
        e.bytes -= min(e.bytes, c.bytes)
        e.retransmits -= min(e.retransmits, c.retransmits)
        e.connections -= 1
        if let rtt = c.rtt, var r = rttSums[c.edge] {
            r.sum -= min(r.sum, rtt)
            r.n -= min(r.n, 1)
            rttSums[c.edge] = r
        }
        edgeTable[c.edge] = e
        updateRTT(c.edge)
    }

    private mutating func updateRTT(_ key: String) {
        guard var e = edgeTable[key] else { return }
        let r = rttSums[key] ?? (0, 0)
        e.rttMicros = r.n > 0 ? UInt32(r.sum / r.n) : 0
        edgeTable[key] = e
    }

    // MARK: Outputs

    /// `{"nodes":[{"id","kind","label","cgroup_id"}],"edges":[{"from","to","bytes","connections","rtt_us","retransmits"}]}`.
    public func json() -> String {
        let n = nodes.values.sorted().map { node in
            "{\"id\":\(q(node.id)),\"kind\":\(q(node.kind.rawValue)),\"label\":\(q(node.label))"
                + (node.cgroupID.map { ",\"cgroup_id\":\($0)" } ?? "") + "}"
        }
        let e = edges.map { e in
            "{\"from\":\(q(e.from)),\"to\":\(q(e.to)),\"bytes\":\(e.bytes),\"connections\":\(e.connections),\"rtt_us\":\(e.rttMicros),\"retransmits\":\(e.retransmits)}"
        }
        return "{\"nodes\":[\(n.joined(separator: ","))],\"edges\":[\(e.joined(separator: ","))]}"
    }

    /// Graphviz DOT: processes as boxes grouped in one cluster per cgroup, remotes as ellipses.
    public func dot() -> String {
        var out = "digraph flows {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n"
        let processes = nodes.values.filter { $0.kind == .process }.sorted()
        let cgroups = Set(processes.compactMap(\.cgroupID)).sorted()
        for (i, cg) in cgroups.enumerated() {
            out += "  subgraph cluster_\(i) {\n    label=\(q("cgroup \(cg)"));\n"
            for p in processes where p.cgroupID == cg { out += "    \(q(p.id)) [shape=box,label=\(q(p.label))];\n" }
            out += "  }\n"
        }
        for r in nodes.values.filter({ $0.kind == .remote }).sorted() {
            out += "  \(q(r.id)) [shape=ellipse,label=\(q(r.label))];\n"
        }
        for e in edges {
            out += "  \(q(e.from)) -> \(q(e.to)) [label=\(q(Self.edgeLabel(e)))];\n"
        }
        return out + "}\n"
    }

    static func edgeLabel(_ e: Edge) -> String {
        var s = "\(FlowFormat.bytes(Double(e.bytes)))B, \(e.connections) conn"
        if e.rttMicros > 0 { s += ", rtt \(FlowFormat.fixed(Double(e.rttMicros) / 1000, 2)) ms" }
        if e.retransmits > 0 { s += ", \(e.retransmits) retrans" }
        return s
    }

    private func q(_ s: String) -> String { BTFValue.quote(s) }
}
