/// How the introspection commands name a kernel object, as bpftool does: `ID`, `id ID`,
/// `pinned PATH`, or a bare bpffs path (anything starting with '/').
enum ObjectReference: CustomStringConvertible {
    case id(UInt32)
    case pinned(String)

    /// Parses a reference from the front of `words` and returns the rest.
    /// A reference that must be all of `words`: anything after it is an error.
    static func parseWhole(_ words: [String], what: String) throws -> ObjectReference {
        let (ref, rest) = try parse(words, what: what)
        guard rest.isEmpty else { throw IntrospectError("unexpected '\(rest.joined(separator: " "))'") }
        return ref
    }

    static func parse(_ words: [String], what: String) throws -> (ObjectReference, [String]) {
        guard let first = words.first else { throw IntrospectError("missing \(what): give ID, 'id ID', 'pinned PATH' or a bpffs path") }
        switch first {
        case "id":
            guard words.count >= 2, let id = UInt32(words[1]) else { throw IntrospectError("'id' needs a numeric \(what) id") }
            return (.id(id), Array(words.dropFirst(2)))
        case "pinned":
            guard words.count >= 2 else { throw IntrospectError("'pinned' needs a bpffs path") }
            return (.pinned(words[1]), Array(words.dropFirst(2)))
        default:
            if let id = UInt32(first) { return (.id(id), Array(words.dropFirst())) }
            if first.hasPrefix("/") { return (.pinned(first), Array(words.dropFirst())) }
            if first.hasPrefix("-"), Int(first) != nil {
                throw IntrospectError("'\(first)' is not a \(what) id: ids are positive numbers")
            }
            throw IntrospectError("'\(first)' is not a \(what) id or a bpffs path")
        }
    }

    var description: String {
        switch self {
        case let .id(id): "id \(id)"
        case let .pinned(path): "pinned \(path)"
        }
    }
}
