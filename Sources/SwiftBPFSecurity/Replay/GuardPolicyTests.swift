import YAMLSubset

/// Unit tests of a policy, without root: each case describes an event by names (resolved like
/// the policy's own, by the same `GuardResolver`) and the outcome expected from the matcher.
///
/// ```yaml
/// cases:
///   - name: shells may not run curl
///     event: exec
///     binary: /usr/bin/curl
///     parent: /bin/bash
///     expect: kill              # kill, deny, alert, none, or would-kill... for monitor rules
///     rule: no-curl             # optional: the deciding rule
///   - {name: reads of /etc/hosts pass, event: open, binary: /bin/cat, path: /etc/hosts, expect: none}
///   - {name: ssh out denied, event: connect, port: 22, address: 10.0.0.1, uid: 1000, expect: deny}
///   - {name: raw sockets, event: socket, family: packet, type: raw, expect: kill}
///   - {name: disk reads, event: device, device: "b 8:0 r", expect: deny}
/// ```
public struct GuardPolicyCase: Sendable {
    public var name: String
    public var facts: GuardMatchFacts
    public var expect: String
    public var rule: String?
    public var line: Int
}

public enum GuardPolicyCaseFile {
    static let fields = ["name", "event", "binary", "binary_inode", "parent", "parent_inode", "uid", "cgroup", "fileless",
                         "path", "write", "port", "address", "family", "type", "device", "expect", "rule"]
    static let outcomes = ["none", "alert", "kill", "deny", "would-alert", "would-kill", "would-deny"]

