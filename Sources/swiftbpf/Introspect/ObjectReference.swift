import ArgumentParser
import BPF

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

    /// Opens the object, turning ENOENT into "no such program/map/link". A pinned path must
    /// hold an object of the expected kind (checked through its fdinfo before use).
    func open<T>(_ kind: BPFObjectKind, _ what: String, byID: (UInt32) throws(BPFError) -> T,
                 taking: (consuming FileDescriptor) throws(BPFError) -> T) throws -> T {
        do {
            switch self {
            case let .id(id): return try byID(id)
            case let .pinned(path):
                let fd = try BPFCommands.objGet(path: path)
                guard BPFObjectKind.of(fd: fd.rawValue) == kind else { throw IntrospectError("\(path) is not a \(what)") }
                return try taking(fd)
            }
        } catch let error as BPFError {
            if case let .syscall(_, errno) = error, errno == .ENOENT {
                throw IntrospectError("no \(what) with \(self)")
            }
            if case let .syscall(_, errno) = error, errno == .EINVAL || errno == .EPERM, case .pinned = self {
                throw IntrospectError("\(self) is not a pinned \(what) on bpffs (\(errno))")
            }
            throw error
        }
    }

    func openProgram() throws -> Program {
        try open(.program, "program", byID: { (id) throws(BPFError) in try Program.open(id: id) },
                 taking: { (fd) throws(BPFError) in try Program(taking: fd) })
    }

    func openMap() throws -> Map {
        try open(.map, "map", byID: { (id) throws(BPFError) in try Map.open(id: id) },
                 taking: { (fd) throws(BPFError) in try Map(taking: fd) })
    }

    func openLink() throws -> Link {
        try open(.link, "link", byID: { (id) throws(BPFError) in try Link.open(id: id) },
                 taking: { (fd) throws(BPFError) in Link(taking: fd, name: "link \(self)") })
    }
}

/// A user-facing error of the introspection commands; printed as is, exit status 1.
struct IntrospectError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// What the `prog|map|link show` commands share: every object's details when no target is
/// given, else the one the reference names; JSON or text.
enum ShowDetails {
    static func run<Details>(_ target: [String], json: Bool, what: String, all: () throws -> [Details],
                             open: (ObjectReference) throws -> Details,
                             toJSON: (Details) -> JSONNode, toText: (Details) -> String) throws {
        if target.isEmpty {
            let details = try all()
            print(json ? JSONNode.array(details.map(toJSON)).text : details.map(toText).joined(separator: "\n"))
            return
        }
        let ref = try ObjectReference.parseWhole(target, what: what)
        let details = try open(ref)
        print(json ? toJSON(details).text : toText(details))
    }
}
