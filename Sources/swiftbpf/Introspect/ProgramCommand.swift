import ArgumentParser
import BPF
import Glibc

struct ProgramCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prog",
        abstract: "List and inspect the BPF programs loaded in the kernel (like 'bpftool prog').",
        subcommands: [ProgramListCommand.self, ProgramShowCommand.self, ProgramDumpCommand.self]
    )

    static let jsonFields = """
        JSON fields (one object per program): id, type, name (full name from BTF when the \
        kernel's 15 bytes truncate it), tag (16 hex digits), gpl_compatible, loaded_at (seconds \
        since the epoch), uid, bytes_xlated, jited, bytes_jited, bytes_memlock (null if not \
        reported), map_ids, btf_id, run_time_ns, run_cnt (0 unless kernel.bpf_stats_enabled), \
        recursion_misses, verified_insns.
        """

    static func json(_ p: ProgramDetails) -> JSONNode {
        .object([
            ("id", .int(p.id)), ("type", .string("\(p.type)")), ("name", .string(p.fullName)),
            ("tag", .string(p.info.tagHex)), ("gpl_compatible", .bool(p.info.gplCompatible)),
            ("loaded_at", .int(p.loadedAtNanoseconds / 1_000_000_000)), ("uid", .int(p.info.createdByUID)),
            ("bytes_xlated", .int(p.info.xlatedLength)), ("jited", .bool(p.isJited)), ("bytes_jited", .int(p.info.jitedLength)),
            ("bytes_memlock", p.memlock.map { .int($0) } ?? .null), ("map_ids", .array(p.info.mapIDs.map { .int($0) })),
            ("btf_id", .int(p.info.btfID)), ("run_time_ns", .int(p.info.runTimeNanoseconds)), ("run_cnt", .int(p.info.runCount)),
            ("recursion_misses", .int(p.recursionMisses)), ("verified_insns", .int(p.info.verifiedInstructions)),
        ])
    }

    /// bpftool's text form of one program.
    static func text(_ p: ProgramDetails) -> String {
        var out = "\(p.id): \(p.type)  name \(p.fullName)  tag \(p.info.tagHex)" + (p.info.gplCompatible ? "  gpl" : "")
        if p.hasRunStatistics { out += "  run_time_ns \(p.info.runTimeNanoseconds) run_cnt \(p.info.runCount)" }
        if p.recursionMisses > 0 { out += "  recursion_misses \(p.recursionMisses)" }
        out += "\n\tloaded_at \(Clock.iso8601(nanoseconds: p.loadedAtNanoseconds))  uid \(p.info.createdByUID)"
        out += "\n\txlated \(p.info.xlatedLength)B  " + (p.isJited ? "jited \(p.info.jitedLength)B" : "not jited")
        if let m = p.memlock { out += "  memlock \(m)B" }
        if !p.info.mapIDs.isEmpty { out += "  map_ids " + p.info.mapIDs.map(String.init).joined(separator: ",") }
        if p.info.btfID != 0 { out += "\n\tbtf_id \(p.info.btfID)" }
        return out
    }
}

struct ProgramListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List every loaded program: a table, or a JSON array with --json.",
        discussion: ProgramCommand.jsonFields
    )

    @Flag(help: "Print a JSON array instead of a table.")
    var json = false

    func run() throws {
        let all = try Program.allDetails()
        if json {
            print(JSONNode.array(all.map(ProgramCommand.json)).text)
            return
        }
        let rows = all.map { p in
            [String(p.id), "\(p.type)", p.fullName, p.info.tagHex, "\(p.info.xlatedLength)", p.isJited ? "\(p.info.jitedLength)" : "-",
             p.memlock.map(String.init) ?? "-", p.info.mapIDs.map(String.init).joined(separator: ","), Clock.iso8601(nanoseconds: p.loadedAtNanoseconds)]
        }
        print(TextTable.render(["ID", "TYPE", "NAME", "TAG", "XLATED", "JITED", "MEMLOCK", "MAPS", "LOADED AT"], rows))
    }
}

struct ProgramShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one program: 'show ID', 'show id ID', 'show pinned PATH' (or without an argument, all).",
        discussion: ProgramCommand.jsonFields
    )

    @Argument(parsing: .allUnrecognized, help: "ID, 'id ID', 'pinned PATH' or a bpffs path.")
    var target: [String] = []

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        try ShowDetails.run(target, json: json, what: "program", all: Program.allDetails,
                            open: { try $0.openProgram().details() }, toJSON: ProgramCommand.json, toText: ProgramCommand.text)
    }
}

struct ProgramDumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Print a program's translated instructions: 'dump xlated ID|id ID|pinned PATH'.",
        discussion: """
            The instructions as the kernel keeps them after verification, in bpftool's notation: \
            '   0: (bf) r6 = r1'. Map references print as map[id:N], helper calls by their kernel \
            symbol (resolved through /proc/kallsyms). JSON (--json): an array of objects with \
            fields index, opcode (two hex digits), disasm (the text after the opcode), width \
            (2 for a 64-bit immediate load).
            """
    )

    @Argument(parsing: .allUnrecognized, help: "'xlated' followed by ID, 'id ID', 'pinned PATH' or a bpffs path.")
    var words: [String]

    @Flag(help: "Print a JSON array instead of text.")
    var json = false

    func run() throws {
        guard let mode = words.first else { throw IntrospectError("missing 'xlated'") }
        guard mode == "xlated" else {
            throw IntrospectError(mode == "jited" ? "'dump jited' is not supported; use 'dump xlated'" : "expected 'xlated', got '\(mode)'")
        }
        let ref = try ObjectReference.parseWhole(Array(words.dropFirst()), what: "program")
        let program = try ref.openProgram()
        let insns = try program.xlatedInstructions()
        guard !insns.isEmpty else { throw IntrospectError("the kernel returned no instructions for program \(program.id) (kernel.kptr_restrict or missing CAP_SYS_ADMIN?)") }
        let calls = Set(insns.filter { $0.isCall && $0.src == 0 }.map(\.imm))
        let functions = (try? ProgramDetails.jitedFunctionAddresses(fd: program.fd, name: program.name)) ?? []
        let lines = KernelSymbols(callOffsets: calls, functions: functions).disassembler().lines(insns)
        if json {
            print(JSONNode.array(lines.map { l in
                .object([("index", .int(l.index)), ("opcode", .string(Hex.byte(l.opcode))), ("disasm", .string(l.text)), ("width", .int(l.width))])
            }).text)
        } else {
            print(lines.map(\.description).joined(separator: "\n"))
        }
    }
}

/// Wall-clock formatting for `loaded_at`.
enum Clock {
    /// `2026-11-22T02:43:04Z`, UTC.
    static func iso8601(nanoseconds: Int64) -> String {
        var t = time_t(nanoseconds / 1_000_000_000)
        var parts = tm()
        gmtime_r(&t, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}