    public static func parse(_ text: String, file: String, resolver: some GuardResolver) throws(GuardPolicyError) -> [GuardPolicyCase] {
        func at(_ node: Node?) -> GuardSourceLocation? { node?.mark.map { GuardSourceLocation(file: file, line: $0.line, column: $0.column) } }
        let root: Node?
        do { root = try YAMLSubset.compose(yaml: text) } catch {
            throw GuardPolicyError("YAML: \(error.problem)", at: GuardSourceLocation(file: file, line: error.mark.line, column: error.mark.column))
        }
        var list = root
        if let m = root?.mapping {
            guard m.pairs.count == 1, m.pairs[0].key.string == "cases" else { throw GuardPolicyError("expected a list of cases or a mapping with 'cases:'", at: at(root)) }
            list = m.pairs[0].value
        }
        guard let items = list?.sequence, !items.isEmpty else { throw GuardPolicyError("no cases", at: at(root) ?? GuardSourceLocation(file: file, line: 1, column: 1)) }
        var out: [GuardPolicyCase] = []
        for (i, item) in items.enumerated() {
            let field = { (name: String) in "cases[\(i)].\(name)" }
            guard let m = item.mapping else { throw GuardPolicyError("a case is a mapping", at: at(item), field: "cases[\(i)]") }
            var v: [String: Node] = [:]
            for (k, value) in m {
                guard let key = k.string, fields.contains(key) else {
                    throw GuardPolicyError("unknown field '\(k.string ?? "?")' (expected \(fields.joined(separator: ", ")))", at: at(k), field: "cases[\(i)]")
                }
                guard v[key] == nil else { throw GuardPolicyError("'\(key)' given twice", at: at(k), field: field(key)) }
                v[key] = value
            }
            func text(_ key: String) throws(GuardPolicyError) -> String? {
                guard let n = v[key] else { return nil }
                guard let s = n.string else { throw GuardPolicyError("expected a value", at: at(n), field: field(key)) }
                return s
            }
            func file(_ key: String, _ inodeKey: String) throws(GuardPolicyError) -> FileID? {
                if let p = try text(key) {
                    guard let id = resolver.fileID(p) else { throw GuardPolicyError("\(p) does not exist here (cases name files by path; use \(inodeKey) for another machine's)", at: at(v[key]), field: field(key)) }
                    return id
                }
                if let s = try text(inodeKey) {
                    guard let id = FileID(parsing: s) else { throw GuardPolicyError("an inode is major:minor:inode, got '\(s)'", at: at(v[inodeKey]), field: field(inodeKey)) }
                    return id
                }
                return nil
            }
            guard let eventText = try text("event") else { throw GuardPolicyError("missing 'event'", at: at(item), field: field("event")) }
            guard let kind = GuardEventKind(name: eventText) else { throw GuardPolicyError("unknown event '\(eventText)'", at: at(v["event"]), field: field("event")) }
            guard let expect = try text("expect") else { throw GuardPolicyError("missing 'expect'", at: at(item), field: field("expect")) }
            guard outcomes.contains(expect) else { throw GuardPolicyError("expect is one of \(outcomes.joined(separator: ", ")), got '\(expect)'", at: at(v["expect"]), field: field("expect")) }
            var uid: UInt32 = 0
            if let u = try text("uid") {
                guard let n = UInt32(u) else { throw GuardPolicyError("a uid is a number, got '\(u)'", at: at(v["uid"]), field: field("uid")) }
                uid = n
            }
            var facts = GuardMatchFacts(kind: kind, binary: try file("binary", "binary_inode"), parentBinary: try file("parent", "parent_inode"), uid: uid)
            if let f = try text("fileless") { facts.fileless = f == "true" }
            if let w = try text("write") { facts.write = w == "true" }
            if let p = try text("path") {
                guard p.hasPrefix("/") else { throw GuardPolicyError("a path must be absolute", at: at(v["path"]), field: field("path")) }
                var chain: [FileID] = []
                var current = Substring(p)
                while true {
                    if let id = resolver.fileID(String(current)) { chain.append(id) }
                    guard current != "/", let slash = current.lastIndex(of: "/") else { break }
                    current = slash == current.startIndex ? "/" : current[..<slash]
                }
                facts.pathChain = chain
            }
            if let p = try text("port") {
                guard let n = UInt16(p) else { throw GuardPolicyError("a port is 0-65535, got '\(p)'", at: at(v["port"]), field: field("port")) }
                facts.port = n
            }
            if let a = try text("address") {
                guard let bytes = GuardRecord.addressBytes(a) else { throw GuardPolicyError("'\(a)' is not an IP address", at: at(v["address"]), field: field("address")) }
                facts.address = bytes
            }
            if let f = try text("family") {
                guard let n = GuardSocketNames.family(f) else { throw GuardPolicyError("unknown socket family '\(f)'", at: at(v["family"]), field: field("family")) }
                facts.socketFamily = n
            }
            if let t = try text("type") {
                guard let n = GuardSocketNames.type(t) else { throw GuardPolicyError("unknown socket type '\(t)'", at: at(v["type"]), field: field("type")) }
                facts.socketType = n
            }
            if let d = try text("device") {
                // One access to one device: a type c or b, both numbers, the access letters.
                guard let device = GuardDevice(d), device.types.count == 1, let major = device.major, let minor = device.minor else {
                    throw GuardPolicyError("a device access is 'c|b MAJOR:MINOR ACCESS' with numbers, got '\(d)'", at: at(v["device"]), field: field("device"))
                }
                facts.device = GuardDeviceAccess(type: device.types[0].rawValue, major: major, minor: minor, access: device.access.rawValue)
            }
            if let c = try text("cgroup") {
                guard let leaf = resolver.cgroup(c) else { throw GuardPolicyError("\(c) is not a cgroup v2 directory here", at: at(v["cgroup"]), field: field("cgroup")) }
                var ids = [UInt64](repeating: 0, count: leaf.level + 1)
                var current = Substring(c)
                while let r = resolver.cgroup(String(current)), r.level < ids.count {
                    ids[r.level] = r.id
                    guard r.level > 0, let slash = current.lastIndex(of: "/"), slash != current.startIndex else { break }
                    current = current[..<slash]
                }
                facts.cgroupAncestors = ids
            }
            out.append(GuardPolicyCase(name: try text("name") ?? "case \(i + 1)", facts: facts, expect: expect, rule: try text("rule"),
                                       line: item.mark?.line ?? 0))
        }
        return out
    }

    /// The outcome text of a decision, as cases write it.
    public static func outcome(_ d: GuardDecision) -> String {
        guard d.rule != nil else { return "none" }
        return d.enforce ? d.action.name : "would-\(d.action.name)"
    }

    /// Runs the cases; returns one line per case and whether all passed.
    public static func run(_ cases: [GuardPolicyCase], policy: CompiledGuardPolicy, file: String) -> (report: String, passed: Bool) {
        let matcher = GuardMatcher(policy)
        var lines: [String] = []
        var failures = 0
        for c in cases {
            let d = matcher.decide(c.facts)
            let got = outcome(d)
            let ruleName = d.rule.flatMap { i in policy.rules.first { $0.index == i }?.rule.name }
            let ok = got == c.expect && (c.rule == nil || c.rule == ruleName)
            if !ok { failures += 1 }
            lines.append("\(ok ? "ok  " : "FAIL") \(file):\(c.line): \(c.name): \(got)\(ruleName.map { " (rule \($0))" } ?? "")" +
                         (ok ? "" : ", expected \(c.expect)\(c.rule.map { " (rule \($0))" } ?? "")"))
        }
        lines.append("\(cases.count - failures) of \(cases.count) cases passed")
        return (lines.joined(separator: "\n"), failures == 0)
    }
}
