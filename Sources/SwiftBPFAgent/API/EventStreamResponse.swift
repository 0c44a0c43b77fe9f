import Hummingbird

/// The live event stream as Server-Sent Events: one `event: <kind>` / `data: <json>` pair per
/// event matching the filter, and a `: keepalive` comment at every hub heartbeat (so that a
/// client that went away is noticed). It ends when the client goes or the agent stops.
enum EventStreamResponse {
    static func make(hub: EventHub, filter: EventQuery) -> Response {
        let stream = hub.subscribe()
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        let body = ResponseBody { writer in
            try await writer.write(ByteBuffer(string: ": swiftbpf-agent live events\n\n"))
            for await item in stream {
                switch item {
                case .event(let event) where filter.matches(event):
                    try await writer.write(ByteBuffer(string: "event: \(event.kind)\ndata: \(event.json)\n\n"))
                case .event: continue
                case .heartbeat:
                    try await writer.write(ByteBuffer(string: ": keepalive\n\n"))
                }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}
