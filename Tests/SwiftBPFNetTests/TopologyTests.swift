import Testing
@testable import SwiftBPFNet

@Suite("Topology")
struct TopologyTests {
    func flow(_ cookie: UInt64, pid: UInt32, to address: String, port: UInt16, sent: UInt64, received: UInt64,
              incoming: Bool = false, closed: Bool = false, rtt: UInt32 = 1000) -> Flow {
        Flow(id: FlowID(cookie: cookie, peer: nil), transport: .tcp, local: Endpoint(address: "10.0.0.1", port: incoming ? port : 40000),
             remote: Endpoint(address: address, port: incoming ? 40000 : port), remoteName: nil,
             direction: incoming ? .incoming : .outgoing, state: closed ? "CLOSE" : "ESTABLISHED", netns: 1,
             owner: Flow.Owner(pid: pid, uid: 0, comm: "app", cgroupID: 9), bytesSent: sent, bytesReceived: received,
             packetsSent: 1, packetsReceived: 1, rttMicros: rtt, rttVarMicros: 0, retransmits: 1,
             firstSeenNanos: 0, lastSeenNanos: 1, preexisting: false, closed: closed, inode: 0)
    }

    @Test func aFlowSeenInSeveralIntervalsCountsOnce() {
        var t = Topology()
        t.add([flow(1, pid: 5, to: "10.0.0.2", port: 443, sent: 100, received: 10)])
        t.add([flow(1, pid: 5, to: "10.0.0.2", port: 443, sent: 300, received: 30)])
        t.add([flow(1, pid: 5, to: "10.0.0.2", port: 443, sent: 500, received: 50, closed: true, rtt: 3000)])
        t.add([flow(2, pid: 5, to: "10.0.0.2", port: 443, sent: 1, received: 2, closed: true)])
        t.add([flow(3, pid: 6, to: "10.0.0.9", port: 80, sent: 7, received: 0, incoming: true)])
        let e = t.edges
        #expect(e.count == 2)
        #expect(e.first { $0.from == "proc:5" }.map { ($0.to, $0.bytes, $0.connections, $0.rttMicros, $0.retransmits) }.map { "\($0)" } == "(\"remote:10.0.0.2:443\", 553, 2, 2000, 2)")
        #expect(e.first { $0.to == "proc:6" }?.from == "remote:10.0.0.9")
        #expect(Set(t.nodes.keys) == ["proc:5", "proc:6", "remote:10.0.0.2:443", "remote:10.0.0.9"])
        let svg = t.svg()
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n") && svg.contains("app (5)"))
        #expect(t.dot().contains("\"proc:5\" -> \"remote:10.0.0.2:443\""))
        #expect(t.json().contains("\"connections\":2"))
    }

    @Test func payloadArithmeticTakesOutSYNAndFINs() {
        // Connecting side: SYN acknowledged (+1) and our FIN acknowledged (+1); the peer's FIN (+1).
        #expect(TCPPayload.bytes(acked: 1002, received: 501, outgoing: true, finOutAcked: true, finIn: true) == (1000, 500))
        // Accepting side: no SYN in bytes_acked.
        #expect(TCPPayload.bytes(acked: 500, received: 1000, outgoing: false, finOutAcked: false, finIn: false) == (500, 1000))
        // Nothing acknowledged yet.
        #expect(TCPPayload.bytes(acked: 0, received: 0, outgoing: true, finOutAcked: false, finIn: false) == (0, 0))
    }
}
