import Glibc
import YAMLSubset

/// Reads guard policies from YAML. The document is either a list of rules or a mapping with a
/// `rules:` list; every rule is a mapping of the fields below. Unknown fields, wrong types,
/// duplicate keys and impossible combinations are errors that name the line, the column and the
/// field. Hostile input is bounded: at most 1 MiB, flow nesting at most 64 deep, aliases are
/// refused (no expansion bombs), and only the expected shapes are walked.
///
/// ```yaml
/// rules:
///   - name: no-raw-disks
///     events: [device]
///     devices: ["b 8:* rw", "c 1:1 rw"]   # cgroup v1 syntax: type major:minor access
///     action: deny
///   - name: no-shadow-reads
///     events: [open]
///     paths: [/etc/shadow]
///     action: kill
///     mode: enforce          # or monitor: count and report only
///   - name: no-ssh-out
///     events: [connect]
///     ports: [22]
///     cgroup: /sys/fs/cgroup/unified/app
///     action: deny
///   - name: app-exec-allowlist  # exemptions make allowlists: everything but these
///     events: [exec]
///     cgroup: /sys/fs/cgroup/unified/app
///     except_binary: [/usr/bin/python3.11, /usr/bin/true]   # also except_paths (open), except_ports, except_peers (sockets)
///     action: kill
/// ```
public enum GuardPolicyParser {
    public static let maxBytes = 1 << 20
    public static let maxFlowDepth = 64

    static let fields: Set<String> = [
        "name", "events", "action", "mode", "binary", "binary_inode", "parent", "parent_inode", "user", "cgroup",
        "fileless", "args", "paths", "access", "ports", "addresses", "except_binary", "except_binary_inode", "except_paths", "except_ports", "except_peers", "families", "types",
        "devices",
    ]

    /// Parses `text` (the contents of `file`, which only names the source in messages).
    public static func parse(_ text: String, file: String = "<policy>") throws(GuardPolicyError) -> GuardPolicy {
        try precheck(text, file: file)
        let root: Node?
        do {
            root = try YAMLSubset.compose(yaml: text)
        } catch {
            throw GuardPolicyError("YAML: \(error.problem)", at: GuardSourceLocation(file: file, line: error.mark.line, column: error.mark.column))
        }
        guard let root else { throw GuardPolicyError("the policy is empty", at: GuardSourceLocation(file: file, line: 1, column: 1)) }
        let list: Node
        switch root {
        case .sequence:
            list = root
        case .mapping(let mapping):
            var rules: Node?
            for (key, value) in mapping {
                let name = try keyName(key, file: file)
                switch name {
                case "rules": rules = value
                case "version":
                    guard value.scalar?.string == "1" else {
                        throw GuardPolicyError("only version 1 is known", at: location(value, file), field: "version")
                    }
                default:
                    throw GuardPolicyError("unknown top-level field '\(name)' (expected rules, version)", at: location(key, file), field: name)
                }
            }
            guard let rules else { throw GuardPolicyError("no 'rules:' list", at: location(root, file)) }
            list = rules
        default:
            throw GuardPolicyError("expected a list of rules or a mapping with 'rules:'", at: location(root, file))
        }
        guard case .sequence(let sequence) = list else {
            throw GuardPolicyError("expected a list of rules", at: location(list, file), field: "rules")
        }
        var rules: [GuardRule] = []
        var names: [String: GuardSourceLocation] = [:]
        for (i, node) in sequence.enumerated() {
            let rule = try parseRule(node, index: i, file: file)
            if let first = names[rule.name] {
                throw GuardPolicyError("rule name '\(rule.name)' is used twice (first at line \(first.line))", at: rule.location, field: "rules[\(i)].name")
            }
            names[rule.name] = rule.location
            rules.append(rule)
        }
        guard !rules.isEmpty else { throw GuardPolicyError("the rule list is empty", at: location(list, file), field: "rules") }
        guard rules.count <= GuardPolicy.maxRules else {
            throw GuardPolicyError("\(rules.count) rules; at most \(GuardPolicy.maxRules) can be loaded at once",
                                   at: rules[GuardPolicy.maxRules].location)
        }
        return GuardPolicy(rules: rules)
    }

