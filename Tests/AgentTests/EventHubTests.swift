import Testing
@testable import SwiftBPFAgent

/// The hub's window of latest events (what the API serves without a store): bounded, newest
/// first, the oldest replaced once full. Pure.
@Suite struct EventHubTests {
    static func event(_ i: Int, kind: String = "exec") -> AgentEvent {
        AgentEvent(timeNanoseconds: Int64(i), kind: kind, collector: "test", pid: UInt32(i), comm: "t")
    }

    @Test func theWindowKeepsTheLatestNewestFirst() {
        let hub = EventHub(capacity: 3)
        #expect(hub.recent(EventQuery(limit: 10)).isEmpty)
        hub.publish([Self.event(1), Self.event(2)])
        #expect(hub.recent(EventQuery(limit: 10)).map(\.pid) == [2, 1])
        hub.publish([Self.event(3), Self.event(4)])
        #expect(hub.recent(EventQuery(limit: 10)).map(\.pid) == [4, 3, 2])
        for i in 5...11 { hub.publish([Self.event(i, kind: i % 2 == 0 ? "open" : "exec")]) }
        #expect(hub.recent(EventQuery(limit: 10)).map(\.pid) == [11, 10, 9])
        #expect(hub.recent(EventQuery(limit: 1)).map(\.pid) == [11])
        #expect(hub.recent(EventQuery(kind: "open", limit: 10)).map(\.pid) == [10])
    }
}
