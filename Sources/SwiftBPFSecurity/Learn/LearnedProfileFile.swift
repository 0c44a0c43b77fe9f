import ToolText
import YAMLSubset

/// A profile that cannot be read: `file:line:column: reason`.
public struct LearnedProfileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public var description: String { "\(file):\(line):\(column): \(message)" }
}

/// The profile as YAML: one flow mapping per item, so that every item has a line of its own
/// (for diffs and for error messages).
///
/// ```yaml
/// version: 1
/// workload: {cgroup: "/sys/fs/cgroup/unified/app"}
/// observed: {seconds: 10.0, runs: 1}
/// execs:
///   - {path: "/usr/bin/python3.11", inode: "254:1:1234", parents: ["/usr/bin/bash"], count: 2}
/// files:
///   - {path: "/etc/hosts", mode: read, count: 3}
/// network:
///   - {event: connect, address: "127.0.0.1", port: 8080, name: "localhost", count: 1}
/// syscalls:
///   - {name: socket, count: 4, args: [{index: 0, value: 2, count: 4}]}
/// ```
public enum LearnedProfileFile {
    public static func write(_ profile: LearnedProfile) -> String {
        var p = profile
        p.normalize()
        func q(_ s: String) -> String { JSON.string(s) }
        var lines = ["# swiftbpf guard profile: \(p.workload.description), \(formatSeconds(p.seconds)) s over \(p.runs) run\(p.runs == 1 ? "" : "s")",
                     "version: 1"]
        var w: [String] = []
        if let c = p.workload.cgroup { w.append("cgroup: \(q(c))") }
        if let c = p.workload.comm { w.append("comm: \(q(c))") }
        if let pid = p.workload.pid { w.append("pid: \(pid)") }
        lines.append("workload: {\(w.joined(separator: ", "))}")
        lines.append("observed: {seconds: \(formatSeconds(p.seconds)), runs: \(p.runs)}")
        lines.append("execs:" + (p.execs.isEmpty ? " []" : ""))
        for e in p.execs {
            var f = ["path: \(q(e.path))"]
            if let i = e.inode { f.append("inode: \(q(i.description))") }
            f.append("parents: [\(e.parents.map(q).joined(separator: ", "))]")
            f.append("count: \(e.count)")
            lines.append("  - {\(f.joined(separator: ", "))}")
        }
        lines.append("files:" + (p.files.isEmpty ? " []" : ""))
        for f in p.files { lines.append("  - {path: \(q(f.path)), mode: \(f.mode.rawValue), count: \(f.count)}") }
        lines.append("network:" + (p.network.isEmpty ? " []" : ""))
        for n in p.network {
            var f = ["event: \(n.event.name)", "address: \(q(n.address))", "port: \(n.port)"]
            if let name = n.name { f.append("name: \(q(name))") }
            f.append("count: \(n.count)")
            lines.append("  - {\(f.joined(separator: ", "))}")
        }
        lines.append("syscalls:" + (p.syscalls.isEmpty ? " []" : ""))
        for s in p.syscalls {
            var f = ["name: \(s.name)", "count: \(s.count)"]
            if !s.arguments.isEmpty {
                f.append("args: [" + s.arguments.map { "{index: \($0.index), value: \($0.value), count: \($0.count)}" }.joined(separator: ", ") + "]")
            }
            lines.append("  - {\(f.joined(separator: ", "))}")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func formatSeconds(_ s: Double) -> String {
        let tenths = Int((s * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    public static func parse(_ text: String, file: String = "<profile>") throws(LearnedProfileError) -> LearnedProfile {
        func fail(_ message: String, _ node: Node?) -> LearnedProfileError {
            LearnedProfileError(file: file, line: node?.mark?.line ?? 1, column: node?.mark?.column ?? 1, message: message)
        }
        let root: Node?
        do { root = try YAMLSubset.compose(yaml: text) } catch {
            throw LearnedProfileError(file: file, line: error.mark.line, column: error.mark.column, message: "YAML: \(error.problem)")
        }
        guard let root, let top = root.mapping else { throw fail("a profile is a mapping with version, workload, execs, files, network, syscalls", root) }

        func fields(_ node: Node, _ allowed: [String], _ what: String) throws(LearnedProfileError) -> [String: Node] {
            guard let m = node.mapping else { throw fail("\(what): expected a mapping", node) }
            var out: [String: Node] = [:]
            for (k, v) in m {
                guard let key = k.string else { throw fail("\(what): a key must be a name", k) }
                guard allowed.contains(key) else { throw fail("\(what): unknown field '\(key)' (expected \(allowed.joined(separator: ", ")))", k) }
                guard out[key] == nil else { throw fail("\(what): '\(key)' given twice", k) }
                out[key] = v
            }
            return out
        }
        func string(_ f: [String: Node], _ key: String, _ at: Node, _ what: String) throws(LearnedProfileError) -> String {
            guard let v = f[key] else { throw fail("\(what): missing '\(key)'", at) }
            guard let s = v.string else { throw fail("\(what): '\(key)' must be a value", v) }
            return s
        }
        func number<T: FixedWidthInteger>(_ f: [String: Node], _ key: String, _ at: Node, _ what: String, _: T.Type) throws(LearnedProfileError) -> T {
            let s = try string(f, key, at, what)
            guard let n = T(s) else { throw fail("\(what): '\(key)' must be a whole number in range, got '\(s)'", f[key]) }
            return n
        }
        func list(_ key: String) throws(LearnedProfileError) -> [Node] {
            guard let v = top.pairs.first(where: { $0.key.string == key })?.value else { return [] }
            if v.null != nil { return [] }
            guard let items = v.sequence else {
                if case .sequence = v { return [] }
                throw fail("'\(key)' must be a list", v)
            }
            return items
        }

        let topFields = try fields(root, ["version", "workload", "observed", "execs", "files", "network", "syscalls"], "profile")
        if let v = topFields["version"], v.string != "1" { throw fail("only version 1 is known", v) }
        var workload = LearnedProfile.Workload()
        if let w = topFields["workload"] {
            let f = try fields(w, ["cgroup", "comm", "pid"], "workload")
            workload.cgroup = f["cgroup"]?.string
            workload.comm = f["comm"]?.string
            if f["pid"] != nil { workload.pid = try number(f, "pid", w, "workload", UInt32.self) }
        }
        var profile = LearnedProfile(workload: workload, seconds: 0, runs: 1)
        if let o = topFields["observed"] {
            let f = try fields(o, ["seconds", "runs"], "observed")
            if let s = f["seconds"] {
                guard let v = s.string.flatMap { Double($0) }, v >= 0 else { throw fail("observed: 'seconds' must be a number", s) }
                profile.seconds = v
            }
            if f["runs"] != nil { profile.runs = try number(f, "runs", o, "observed", Int.self) }
        }
        for (i, item) in try list("execs").enumerated() {
            let what = "execs[\(i)]"
            let f = try fields(item, ["path", "inode", "parents", "count"], what)
            let path = try string(f, "path", item, what)
            guard path.hasPrefix("/") else { throw fail("\(what): 'path' must be absolute, got '\(path)'", f["path"]) }
            var inode: FileID?
            if let n = f["inode"] {
                guard let id = n.string.flatMap(FileID.init(parsing:)) else { throw fail("\(what): 'inode' is major:minor:inode", n) }
                inode = id
            }
            var parents: [String] = []
            if let p = f["parents"] {
                guard let items = p.sequence else { throw fail("\(what): 'parents' must be a list", p) }
                for x in items {
                    guard let s = x.string else { throw fail("\(what): a parent is a path", x) }
                    parents.append(s)
                }
            }
            profile.execs.append(.init(path: path, inode: inode, parents: parents, count: try number(f, "count", item, what, Int.self)))
        }
        for (i, item) in try list("files").enumerated() {
            let what = "files[\(i)]"
            let f = try fields(item, ["path", "mode", "count"], what)
            let path = try string(f, "path", item, what)
            guard path.hasPrefix("/") else { throw fail("\(what): 'path' must be absolute, got '\(path)'", f["path"]) }
            let modeText = try string(f, "mode", item, what)
            guard let mode = LearnedProfile.FileMode(rawValue: modeText) else { throw fail("\(what): mode is read, write or create, got '\(modeText)'", f["mode"]) }
            profile.files.append(.init(path: path, mode: mode, count: try number(f, "count", item, what, Int.self)))
        }
        for (i, item) in try list("network").enumerated() {
            let what = "network[\(i)]"
            let f = try fields(item, ["event", "address", "port", "name", "count"], what)
            let eventText = try string(f, "event", item, what)
            guard let event = GuardEventKind(name: eventText), event.isSocketHook else {
                throw fail("\(what): event is connect, bind or sendmsg, got '\(eventText)'", f["event"])
            }
            let address = try string(f, "address", item, what)
            guard GuardRecord.addressBytes(address) != nil else { throw fail("\(what): '\(address)' is not an IP address", f["address"]) }
            profile.network.append(.init(event: event, address: address, port: try number(f, "port", item, what, UInt16.self),
                                         name: f["name"]?.string, count: try number(f, "count", item, what, Int.self)))
        }
        for (i, item) in try list("syscalls").enumerated() {
            let what = "syscalls[\(i)]"
            let f = try fields(item, ["name", "count", "args"], what)
            let name = try string(f, "name", item, what)
            guard SyscallNames.x86_64Numbers[name] != nil else { throw fail("\(what): '\(name)' is not an x86_64 system call", f["name"]) }
            var s = LearnedProfile.Syscall(name: name, count: try number(f, "count", item, what, Int.self), arguments: [])
            if let a = f["args"] {
                guard let items = a.sequence else { throw fail("\(what): 'args' must be a list", a) }
                for x in items {
                    let g = try fields(x, ["index", "value", "count"], "\(what).args")
                    let index = try number(g, "index", x, "\(what).args", Int.self)
                    guard (0...5).contains(index) else { throw fail("\(what).args: index is 0 to 5", g["index"]) }
                    s.arguments.append(.init(index: index, value: try number(g, "value", x, "\(what).args", UInt64.self),
                                             count: try number(g, "count", x, "\(what).args", Int.self)))
                }
            }
            profile.syscalls.append(s)
        }
        profile.normalize()
        return profile
    }
}
