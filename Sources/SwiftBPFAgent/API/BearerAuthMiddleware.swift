import Hummingbird
import Logging

/// Requires `Authorization: Bearer <token>` on every request when the agent has a token
/// (always the case off loopback). A request without it, or with another token, gets 401 and
/// a warning in the log naming the peer, method and path. The web UI's own files are public
/// (they hold no data; the pages send the token with every API call).
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = AgentRequestContext
    let token: String
    let logger: Logger
    let onRefused: @Sendable () -> Void

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if UIRoutes.isPublic(request.uri.path) { return try await next(request, context) }
        let header = request.headers[.authorization] ?? ""
        let expected = "Bearer " + token
        guard Self.constantTimeEqual(header, expected) else {
            logger.warning("API request refused: missing or wrong bearer token", metadata: [
                "peer": "\(context.remoteAddress?.description ?? "?")", "method": "\(request.method)", "path": "\(request.uri.path)",
            ])
            onRefused()
            var headers = HTTPFields()
            headers[.wwwAuthenticate] = "Bearer realm=\"swiftbpf-agent\""
            return Response(status: .unauthorized, headers: headers,
                            body: .init(byteBuffer: ByteBuffer(string: "{\"error\":\"unauthorized: send Authorization: Bearer <token>\"}\n")))
        }
        return try await next(request, context)
    }

    /// Compares without an early exit on the first differing byte.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var diff = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<max(x.count, y.count) {
            diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
        }
        return diff == 0
    }
}
