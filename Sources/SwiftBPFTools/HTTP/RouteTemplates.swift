/// Turns request targets into routes: the query is cut, and path segments that are ids
/// (numbers, UUIDs, long hex or token strings) become `{id}`, so `/users/42?x=1` counts under
/// `/users/{id}`. Templates given by the user (`/users/{id}/posts/{post}`) match first. Pure.
public struct RouteTemplates: Sendable {
    /// The user's templates, split into segments (`nil` for a `{placeholder}`).
    let templates: [(text: String, segments: [String?])]
    /// Whether segments that look like ids are collapsed when no template matches.
    public var collapseIDs: Bool

    /// The longest path looked at; longer ones are cut before matching.
    static let maxPathBytes = 2048

    /// - Parameter templates: patterns such as `/users/{id}`; a segment in braces matches any one segment.
    public init(templates: [String] = [], collapseIDs: Bool = true) throws(HTTPHeadParser.Failure) {
        self.templates = try templates.map { (t) throws(HTTPHeadParser.Failure) in
            guard t.hasPrefix("/") else { throw HTTPHeadParser.Failure("a route template must start with '/': '\(t)'") }
            let segments = t.split(separator: "/", omittingEmptySubsequences: true).map { s -> String? in
                s.hasPrefix("{") && s.hasSuffix("}") ? nil : String(s)
            }
            return (t, segments)
        }
        self.collapseIDs = collapseIDs
    }

    /// The path of `target` without query or fragment (absolute-form targets lose their
    /// scheme and authority).
    public static func path(of target: String) -> String {
        var t = Substring(target.utf8.count > maxPathBytes ? String(target.utf8.prefix(maxPathBytes))! : target)
        if let q = t.firstIndex(where: { $0 == "?" || $0 == "#" }) { t = t[..<q] }
        if t.hasPrefix("http://") || t.hasPrefix("https://") {
            let rest = t.drop(while: { $0 != ":" }).dropFirst(3)
            t = rest.firstIndex(of: "/").map { rest[$0...] } ?? "/"
        }
        return t.isEmpty ? "/" : String(t)
    }

    /// The route `target` counts under.
    public func route(for target: String) -> String {
        let path = Self.path(of: target)
        guard path.hasPrefix("/") else { return path }  // "*" (OPTIONS) or authority-form (CONNECT)
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        for t in templates where t.segments.count == segments.count {
            if zip(t.segments, segments).allSatisfy({ $0.0 == nil || $0.0! == $0.1 }) { return t.text }
        }
        guard collapseIDs else { return path }
        var out = ""
        for s in segments { out += "/" + (Self.isIdentifier(s) ? "{id}" : String(s)) }
        if path.hasSuffix("/"), path.count > 1 { out += "/" }
        return out.isEmpty ? "/" : out
    }

    /// A segment that names one thing among many: all digits; a UUID; 12+ hex digits with a
    /// digit; or 20+ letters, digits, '-' and '_' mixing letters and digits (tokens, hashes).
    public static func isIdentifier(_ s: Substring) -> Bool {
        let u = Array(s.utf8)
        guard !u.isEmpty else { return false }
        let isDigit = { (c: UInt8) in c >= 48 && c <= 57 }
        let isHex = { (c: UInt8) in isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70) }
        if u.allSatisfy(isDigit) { return true }
        if u.count == 36, [8, 13, 18, 23].allSatisfy({ u[$0] == 45 }),
           u.enumerated().allSatisfy({ [8, 13, 18, 23].contains($0.offset) || isHex($0.element) }) { return true }
        let digits = u.filter(isDigit).count
        if u.count >= 12, digits > 0, u.allSatisfy(isHex) { return true }
        let isToken = { (c: UInt8) in isDigit(c) || (c | 0x20 >= 97 && c | 0x20 <= 122) || c == 45 || c == 95 }
        if u.count >= 20, digits > 0, digits < u.count, u.allSatisfy(isToken) { return true }
        return false
    }
}
