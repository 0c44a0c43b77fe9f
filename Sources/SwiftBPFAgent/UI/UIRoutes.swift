import Hummingbird

/// The web UI: plain HTML, CSS and JavaScript embedded in the binary at build time
/// (`.embedInCode` resources, so the agent needs no files beside it and nothing from a CDN),
/// served under `/ui/`; `/` redirects there. The assets hold no data, so they are served
/// without the token; every API call the pages make sends it.
enum UIRoutes {
    struct Asset: Sendable {
        let bytes: [UInt8]
        let contentType: String
    }

    static let assets: [String: Asset] = [
        "index.html": Asset(bytes: PackageResources.index_html, contentType: "text/html; charset=utf-8"),
        "app.css": Asset(bytes: PackageResources.app_css, contentType: "text/css; charset=utf-8"),
        "api.js": Asset(bytes: PackageResources.api_js, contentType: "text/javascript; charset=utf-8"),
        "app.js": Asset(bytes: PackageResources.app_js, contentType: "text/javascript; charset=utf-8"),
        "events.js": Asset(bytes: PackageResources.events_js, contentType: "text/javascript; charset=utf-8"),
        "processes.js": Asset(bytes: PackageResources.processes_js, contentType: "text/javascript; charset=utf-8"),
        "network.js": Asset(bytes: PackageResources.network_js, contentType: "text/javascript; charset=utf-8"),
        "profiles.js": Asset(bytes: PackageResources.profiles_js, contentType: "text/javascript; charset=utf-8"),
        "security.js": Asset(bytes: PackageResources.security_js, contentType: "text/javascript; charset=utf-8"),
        "health.js": Asset(bytes: PackageResources.health_js, contentType: "text/javascript; charset=utf-8"),
    ]

    /// Bytes of all embedded assets (BENCHMARKS.md reports it).
    static var totalBytes: Int { assets.values.reduce(0) { $0 + $1.bytes.count } }

    /// Paths served without the token: the UI's own files and the redirect to them.
    static func isPublic(_ path: String) -> Bool { path == "/" || path == "/ui" || path.hasPrefix("/ui/") }

    static func add(to router: Router<AgentRequestContext>) {
        router.get("/") { _, _ in redirect() }
        // The router treats /ui and /ui/ alike; the page's relative asset URLs need the slash.
        router.get("/ui") { request, _ in request.uri.path.hasSuffix("/") ? serve("index.html") : redirect() }
        router.get("/ui/:file") { _, context in serve(context.parameters.get("file") ?? "") }
    }

    static func redirect() -> Response {
        var headers = HTTPFields()
        headers[.location] = "/ui/"
        return Response(status: .found, headers: headers)
    }

    static func serve(_ name: String) -> Response {
        guard let asset = assets[name] else {
            return Response(status: .notFound, body: .init(byteBuffer: ByteBuffer(string: "no such UI file: \(name)\n")))
        }
        var headers = HTTPFields()
        headers[.contentType] = asset.contentType
        headers[.cacheControl] = "no-cache"
        headers[.init("X-Content-Type-Options")!] = "nosniff"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }
}
