import ToolText

/// A guard policy from a profile: allows what was seen (as `except_*` exemptions) and kills or
/// alerts on the rest. Rules select the workload by its cgroup when it was learned by cgroup,
/// else by the binaries it ran. Every exemption carries its count as a comment.
public enum GuardPolicyGenerator {
    public static func guardPolicy(_ p: LearnedProfile, _ o: GenerateOptions) -> String {
        var out = header(p, o, "guard policy (exec and file rules)")
        out += "rules:\n"
        let action = o.guardAction.name
        let execs = p.execs
        // exec: the new binary is the process's binary, so the workload is named by cgroup or by parent.
        out += "  - name: exec-not-learned\n    events: [exec]\n"
        out += selector(p, forExec: true)
        out += "    except_binary:\n"
        for e in execs { out += "      - \(JSON.string(e.path))  # \(times(e.count))" + (e.parents.isEmpty ? "" : ", from \(e.parents.joined(separator: ", "))") + "\n" }
        if execs.isEmpty { out += "      - \"/nonexistent-nothing-was-executed\"\n" }
        out += "    action: \(action)\n"

        let written = p.files.filter { $0.mode != .read }
        var writePaths: [(String, String)] = []
        for f in written {
            // A created file gets a new inode on every run: its directory is what stays.
            let path = exemptable(f.mode == .create || !o.strict ? directory(of: f.path) : f.path)
            if let i = writePaths.firstIndex(where: { $0.0 == path }) { writePaths[i].1 += "; \(f.mode.rawValue) \(f.path) \(times(f.count))" } else {
                writePaths.append((path, "\(f.mode.rawValue) \(f.path) \(times(f.count))"))
            }
        }
        out += "  - name: write-not-learned\n    events: [open]\n    access: write\n"
        out += selector(p, forExec: false)
        out += "    except_paths:\n"
        for (path, note) in writePaths { out += "      - \(JSON.string(path))  # \(note)\n" }
        if writePaths.isEmpty { out += "      - \"/nonexistent-nothing-was-written\"\n" }
        out += "    action: \(action)\n"

        var readPaths: [(String, String)] = writePaths
        for f in p.files where f.mode == .read {
            let path = exemptable(o.strict ? f.path : directory(of: f.path))
            if let i = readPaths.firstIndex(where: { $0.0 == path }) {
                if readPaths[i].1.count < 120 { readPaths[i].1 += "; \(f.path) \(times(f.count))" }
            } else {
                readPaths.append((path, "read \(f.path) \(times(f.count))"))
            }
        }
        if !o.strict {
            for d in GenerateOptions.lenientReadDirectories where !readPaths.contains(where: { $0.0 == d }) { readPaths.append((d, "lenient: libraries, locale, /proc")) }
            // Libraries found elsewhere (a RUNPATH such as /opt/app/lib): their directories too.
            for d in o.libraries?.directories ?? [] where !covered(d, by: readPaths.map(\.0)) {
                let names = o.libraries!.libraries.filter { $0.path.map(directory(of:)) == d }.map(\.name)
                readPaths.append((d, "lenient: libraries \(names.joined(separator: ", "))"))
            }
        }
        out += "  - name: open-not-learned\n    events: [open]\n"
        out += selector(p, forExec: false)
        out += "    except_paths:\n"
        for (path, note) in readPaths { out += "      - \(JSON.string(path))  # \(note)\n" }
        if readPaths.isEmpty { out += "      - \"/nonexistent-nothing-was-opened\"\n" }
        out += "    action: \(action)\n"
        return out
    }

    /// The network allowlist: connect and sendmsg denied (EPERM from the cgroup hooks) to peers
    /// the workload did not reach (address and port), bind denied on ports it did not bind.
    public static func networkPolicy(_ p: LearnedProfile, _ o: GenerateOptions) -> String {
        var out = header(p, o, "network allowlist (cgroup connect/bind/sendmsg hooks)")
        out += "rules:\n"
        for kind in [GuardEventKind.connect, .bind, .sendmsg] {
            let seen = p.network.filter { $0.event == kind }
            if kind == .sendmsg && seen.isEmpty && o.strict { continue }
            out += "  - name: \(kind.name)-not-learned\n    events: [\(kind.name)]\n"
            out += selector(p, forExec: false)
            if kind == .bind {
                // A bound address is the host's own (often 0.0.0.0): the port is what a bind names.
                var ports: [(UInt16, String)] = []
                for peer in seen.sorted(by: { $0.port < $1.port }) {
                    let note = "\(peer.address) \(times(peer.count))"
                    if let i = ports.firstIndex(where: { $0.0 == peer.port }) { ports[i].1 += "; " + note } else { ports.append((peer.port, note)) }
                }
                if !ports.contains(where: { $0.0 == 0 }) { ports.append((0, "an ephemeral port (bind to port 0)")) }
                out += "    except_ports:\n"
                for (port, note) in ports { out += "      - \(port)  # \(note)\n" }
            } else {
                if !o.strict && !seen.contains(where: { $0.port == 53 }) { out += "    except_ports: [53]  # lenient: DNS to any server\n" }
                if !seen.isEmpty {
                    out += "    except_peers:\n"
                    for peer in seen.sorted(by: { ($0.address, $0.port) < ($1.address, $1.port) }) {
                        let text = peer.address.contains(":") ? "[\(peer.address)]:\(peer.port)" : "\(peer.address):\(peer.port)"
                        out += "      - \(JSON.string(text))  # \(peer.name.map { $0 + ", " } ?? "")\(times(peer.count))\n"
                    }
                } else if o.strict {
                    out += "    # nothing was seen: every \(kind.name) is denied\n"
                }
            }
            out += "    action: deny\n"
        }
        return out
    }

    static func selector(_ p: LearnedProfile, forExec: Bool) -> String {
        if let c = p.workload.cgroup { return "    cgroup: \(JSON.string(c))\n" }
        var names = p.execs.map(\.path)
        if forExec { names += p.execs.flatMap(\.parents) }
        names = Array(Set(names)).sorted()
        guard !names.isEmpty else { return "" }
        let key = forExec ? "parent" : "binary"
        return "    # learned without a cgroup: the workload is named by its binaries\n    \(key): [\(names.map(JSON.string).joined(separator: ", "))]\n"
    }

    static func header(_ p: LearnedProfile, _ o: GenerateOptions, _ what: String) -> String {
        "# swiftbpf guard \(what), generated from \(o.source)\n" +
            "# workload: \(p.workload.description); observed \(LearnedProfileFile.formatSeconds(p.seconds)) s over \(p.runs) run\(p.runs == 1 ? "" : "s"); \(o.strict ? "strict" : "lenient")\n" +
            "# Allows what was seen (counts in the comments) and acts on everything else.\n"
    }

    /// Where an exemption can stand: procfs entries of a process (`/proc/self/...`) have
    /// inodes of their own in every process, so `/proc` itself stands for them.
    static func exemptable(_ path: String) -> String {
        path.hasPrefix("/proc/") ? "/proc" : path
    }

    /// Whether `path` is one of `directories` or beneath one.
    static func covered(_ path: String, by directories: [String]) -> Bool {
        directories.contains { path == $0 || path.hasPrefix($0 == "/" ? "/" : $0 + "/") }
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func times(_ n: Int) -> String { n == 1 ? "seen once" : "seen \(n) times" }
}
