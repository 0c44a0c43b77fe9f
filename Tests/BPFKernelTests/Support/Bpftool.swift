import Foundation

/// bpftool as a test oracle (never a run-time dependency of the library).
enum Bpftool {
    static var path: String? { Command.which("bpftool") }

    /// `bpftool prog loadall OBJ DIR`: libbpf's own loader, pinning each program at DIR/<name>.
    static func loadAll(object: String, pinDirectory: String) throws -> CommandResult {
        try Command.run(path!, ["prog", "loadall", object, pinDirectory])
    }

    /// `bpftool prog dump xlated pinned PATH` with `map[id:N]` rewritten to `map[NAME]`, so that
    /// dumps of two loads of the same object can be compared.
    static func xlated(pinned: String) throws -> String {
        let r = try Command.run(path!, ["prog", "dump", "xlated", "pinned", pinned])
        guard r.status == 0 else { return "bpftool failed: \(r.stderr)" }
        return try normaliseMapIDs(r.stdout)
    }

    static func normaliseMapIDs(_ text: String) throws -> String {
        var out = ""
        var rest = Substring(text)
        var names: [String: String] = [:]
        while let r = rest.range(of: "map[id:") {
            out += rest[rest.startIndex..<r.lowerBound]
            let after = rest[r.upperBound...]
            guard let close = after.firstIndex(of: "]") else { break }
            let id = String(after[after.startIndex..<close])
            if names[id] == nil {
                let show = try Command.run(path!, ["map", "show", "id", id, "-j"])
                let json = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any]
                names[id] = json?["name"] as? String ?? "id\(id)"
            }
            out += "map[\(names[id]!)]"
            rest = after[after.index(after: close)...]
        }
        out += rest
        return out
    }

    /// Loaded programs by id, with their (kernel, 15-byte) names.
    static func programs() throws -> [Int: String] {
        let r = try Command.run(path!, ["prog", "list", "-j"])
        let arr = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]] ?? []
        var out: [Int: String] = [:]
        for p in arr { if let id = p["id"] as? Int { out[id] = p["name"] as? String ?? "" } }
        return out
    }

    /// Program ids of every loaded program, for leak checks.
    static func programIDs() throws -> Set<Int> {
        Set(try programNames().keys)
    }

    /// Every loaded program's id and name (the kernel keeps 15 bytes of a name).
    static func programNames() throws -> [Int: String] {
        let r = try Command.run(path!, ["prog", "list", "-j"])
        let arr = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]] ?? []
        var out: [Int: String] = [:]
        for p in arr { if let id = p["id"] as? Int { out[id] = p["name"] as? String ?? "" } }
        return out
    }
}

/// A unique scratch folder on bpffs, removed (with its pins) at the end.
final class PinDirectory {
    let path: String
    init(_ tag: String) throws {
        path = "/sys/fs/bpf/swiftbpf_test_\(tag)_\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func remove() { try? FileManager.default.removeItem(atPath: path) }
    deinit { remove() }
}

/// Writes bytes to a temporary file that is deleted at the end.
final class TemporaryFile {
    let path: String
    init(_ bytes: [UInt8], suffix: String) throws {
        path = NSTemporaryDirectory() + "swiftbpf-\(getpid())-\(UInt32.random(in: 0...UInt32.max))\(suffix)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// True when the tests run as root, which kernel tests need.
let isRoot = getuid() == 0
