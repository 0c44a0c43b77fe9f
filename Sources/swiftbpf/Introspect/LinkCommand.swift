import ArgumentParser
import BPF

struct LinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link",
        abstract: "List, inspect and detach the BPF links in the kernel (like 'bpftool link').",
        subcommands: [LinkListCommand.self, LinkShowCommand.self, LinkDetachCommand.self]
    )

    static let jsonFields = """
        JSON fields: id, type, prog_id, then per link type: raw_tracepoint: tp_name, cookie; \
        tracing: attach_type, target_obj_id, target_btf_id, cookie; cgroup: cgroup_id, \
        attach_type; iter: target_name, map_id; netns: netns_ino, attach_type; xdp, tcx, netkit: \
        ifindex, devname (and attach_type); struct_ops: map_id; netfilter: pf, hook, prio, flags; \
        kprobe_multi: func_cnt, retprobe, missed; uprobe_multi: path, func_cnt, retprobe, pid; \
        sockmap: map_id, attach_type; perf_event: event_type (uprobe, uretprobe, kprobe, \
        kretprobe, tracepoint, event), then file, offset, cookie, ref_ctr_offset (uprobes), \
        func, offset, addr, missed, cookie (kprobes), tp_name, cookie (tracepoints), or \
        perf_type, config, cookie (other events).
        """

    static func devname(_ ifindex: UInt32) -> String? { Syscalls.interfaceName(index: ifindex) }

    /// The per-type fields, in order, as (name, JSON value, text value).
    static func fields(_ l: LinkDetails) -> [(String, JSONNode, String)] {
        func s(_ k: String, _ v: String) -> (String, JSONNode, String) { (k, .string(v), v) }
        func n<T: BinaryInteger>(_ k: String, _ v: T) -> (String, JSONNode, String) { (k, .int(v), String(v)) }
        func b(_ k: String, _ v: Bool) -> (String, JSONNode, String) { (k, .bool(v), String(v)) }
        func device(_ i: UInt32) -> [(String, JSONNode, String)] {
            [n("ifindex", i)] + (devname(i).map { [s("devname", $0)] } ?? [])
        }
        switch l.target {
        case let .rawTracepoint(name, cookie): return [s("tp_name", name), n("cookie", cookie)]
        case let .tracing(at, obj, btf, cookie):
            return [s("attach_type", "\(at)"), n("target_obj_id", obj), n("target_btf_id", btf), n("cookie", cookie)]
        case let .cgroup(id, at): return [n("cgroup_id", id), s("attach_type", "\(at)")]
        case let .iter(name, map): return [s("target_name", name)] + (map != 0 ? [n("map_id", map)] : [])
        case let .netns(ino, at): return [n("netns_ino", ino), s("attach_type", "\(at)")]
        case let .xdp(i): return device(i)
        case let .structOps(map): return [n("map_id", map)]
        case let .netfilter(pf, hook, prio, flags): return [n("pf", pf), n("hook", hook), n("prio", prio), n("flags", flags)]
        case let .kprobeMulti(count, flags, missed): return [n("func_cnt", count), b("retprobe", flags & 1 != 0), n("missed", missed)]
        case let .uprobeMulti(path, count, flags, pid): return [s("path", path), n("func_cnt", count), b("retprobe", flags & 1 != 0), n("pid", pid)]
        case let .tcx(i, at): return device(i) + [s("attach_type", "\(at)")]
        case let .netkit(i, at): return device(i) + [s("attach_type", "\(at)")]
        case let .sockmap(map, at): return [n("map_id", map), s("attach_type", "\(at)")]
        case let .perfEvent(e):
            var out = [s("event_type", e.kindName)]
            switch e {
            case let .uprobe(path, offset, cookie, ref, _):
                out += [s("file", path), n("offset", offset), n("cookie", cookie), n("ref_ctr_offset", ref)]
            case let .kprobe(function, offset, addr, missed, cookie, _):
                out += [s("func", function), n("offset", offset), n("addr", addr), n("missed", missed), n("cookie", cookie)]
            case let .tracepoint(name, cookie): out += [s("tp_name", name), n("cookie", cookie)]
            case let .event(type, config, cookie): out += [n("perf_type", type), n("config", config), n("cookie", cookie)]
            case .unknown: break
            }
            return out
        case .other: return []
        }
    }

    static func json(_ l: LinkDetails) -> JSONNode {
        .object([("id", .int(l.id)), ("type", .string("\(l.type)")), ("prog_id", .int(l.programID))] + fields(l).map { ($0.0, $0.1) })
    }

    static func text(_ l: LinkDetails) -> String {
        var out = "\(l.id): \(l.type)  prog \(l.programID)"
        let f = fields(l)
        if !f.isEmpty { out += "\n\t" + f.map { "\($0.0) \($0.2)" }.joined(separator: "  ") }
        return out
    }
}

struct LinkListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List every BPF link: a table, or a JSON array with --json.", discussion: LinkCommand.jsonFields)

    @Flag(help: "Print a JSON array instead of a table.")
    var json = false

    func run() throws {
        let all = try Link.allDetails()
        if json {
            print(JSONNode.array(all.map(LinkCommand.json)).text)
            return
        }
        let rows = all.map { l in
            [String(l.id), "\(l.type)", String(l.programID), LinkCommand.fields(l).map { "\($0.0) \($0.2)" }.joined(separator: "  ")]
        }
        print(TextTable.render(["ID", "TYPE", "PROG", "DETAILS"], rows))
    }
}

struct LinkShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one link: 'show ID', 'show id ID', 'show pinned PATH' (or without an argument, all).",
        discussion: LinkCommand.jsonFields)

    @Argument(parsing: .allUnrecognized, help: "ID, 'id ID', 'pinned PATH' or a bpffs path.")
    var target: [String] = []

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        try ShowDetails.run(target, json: json, what: "link", all: Link.allDetails,
                            open: { try $0.openLink().details() }, toJSON: LinkCommand.json, toText: LinkCommand.text)
    }
}

struct LinkDetachCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detach",
        abstract: "Detach a link's program: 'detach ID|id ID|pinned PATH' (BPF_LINK_DETACH).",
        discussion: """
            The link stays (defunct) while its owner holds it, but its program no longer runs, \
            pinned or not. Link types without BPF_LINK_DETACH (perf_event, tracing, and on older \
            kernels raw_tracepoint) refuse with EOPNOTSUPP: remove their pin or stop their owner.
            """)

    @Argument(parsing: .allUnrecognized, help: "ID, 'id ID', 'pinned PATH' or a bpffs path.")
    var target: [String]

    func run() throws {
        let ref = try ObjectReference.parseWhole(target, what: "link")
        let link = try ref.openLink()
        let details = try link.details()
        do {
            try BPFCommands.linkDetach(fd: link.fd, name: "link \(details.id)")
        } catch {
            if case let .syscall(_, errno) = error, errno == .EOPNOTSUPP || errno == .EINVAL {
                throw IntrospectError("link \(details.id) (\(details.type)) cannot be detached by BPF_LINK_DETACH (\(errno)); unpin it or stop the process that owns it")
            }
            throw error
        }
        link.close()
    }
}
