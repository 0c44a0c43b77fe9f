import Hummingbird
import Synchronization

/// The live event stream as Server-Sent Events: one `event: <kind>` / `data: <json>` pair per
/// event matching the filter, and a `: keepalive` comment at every hub heartbeat (so that a
/// client that went away is noticed). It ends when the client goes or the agent stops.
///
/// What arrives is written every `interval` in one write: a write (and socket flush) per event
/// was half of the agent's CPU with one browser on ~1,000 events/s (BENCHMARKS.md, web UI).
enum EventStreamResponse {
    static let interval = Duration.milliseconds(50)

    static func make(hub: EventHub, filter: EventQuery) -> Response {
        let stream = hub.subscribe()
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        let body = ResponseBody { writer in
            try await writer.write(ByteBuffer(string: ": swiftbpf-agent live events\n\n"))
            let pending = PendingText()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await item in stream {
                        switch item {
                        case .event(let event) where filter.matches(event):
                            pending.add("event: \(event.kind)\ndata: \(event.json)\n\n")
                        case .event: continue
                        case .heartbeat: pending.add(": keepalive\n\n")
                        }
                    }
                    pending.end()
                }
                // A write that fails (the client went) throws out of the group, which cancels
                // the reader above and so ends the subscription.
                while true {
                    try await Task.sleep(for: interval)
                    let (text, ended) = pending.take()
                    if !text.isEmpty { try await writer.write(ByteBuffer(string: text)) }
                    if ended { break }
                }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}

/// The stream's text not yet written; a client slower than the events keeps the newest
/// `limit` pieces (as the hub's own buffer does), never slows the collectors.
final class PendingText: Sendable {
    private let state = Mutex<(pieces: [String], ended: Bool)>(([], false))
    let limit: Int

    init(limit: Int = 10_000) { self.limit = limit }

    func add(_ piece: String) {
        state.locked { s in
            s.pieces.append(piece)
            if s.pieces.count > limit { s.pieces.removeFirst(s.pieces.count - limit) }
        }
    }

    func end() { state.locked { $0.ended = true } }

    /// What was added since the last call, joined, and whether the stream has ended.
    func take() -> (text: String, ended: Bool) {
        state.locked { s in
            defer { s.pieces.removeAll(keepingCapacity: true) }
            return (s.pieces.joined(), s.ended)
        }
    }
}
