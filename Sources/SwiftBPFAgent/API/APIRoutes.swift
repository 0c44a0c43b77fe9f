import Foundation
import Hummingbird
import Logging

/// The HTTP API (see `OpenAPIDocument` for the reference):
/// `/healthz`, `/metrics`, `/api/v1/status`, `/api/v1/collectors`, `/api/v1/events`,
/// `/api/v1/events/stream` (Server-Sent Events), `/api/v1/governor`, `/api/v1/profile`,
/// `/api/v1/flows`, `/api/v1/alerts`, `/api/v1/firewall`,
/// `/api/v1/openapi.json`; and the web UI's embedded assets under `/ui/` (`UIRoutes`).
enum APIRoutes {
    static func router(agent: Agent, logger: Logger) -> Router<AgentRequestContext> {
        let router = Router(context: AgentRequestContext.self)
        if let token = agent.token {
            router.add(middleware: BearerAuthMiddleware(token: token, logger: logger) {
                agent.metrics.incrementUncapped("swiftbpf_agent_api_unauthorized_total", [])
            })
        }
        router.get("/healthz") { _, _ in json("{\"status\":\"ok\"}") }
        router.get("/metrics") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: agent.metrics.render())))
        }
        router.get("/api/v1/status") { _, _ in json(AgentReport.status(agent)) }
        router.get("/api/v1/collectors") { _, _ in json(AgentReport.collectors(agent)) }
        router.get("/api/v1/governor") { _, _ in json(AgentReport.governor(agent)) }
        router.get("/api/v1/openapi.json") { _, _ in json(OpenAPIDocument.json) }
        router.get("/api/v1/events") { request, _ -> Response in
            let query: EventQuery
            do { query = try EventQuery(parameters: request.uri.queryParameters) } catch {
                return json("{\"error\":\(JSONText.quote("\(error)"))}", status: .badRequest)
            }
            do {
                let events = try agent.events(query)
                return json("{\"events\":[" + events.map(\.json).joined(separator: ",") + "]}")
            } catch {
                return json("{\"error\":\(JSONText.quote("store: \(error)"))}", status: .serviceUnavailable)
            }
        }
        router.get("/api/v1/events/stream") { request, _ -> Response in
            let filter: EventQuery
            do { filter = try EventQuery(parameters: request.uri.queryParameters) } catch {
                return json("{\"error\":\(JSONText.quote("\(error)"))}", status: .badRequest)
            }
            return EventStreamResponse.make(hub: agent.hub, filter: filter)
        }
        router.get("/api/v1/alerts") { _, _ in json(SecurityReport.alerts(agent)) }
        router.get("/api/v1/firewall") { _, _ in json(SecurityReport.firewall(agent)) }
        router.get("/api/v1/flows") { request, _ -> Response in
            do { return json(try FlowsReport.json(agent: agent, parameters: request.uri.queryParameters)) } catch let e as ConfigError {
                return json("{\"error\":\(JSONText.quote("\(e)"))}", status: .badRequest)
            } catch {
                return json("{\"error\":\(JSONText.quote("store: \(error)"))}", status: .serviceUnavailable)
            }
        }
        router.get("/api/v1/profile") { request, _ -> Response in
            do {
                let query = try ProfileQuery(parameters: request.uri.queryParameters)
                let frequency = agent.config.collectors["profile"]?.options["frequency"].flatMap(UInt64.init) ?? 19
                return query.response(history: agent.pipeline.profiles, frequency: frequency)
            } catch {
                return json("{\"error\":\(JSONText.quote("\(error)"))}", status: .badRequest)
            }
        }
        UIRoutes.add(to: router)
        return router
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }
}

extension EventQuery {
    /// From `since`, `until` (Unix nanoseconds, or seconds with a fraction), `kind`, `pid`,
    /// `comm`, `cgroup_id`, `limit`; a bad value is an error naming it.
    init(parameters p: Parameters) throws {
        self.init()
        let time = { (key: String) in try p.unixTime(key) }
        since = try time("since")
        until = try time("until")
        kind = p["kind"].map(String.init)
        comm = p["comm"].map(String.init)
        if let t = p["pid"] {
            guard let v = UInt32(t) else { throw ConfigError("pid must be a process id, got \(t)") }
            pid = v
        }
        if let t = p["cgroup_id"] {
            guard let v = UInt64(t) else { throw ConfigError("cgroup_id must be an integer, got \(t)") }
            cgroupID = v
        }
        if let t = p["limit"] {
            guard let v = Int(t), v >= 1 else { throw ConfigError("limit must be a positive integer, got \(t)") }
            limit = min(v, 100_000)
        }
    }
}

extension Parameters {
    /// A time parameter of the API: Unix nanoseconds, or Unix seconds with a fraction; nil
    /// when absent, an error naming the parameter when it is neither.
    func unixTime(_ key: String) throws -> Int64? {
        guard let text = self[Substring(key)] else { return nil }
        if let ns = Int64(text) { return ns }
        if let s = Double(text) { return Int64(s * 1e9) }
        throw ConfigError("\(key) must be Unix nanoseconds or seconds, got \(text)")
    }
}
