import Hummingbird

/// `/api/v1/flows`: the connections of a window, one record per connection, for the UI's
/// network map: those the flows collector tracks now (kind `flow`, with their TCP `state`)
/// and those that closed in the window (`flow_close` events, from the store or else the
/// recent ones in memory). Both carry bytes, `rtt_us` (smoothed RTT), `retransmits` and
/// `flow_id`; a connection that closed since the collector's last read is listed once, closed.
/// Parameters: `since`, `until` (closed connections), `pid`, `comm`, `limit` (closed
/// connections, default 5000).
enum FlowsReport {
    static func json(agent: Agent, parameters p: Parameters) throws -> String {
        var query = try EventQuery(parameters: p)
        query.kind = "flow_close"
        if p["limit"] == nil { query.limit = 5000 }
        let closed = try agent.events(query)
        let closedIDs = Set(closed.compactMap { $0.fields["flow_id"] })
        var liveQuery = query
        liveQuery.kind = "flow"
        liveQuery.until = nil
        let collector = agent.collectors.snapshot["flows"]?.collector as? FlowsCollector
        let live = (collector?.connections(since: query.since) ?? []).filter {
            liveQuery.matches($0) && !closedIDs.contains($0.fields["flow_id"] ?? "")
        }
        return "{\"flows\":[" + (live + closed).map(\.json).joined(separator: ",") + "]}"
    }
}
