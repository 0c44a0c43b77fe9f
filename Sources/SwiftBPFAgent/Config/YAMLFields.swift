import Yams

/// A YAML mapping read key by key, with the path of every key for errors, rejecting keys that
/// nothing read (a misspelt key is an error, not a silent default).
struct YAMLFields {
    let path: String
    private var values: [String: Node] = [:]
    private var used: Set<String> = []

    init(_ node: Node?, path: String) throws(ConfigError) {
        self.path = path
        guard let node else { return }
        if node.null != nil { return }
        guard let mapping = node.mapping else { throw ConfigError("\(path.isEmpty ? "the document" : path) must be a mapping") }
        for (key, value) in mapping {
            guard let name = key.string else { throw ConfigError("\(path): a key is not a string") }
            values[name] = value
        }
    }

    private func at(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    mutating func node(_ key: String) -> Node? {
        used.insert(key)
        guard let n = values[key], n.null == nil else { return nil }
        return n
    }

    mutating func string(_ key: String) throws(ConfigError) -> String? {
        guard let n = node(key) else { return nil }
        guard let s = n.scalar?.string else { throw ConfigError("\(at(key)) must be a string") }
        return s
    }

    mutating func int(_ key: String) throws(ConfigError) -> Int? {
        guard let n = node(key) else { return nil }
        guard let v = n.int else { throw ConfigError("\(at(key)) must be an integer, got \(n.scalar?.string ?? "a collection")") }
        return v
    }

    mutating func double(_ key: String) throws(ConfigError) -> Double? {
        guard let n = node(key) else { return nil }
        guard let v = n.float ?? n.int.map(Double.init) else {
            throw ConfigError("\(at(key)) must be a number, got \(n.scalar?.string ?? "a collection")")
        }
        return v
    }

    mutating func bool(_ key: String) throws(ConfigError) -> Bool? {
        guard let n = node(key) else { return nil }
        guard let v = Self.bool(n) else { throw ConfigError("\(at(key)) must be true or false, got \(n.scalar?.string ?? "a collection")") }
        return v
    }

    /// A plain scalar's YAML 1.1 boolean (true/yes/on, false/no/off, any case), as Yams' default
    /// resolver reads it; nil for anything else, a quoted "true" included.
    static func bool(_ n: Node) -> Bool? {
        guard let s = n.scalar, s.style == .plain || s.style == .any else { return nil }
        switch s.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: return nil
        }
    }

    mutating func uint32(_ key: String) throws(ConfigError) -> UInt32? {
        guard let v = try int(key) else { return nil }
        guard let u = UInt32(exactly: v) else { throw ConfigError("\(at(key)) must be 0 to \(UInt32.max), got \(v)") }
        return u
    }

    mutating func mapping(_ key: String) throws(ConfigError) -> YAMLFields {
        try YAMLFields(node(key), path: at(key))
    }

    mutating func sequence(_ key: String) throws(ConfigError) -> [Node] {
        guard let n = node(key) else { return [] }
        guard let s = n.sequence else { throw ConfigError("\(at(key)) must be a list") }
        return Array(s)
    }

    /// Every key, for mappings whose keys are names (collectors, static mappings).
    var keys: [String] { values.keys.sorted() }

    /// Throws when a key was never read.
    func rejectUnknown(known extra: [String] = []) throws(ConfigError) {
        let unknown = Set(values.keys).subtracting(used).subtracting(extra)
        if let first = unknown.sorted().first {
            throw ConfigError("unknown key \"\(at(first))\"")
        }
    }

    func child(_ key: String) -> String { at(key) }
}