    /// Several files into one policy set (rule names must stay unique across them).
    public static func parse(files: [(name: String, text: String)]) throws(GuardPolicyError) -> GuardPolicy {
        var rules: [GuardRule] = []
        var names: [String: GuardSourceLocation?] = [:]
        for f in files {
            for rule in try parse(f.text, file: f.name).rules {
                if let first = names[rule.name] {
                    throw GuardPolicyError("rule name '\(rule.name)' is used twice (first at \(first.map { "\($0)" } ?? "?"))", at: rule.location, field: "name")
                }
                names[rule.name] = rule.location
                rules.append(rule)
            }
        }
        guard rules.count <= GuardPolicy.maxRules else {
            throw GuardPolicyError("\(rules.count) rules in all; at most \(GuardPolicy.maxRules) can be loaded at once", at: rules[GuardPolicy.maxRules].location)
        }
        return GuardPolicy(rules: rules)
    }

    // MARK: - rules

    static func parseRule(_ node: Node, index i: Int, file: String) throws(GuardPolicyError) -> GuardRule {
        guard case .mapping(let mapping) = node else {
            throw GuardPolicyError("a rule must be a mapping of fields", at: location(node, file), field: "rules[\(i)]")
        }
        var values: [String: (key: Node, value: Node)] = [:]
        for (key, value) in mapping {
            let name = try keyName(key, file: file)
            guard fields.contains(name) else {
                throw GuardPolicyError("unknown field '\(name)' (expected one of \(fields.sorted().joined(separator: ", ")))",
                                       at: location(key, file), field: "rules[\(i)].\(name)")
            }
            guard values[name] == nil else {
                throw GuardPolicyError("field '\(name)' is given twice", at: location(key, file), field: "rules[\(i)].\(name)")
            }
            values[name] = (key, value)
        }
        let here = location(node, file)
        func field(_ name: String) -> String { "rules[\(i)].\(name)" }
        func required(_ name: String) throws(GuardPolicyError) -> Node {
            guard let v = values[name] else { throw GuardPolicyError("missing required field '\(name)'", at: here, field: field(name)) }
            return v.value
        }
        func scalar(_ name: String, _ node: Node) throws(GuardPolicyError) -> String {
            guard case .scalar(let s) = node else { throw GuardPolicyError("expected a single value", at: location(node, file), field: field(name)) }
            return s.string
        }
        func list(_ name: String) throws(GuardPolicyError) -> [(String, Node)] {
            guard let node = values[name]?.value else { return [] }
            switch node {
            case .scalar(let s): return [(s.string, node)]
            case .sequence(let seq):
                var out: [(String, Node)] = []
                for item in seq {
                    guard case .scalar(let s) = item else {
                        throw GuardPolicyError("expected a list of single values", at: location(item, file), field: field(name))
                    }
                    out.append((s.string, item))
                }
                return out
            default:
                throw GuardPolicyError("expected a value or a list of values", at: location(node, file), field: field(name))
            }
        }

        let nameNode = try required("name")
        let name = try scalar("name", nameNode)
        guard !name.isEmpty, name.utf8.count <= 64,
              name.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0) })
        else {
            throw GuardPolicyError("a rule name is 1 to 64 letters, digits, '-', '_' or '.', got '\(name)'", at: location(nameNode, file), field: field("name"))
        }

        _ = try required("events")
        var kinds: [GuardEventKind] = []
        for (text, node) in try list("events") {
            guard let kind = GuardEventKind(name: text) else {
                throw GuardPolicyError("unknown event '\(text)' (expected \(GuardEventKind.allCases.map(\.name).joined(separator: ", ")))",
                                       at: location(node, file), field: field("events"))
            }
            if kind == .fork || kind == .exit {
                throw GuardPolicyError("'\(text)' events are always reported; a rule cannot act on them", at: location(node, file), field: field("events"))
            }
            if !kinds.contains(kind) { kinds.append(kind) }
        }
        guard !kinds.isEmpty else { throw GuardPolicyError("'events' is empty", at: here, field: field("events")) }

        let actionNode = try required("action")
        let actionText = try scalar("action", actionNode)
        guard let action = GuardAction(name: actionText) else {
            throw GuardPolicyError("unknown action '\(actionText)' (expected alert, kill or deny)", at: location(actionNode, file), field: field("action"))
        }
        var rule = GuardRule(name: name, kinds: kinds, action: action)
        rule.location = here

        if let v = values["mode"]?.value {
            let text = try scalar("mode", v)
            guard let mode = GuardMode(rawValue: text) else {
                throw GuardPolicyError("unknown mode '\(text)' (expected monitor or enforce)", at: location(v, file), field: field("mode"))
            }
            rule.mode = mode
        }
        for (text, node) in try list("binary") { rule.binaries.append(try pathSelector(text, node, field("binary"), file)) }
        for (text, node) in try list("binary_inode") { rule.binaries.append(try inodeSelector(text, node, field("binary_inode"), file)) }
        for (text, node) in try list("parent") { rule.parents.append(try pathSelector(text, node, field("parent"), file)) }
        for (text, node) in try list("parent_inode") { rule.parents.append(try inodeSelector(text, node, field("parent_inode"), file)) }
        for (text, node) in try list("args") {
            guard !text.isEmpty, text.utf8.count < 256, !text.utf8.contains(0) else {
                throw GuardPolicyError("an argument is 1 to 255 bytes without NUL, got '\(text)'", at: location(node, file), field: field("args"))
            }
            rule.arguments.append(text)
        }
        for (text, node) in try list("user") {
            guard let uid = UInt32(text), uid != UInt32.max else {
                throw GuardPolicyError("a user is a numeric uid, got '\(text)'", at: location(node, file), field: field("user"))
            }
            rule.users.append(uid)
        }
        if rule.users.count > 8 {
            throw GuardPolicyError("at most 8 users per rule, got \(rule.users.count)", at: values["user"].flatMap { location($0.value, file) }, field: field("user"))
        }
        if let v = values["cgroup"]?.value {
            let text = try scalar("cgroup", v)
            guard text.hasPrefix("/") else {
                throw GuardPolicyError("a cgroup is an absolute path of a cgroup v2 directory, got '\(text)'", at: location(v, file), field: field("cgroup"))
            }
            rule.cgroup = text
        }
        if let v = values["fileless"]?.value {
            let text = try scalar("fileless", v)
            guard let b = Bool(text) else { throw GuardPolicyError("expected true or false, got '\(text)'", at: location(v, file), field: field("fileless")) }
            rule.fileless = b
        }
        for (text, node) in try list("paths") {
            guard text.hasPrefix("/"), !text.utf8.contains(0) else {
                throw GuardPolicyError("a path must be absolute, got '\(text)'", at: location(node, file), field: field("paths"))
            }
            rule.paths.append(text)
        }
        if let v = values["access"]?.value {
            let text = try scalar("access", v)
            guard let access = GuardFileAccess(rawValue: text) else {
                throw GuardPolicyError("unknown access '\(text)' (expected any, read or write)", at: location(v, file), field: field("access"))
            }
            guard access != .read else {
                throw GuardPolicyError("'access: read' is not supported (use any, which covers reads, or write)", at: location(v, file), field: field("access"))
            }
            rule.access = access
        }
        for (text, node) in try list("ports") { rule.ports.append(try portRange(text, node, field("ports"), file)) }
        for (text, node) in try list("addresses") { rule.addresses.append(try addressRange(text, node, field("addresses"), file)) }
        for (text, node) in try list("except_binary") { rule.exceptBinaries.append(try pathSelector(text, node, field("except_binary"), file)) }
        for (text, node) in try list("except_binary_inode") { rule.exceptBinaries.append(try inodeSelector(text, node, field("except_binary_inode"), file)) }
        for (text, node) in try list("except_paths") {
            guard text.hasPrefix("/"), !text.utf8.contains(0) else {
                throw GuardPolicyError("a path must be absolute, got '\(text)'", at: location(node, file), field: field("except_paths"))
            }
            rule.exceptPaths.append(text)
        }
        for (text, node) in try list("except_ports") {
            // Port 0 is a bind to an ephemeral port: an allowlist may exempt it.
            rule.exceptPorts.append(text == "0" ? 0...0 : try portRange(text, node, field("except_ports"), file))
        }

        for (text, node) in try list("families") {
            guard let f = GuardSocketNames.family(text) else {
                throw GuardPolicyError("unknown socket family '\(text)' (a name such as inet, inet6, unix, netlink, packet, or a number 1-63)", at: location(node, file), field: field("families"))
            }
            rule.families.append(f)
        }
        for (text, node) in try list("types") {
            guard let t = GuardSocketNames.type(text) else {
                throw GuardPolicyError("unknown socket type '\(text)' (stream, dgram, raw, seqpacket, rdm, packet, or a number 1-15)", at: location(node, file), field: field("types"))
            }
            rule.socketTypes.append(t)
        }
        for (text, node) in try list("except_peers") { rule.exceptPeers.append(try peer(text, node, field("except_peers"), file)) }
        for (text, node) in try list("devices") {
            guard let d = GuardDevice(text) else {
                throw GuardPolicyError("a device is 'TYPE MAJOR:MINOR [ACCESS]' as in cgroup v1 device rules (type c, b or a; '*' for any number; access letters r, w, m), got '\(text)'",
                                       at: location(node, file), field: field("devices"))
            }
            rule.devices.append(d)
        }

        try checkCombination(rule, values: values, field: field, file: file)
        return rule
    }

    /// Conditions apply to some kinds only, and each kind has the actions its hook can carry out.
    static func checkCombination(_ rule: GuardRule, values: [String: (key: Node, value: Node)], field: (String) -> String, file: String) throws(GuardPolicyError) {
        func at(_ name: String) -> GuardSourceLocation? { values[name].flatMap { location($0.key, file) } ?? rule.location }
        if values["access"] != nil, rule.kinds != [.open] {
            throw GuardPolicyError("'access' applies to open events only; give this rule 'events: [open]' and put the other events in a rule of their own",
                                   at: at("access"), field: field("access"))
        }
        if !rule.paths.isEmpty, let kind = rule.kinds.first(where: { !$0.isPathCall }) {
            throw GuardPolicyError("'paths' applies to open, unlink, rename, chmod and chown events, not \(kind.name); put \(kind.name) in a rule of its own",
                                   at: at("paths"), field: field("paths"))
        }
        if !rule.exceptPaths.isEmpty, rule.kinds != [.open] {
            throw GuardPolicyError("'except_paths' applies to open events only", at: at("except_paths"), field: field("except_paths"))
        }
        for (name, used) in [("except_ports", !rule.exceptPorts.isEmpty), ("except_peers", !rule.exceptPeers.isEmpty),
                             ("ports", !rule.ports.isEmpty), ("addresses", !rule.addresses.isEmpty)] where used && !rule.kinds.allSatisfy(\.hasAddress) {
            throw GuardPolicyError("'\(name)' applies to connect, bind, sendmsg, listen and accept events only", at: at(name), field: field(name))
        }
        if !rule.families.isEmpty || !rule.socketTypes.isEmpty, rule.kinds != [.socket] {
            let name = rule.families.isEmpty ? "types" : "families"
            throw GuardPolicyError("'\(name)' applies to socket events only; put socket in a rule of its own", at: at(name), field: field(name))
        }
        if rule.kinds.contains(.socket) {
            // inet and inet6 sockets are decided in the cgroup sock_create hook (deny, no signal),
            // every other family at the socket() tracepoint (kill, no refusal).
            let hooked = GuardSocketNames.cgroupHookFamilies
            if rule.action == .kill, rule.families.isEmpty || rule.families.contains(where: hooked.contains) {
                throw GuardPolicyError("kill on socket is for families other than inet and inet6 (name them in 'families'): inet and inet6 sockets are checked in the cgroup sock_create hook, which cannot signal; use deny for those",
                                       at: at("action"), field: field("action"))
            }
            if rule.action == .deny, rule.families.isEmpty || !rule.families.allSatisfy(hooked.contains) {
                throw GuardPolicyError("deny on socket is for 'families: [inet, inet6]' only: the cgroup sock_create hook, which refuses with EPERM, sees those; other families are checked at the socket() tracepoint, where the strongest action is kill",
                                       at: at("action"), field: field("action"))
            }
        }
        if !rule.devices.isEmpty, rule.kinds != [.device] {
            throw GuardPolicyError("'devices' applies to device events only; put device in a rule of its own", at: at("devices"), field: field("devices"))
        }
        if rule.kinds.contains(.device), rule.devices.isEmpty {
            // A device rule without devices would cover every device node, /dev/null included.
            throw GuardPolicyError("a device rule needs 'devices' (for example [\"c 1:3 rw\"], or [\"a *:* rwm\"] for every device)",
                                   at: rule.location, field: field("devices"))
        }
        if !rule.arguments.isEmpty, rule.kinds != [.exec] {
            throw GuardPolicyError("'args' selects executions by their arguments: it needs 'events: [exec]'", at: at("args"), field: field("args"))
        }
        if !rule.arguments.isEmpty, rule.action == .deny {
            throw GuardPolicyError("'args' works with alert and kill: arguments are read at the exec tracepoint, after the point where deny could refuse the exec; use kill (SIGKILL before the new program runs)",
                                   at: at("args"), field: field("args"))
        }
        if rule.fileless, rule.kinds != [.exec] {
            throw GuardPolicyError("'fileless' selects executions: it needs 'events: [exec]'", at: at("fileless"), field: field("fileless"))
        }
        if rule.action == .kill, let kind = rule.kinds.first(where: \.isCgroupHook) {
            throw GuardPolicyError("kill is not available for \(kind.name) (it is checked in a cgroup hook, which cannot signal); use deny, which fails the call with EPERM",
                                   at: at("action"), field: field("action"))
        }
        if rule.action == .deny, let kind = rule.kinds.first(where: { !$0.isCgroupHook && !$0.isLSMHook && $0 != .socket }) {
            throw GuardPolicyError("deny is not available for \(kind.name): guard refuses calls in the cgroup hooks (connect, bind, sendmsg, device) and in BPF LSM hooks (exec, open, unlink, rename, chmod, chown); the strongest action available for \(kind.name) is kill (SIGKILL before the call returns)",
                                   at: at("action"), field: field("action"))
        }
    }

    static func pathSelector(_ text: String, _ node: Node, _ field: String, _ file: String) throws(GuardPolicyError) -> GuardFileSelector {
        guard text.hasPrefix("/"), !text.utf8.contains(0) else {
            throw GuardPolicyError("a binary is named by its absolute path, got '\(text)'", at: location(node, file), field: field)
        }
        return .path(text)
    }

    static func inodeSelector(_ text: String, _ node: Node, _ field: String, _ file: String) throws(GuardPolicyError) -> GuardFileSelector {
        guard let id = FileID(parsing: text) else {
            throw GuardPolicyError("an inode is written major:minor:inode (e.g. 8:1:1234), got '\(text)'", at: location(node, file), field: field)
        }
        return .inode(id)
    }

    static func portRange(_ text: String, _ node: Node, _ field: String, _ file: String) throws(GuardPolicyError) -> ClosedRange<UInt16> {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 1, let p = UInt16(text), p != 0 { return p...p }
        if parts.count == 2, let a = UInt16(parts[0]), let b = UInt16(parts[1]), a != 0, a <= b { return a...b }
        throw GuardPolicyError("a port is 1-65535 or a range 'low-high', got '\(text)'", at: location(node, file), field: field)
    }

    /// A peer: `ADDRESS[/BITS][:PORT]` for IPv4, `[ADDRESS[/BITS]]:PORT` or `ADDRESS[/BITS]`
    /// for IPv6 (brackets when a port follows). Without a port, any port.
    static func peer(_ text: String, _ node: Node, _ field: String, _ file: String) throws(GuardPolicyError) -> GuardPeer {
        var host = Substring(text)
        var portText: Substring?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else {
                throw GuardPolicyError("a peer in brackets is [ADDRESS[/BITS]]:PORT, got '\(text)'", at: location(node, file), field: field)
            }
            let rest = host[host.index(after: close)...]
            guard rest.isEmpty || rest.hasPrefix(":") else {
                throw GuardPolicyError("a peer in brackets is [ADDRESS[/BITS]]:PORT, got '\(text)'", at: location(node, file), field: field)
            }
            if !rest.isEmpty { portText = rest.dropFirst() }
            host = host[host.index(after: host.startIndex)..<close]
        } else if host.filter({ $0 == ":" }).count == 1, let colon = host.firstIndex(of: ":") {
            portText = host[host.index(after: colon)...]
            host = host[..<colon]
        }
        var port: UInt16?
        if let portText {
            guard let p = UInt16(portText) else {
                throw GuardPolicyError("a peer's port is 0-65535, got '\(portText)' in '\(text)'", at: location(node, file), field: field)
            }
            port = p
        }
        return GuardPeer(range: try addressRange(String(host), node, field, file), port: port, text: text)
    }

    static func addressRange(_ text: String, _ node: Node, _ field: String, _ file: String) throws(GuardPolicyError) -> GuardAddressRange {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { throw GuardPolicyError("an address range is ADDRESS or ADDRESS/BITS, got '\(text)'", at: location(node, file), field: field) }
        let host = String(parts[0])
        var bytes = [UInt8](repeating: 0, count: 16)
        var v4 = in_addr()
        var v6 = in6_addr()
        let bitsMax: Int
        if inet_pton(AF_INET, host, &v4) == 1 {
            bytes[10] = 0xff
            bytes[11] = 0xff
            withUnsafeBytes(of: v4.s_addr) { for i in 0..<4 { bytes[12 + i] = $0[i] } }
            bitsMax = 32
        } else if inet_pton(AF_INET6, host, &v6) == 1 {
            withUnsafeBytes(of: v6) { for i in 0..<16 { bytes[i] = $0[i] } }
            bitsMax = 128
        } else {
            throw GuardPolicyError("'\(host)' is not an IPv4 or IPv6 address", at: location(node, file), field: field)
        }
        var bits = bitsMax
        if parts.count == 2 {
            guard let b = Int(parts[1]), b >= 0, b <= bitsMax else {
                throw GuardPolicyError("prefix length must be 0...\(bitsMax), got '\(parts[1])'", at: location(node, file), field: field)
            }
            bits = b
        }
        return GuardAddressRange(address: bytes, prefixLength: bitsMax == 32 ? 96 + bits : bits, text: text)
    }

    // MARK: - YAML plumbing

    static func keyName(_ key: Node, file: String) throws(GuardPolicyError) -> String {
        guard case .scalar(let s) = key else { throw GuardPolicyError("a key must be a plain name", at: location(key, file)) }
        return s.string
    }

    static func location(_ node: Node, _ file: String) -> GuardSourceLocation? {
        node.mark.map { GuardSourceLocation(file: file, line: $0.line, column: $0.column) }
    }

    /// Bounds before the reader sees the text: size, flow nesting (the composer recurses per level),
    /// and no aliases (`*name`: a few lines could otherwise stand for millions of nodes).
    static func precheck(_ text: String, file: String) throws(GuardPolicyError) {
        guard text.utf8.count <= maxBytes else {
            throw GuardPolicyError("the policy is \(text.utf8.count) bytes; at most \(maxBytes) are read", at: GuardSourceLocation(file: file, line: 1, column: 1))
        }
        var depth = 0, line = 1, column = 0
        var quote: UInt8? = nil
        var comment = false
        var previous: UInt8 = 10
        for byte in text.utf8 {
            column += 1
            if byte == 10 {
                line += 1
                column = 0
                comment = false
                previous = byte
                continue
            }
            if comment { continue }
            if let q = quote {
                if byte == q { quote = nil }
                previous = byte
                continue
            }
            switch byte {
            case UInt8(ascii: "#") where previous == 32 || previous == 9 || previous == 10: comment = true
            case UInt8(ascii: "\""), UInt8(ascii: "'") where previous == 32 || previous == 10 || previous == UInt8(ascii: "[") || previous == UInt8(ascii: ",") || previous == UInt8(ascii: ":"):
                quote = byte
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > maxFlowDepth {
                    throw GuardPolicyError("nesting deeper than \(maxFlowDepth) levels", at: GuardSourceLocation(file: file, line: line, column: column))
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth = max(0, depth - 1)
            case UInt8(ascii: "*") where previous == 32 || previous == 10 || previous == UInt8(ascii: "[") || previous == UInt8(ascii: ","):
                throw GuardPolicyError("YAML aliases (*name) are not allowed in policies", at: GuardSourceLocation(file: file, line: line, column: column))
            default: break
            }
            previous = byte
        }
    }
}
