import ArgumentParser
import BPF

/// How the introspection commands name a kernel object, as bpftool does: `ID`, `id ID`,
/// `pinned PATH`, or a bare bpffs path (anything starting with '/').
enum ObjectReference: CustomStringConvertible {
    case id(UInt32)
    case pinned(String)

    /// Parses a reference from the front of `words` and returns the rest.
    static func parse(_ words: [String], what: String) throws -> (ObjectReference, [String]) {
        guard let first = words.first else { throw ValidationError("missing \(what): give ID, 'id ID', 'pinned PATH' or a bpffs path") }
        switch first {
        case "id":
            guard words.count >= 2, let id = UInt32(words[1]) else { throw ValidationError("'id' needs a numeric \(what) id") }
            return (.id(id), Array(words.dropFirst(2)))
        case "pinned":
            guard words.count >= 2 else { throw ValidationError("'pinned' needs a bpffs path") }
            return (.pinned(words[1]), Array(words.dropFirst(2)))
        default:
            if let id = UInt32(first) { return (.id(id), Array(words.dropFirst())) }
            if first.hasPrefix("/") { return (.pinned(first), Array(words.dropFirst())) }
            throw ValidationError("'\(first)' is not a \(what) id or a bpffs path")
        }
    }

    var description: String {
        switch self {
        case let .id(id): "id \(id)"
        case let .pinned(path): "pinned \(path)"
        }
    }

    /// Opens the object, turning ENOENT into "no such program/map/link".
    func open<T>(_ kind: String, byID: (UInt32) throws(BPFError) -> T, byPath: (String) throws(BPFError) -> T) throws -> T {
        do {
            switch self {
            case let .id(id): return try byID(id)
            case let .pinned(path): return try byPath(path)
            }
        } catch {
            if case let .syscall(_, errno) = error, errno == .ENOENT {
                throw IntrospectError("no \(kind) with \(self)")
            }
            if case let .syscall(_, errno) = error, errno == .EINVAL, case .pinned = self {
                throw IntrospectError("\(self) is not a \(kind) (or not on bpffs)")
            }
            throw error
        }
    }

    func openProgram() throws -> Program {
        try open("program", byID: { (id) throws(BPFError) in try Program.open(id: id) }, byPath: { (p) throws(BPFError) in try Program.open(pinned: p) })
    }

    func openMap() throws -> Map {
        try open("map", byID: { (id) throws(BPFError) in try Map.open(id: id) }, byPath: { (p) throws(BPFError) in try Map.open(pinned: p) })
    }

    func openLink() throws -> Link {
        try open("link", byID: { (id) throws(BPFError) in try Link.open(id: id) }, byPath: { (p) throws(BPFError) in try Link.open(pinned: p) })
    }
}

/// A user-facing error of the introspection commands; printed as is, exit status 1.
struct IntrospectError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
