import ArgumentParser
import BPF

struct MapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "List, inspect and edit the BPF maps in the kernel (like 'bpftool map').",
        subcommands: [MapListCommand.self, MapShowCommand.self, MapDumpCommand.self, MapLookupCommand.self,
                      MapUpdateCommand.self, MapDeleteCommand.self]
    )

    static let jsonFields = """
        JSON fields (one object per map): id, type, name, flags, bytes_key, bytes_value, \
        max_entries, bytes_memlock (null if not reported), frozen, btf_id.
        """

    static let entryFields = """
        Keys and values are bytes: 'key 0x01 0x00 0x00 0x00' (0x-hex or decimal, one word per \
        byte) or 'key hex 01000000'. JSON entries: key and value as arrays of "0xNN" strings (per-CPU \
        maps: values, an array of {cpu, value}); when the map has BTF, also formatted: {key, value} \
        decoded by the BTF types (integers as numbers, char arrays as strings, enums by name, \
        structs as objects, arrays as lists).
        """

    static func json(_ m: MapDetails) -> JSONNode {
        .object([
            ("id", .int(m.id)), ("type", .string("\(m.type)")), ("name", .string(m.name)), ("flags", .int(m.info.flags.rawValue)),
            ("bytes_key", .int(m.info.keySize)), ("bytes_value", .int(m.info.valueSize)), ("max_entries", .int(m.info.maxEntries)),
            ("bytes_memlock", m.memlock.map { .int($0) } ?? .null), ("frozen", .bool(m.isFrozen)), ("btf_id", .int(m.info.btfID)),
        ])
    }

    static func text(_ m: MapDetails) -> String {
        var out = "\(m.id): \(m.type)  name \(m.name)  flags 0x\(String(m.info.flags.rawValue, radix: 16))"
        out += "\n\tkey \(m.info.keySize)B  value \(m.info.valueSize)B  max_entries \(m.info.maxEntries)"
        if let mem = m.memlock { out += "  memlock \(mem)B" }
        if m.info.btfID != 0 { out += "\n\tbtf_id \(m.info.btfID)" }
        if m.isFrozen { out += "\n\tfrozen" }
        return out
    }
}

struct MapListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List every map: a table, or a JSON array with --json.", discussion: MapCommand.jsonFields)

    @Flag(help: "Print a JSON array instead of a table.")
    var json = false

    func run() throws {
        let all = try Map.allDetails()
        if json {
            print(JSONNode.array(all.map(MapCommand.json)).text)
            return
        }
        let rows = all.map { m in
            [String(m.id), "\(m.type)", m.name, "\(m.info.keySize)", "\(m.info.valueSize)", "\(m.info.maxEntries)",
             "0x" + String(m.info.flags.rawValue, radix: 16), m.memlock.map(String.init) ?? "-", m.info.btfID == 0 ? "-" : "\(m.info.btfID)",
             m.isFrozen ? "frozen" : ""]
        }
        print(TextTable.render(["ID", "TYPE", "NAME", "KEY", "VALUE", "MAX", "FLAGS", "MEMLOCK", "BTF", ""], rows))
    }
}

struct MapShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one map: 'show ID', 'show id ID', 'show pinned PATH' (or without an argument, all).",
        discussion: MapCommand.jsonFields)

    @Argument(parsing: .allUnrecognized, help: "ID, 'id ID', 'pinned PATH' or a bpffs path.")
    var target: [String] = []

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        try ShowDetails.run(target, json: json, what: "map", all: Map.allDetails,
                            open: { try $0.openMap().details() }, toJSON: MapCommand.json, toText: MapCommand.text)
    }
}

struct MapDumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump", abstract: "Print every entry of a map: 'dump ID|id ID|pinned PATH'.", discussion: MapCommand.entryFields)

    @Argument(parsing: .allUnrecognized, help: "ID, 'id ID', 'pinned PATH' or a bpffs path.")
    var target: [String]

    @Flag(help: "Print a JSON array instead of text.")
    var json = false

    func run() throws {
        let ref = try ObjectReference.parseWhole(target, what: "map")
        let map = try ref.openMap()
        let keyless: [MapType] = [.ringBuf, .userRingBuf, .queue, .stack, .bloomFilter, .structOps, .arena]
        guard !keyless.contains(map.type) else { throw IntrospectError("map \(map.id) is a \(map.type): it has no keys to dump") }
        let formatter = MapEntryFormatter(map: map)
        var entries: [MapEntryFormatter.Entry] = []
        for key in try map.allKeys() {
            do {
                if let value = try map.lookup(key: key) { entries.append(formatter.entry(key: key, value: value)) }
            } catch {
                // A perf event array or socket map slot can be unreadable; bpftool prints the error and goes on.
                entries.append(formatter.entry(key: key, error: "\(error)"))
            }
        }
        if json {
            print(JSONNode.array(entries.map(\.json)).text)
        } else {
            for e in entries { print(e.text) }
            print("Found \(entries.count) element\(entries.count == 1 ? "" : "s")")
        }
    }
}

struct MapLookupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lookup", abstract: "Print one entry: 'lookup MAP key BYTES'.", discussion: MapCommand.entryFields)

    @Argument(parsing: .allUnrecognized, help: "The map (ID, 'id ID', 'pinned PATH'), then 'key' and its bytes.")
    var words: [String]

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        let (ref, rest) = try ObjectReference.parse(words, what: "map")
        let sections = try ByteArguments.sections(rest, keywords: ["key"])
        guard let keyWords = sections["key"] else { throw IntrospectError("missing 'key BYTES'") }
        let key = try ByteArguments.bytes(keyWords, what: "key")
        let map = try ref.openMap()
        guard let value = try map.lookup(key: key) else { throw IntrospectError("map \(map.id): key \(Hex.text(key)) not found") }
        let entry = MapEntryFormatter(map: map).entry(key: key, value: value)
        print(json ? entry.json.text : entry.text)
    }
}

struct MapUpdateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Create or replace an entry: 'update MAP key BYTES value BYTES [any|exist|noexist]'.",
        discussion: MapCommand.entryFields + """
             For a per-CPU map, one CPU's value is written to every CPU. For a prog array the value \
            may be 'id PROG_ID' or 'pinned PATH'; for a map of maps, an inner map's 'id ID' or 'pinned PATH'.
            """)

    @Argument(parsing: .allUnrecognized, help: "The map, then 'key' BYTES, 'value' BYTES, and optionally any, exist or noexist.")
    var words: [String]

    func run() throws {
        let (ref, rest) = try ObjectReference.parse(words, what: "map")
        var flags = MapUpdateFlags.any
        var sectionWords = rest
        if let last = rest.last, ["any", "exist", "noexist"].contains(last) {
            flags = last == "exist" ? .exist : last == "noexist" ? .noExist : .any
            sectionWords.removeLast()
        }
        let sections = try ByteArguments.sections(sectionWords, keywords: ["key", "value"])
        guard let keyWords = sections["key"] else { throw IntrospectError("missing 'key BYTES'") }
        guard let valueWords = sections["value"] else { throw IntrospectError("missing 'value BYTES'") }
        let key = try ByteArguments.bytes(keyWords, what: "key")
        let map = try ref.openMap()
        // Holds a program or inner map open until the update is done.
        var referenced: AnyObject?
        var value: [UInt8]
        if map.type == .progArray || map.type.isMapOfMaps, let first = valueWords.first, first == "id" || first == "pinned" {
            let (target, extra) = try ObjectReference.parse(valueWords, what: map.type == .progArray ? "program" : "map")
            guard extra.isEmpty else { throw IntrospectError("unexpected '\(extra.joined(separator: " "))' after the value") }
            let fd: Int32
            if map.type == .progArray {
                let p = try target.openProgram()
                referenced = p
                fd = p.fd
            } else {
                let m = try target.openMap()
                referenced = m
                fd = m.fd
            }
            value = withUnsafeBytes(of: fd.littleEndian) { Array($0) }
        } else {
            value = try ByteArguments.bytes(valueWords, what: "value")
        }
        if map.type.isPerCPU, value.count == map.valueSize {
            let cpus = try PossibleCPUs.count()
            var all = [UInt8](repeating: 0, count: map.perCPUStride * cpus)
            for c in 0..<cpus { all.replaceSubrange(c * map.perCPUStride..<c * map.perCPUStride + value.count, with: value) }
            value = all
        }
        try map.update(key: key, value: value, flags: flags)
        withExtendedLifetime(referenced) {}
    }
}

struct MapDeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete an entry: 'delete MAP key BYTES'.", discussion: MapCommand.entryFields)

    @Argument(parsing: .allUnrecognized, help: "The map, then 'key' and its bytes.")
    var words: [String]

    func run() throws {
        let (ref, rest) = try ObjectReference.parse(words, what: "map")
        let sections = try ByteArguments.sections(rest, keywords: ["key"])
        guard let keyWords = sections["key"] else { throw IntrospectError("missing 'key BYTES'") }
        let key = try ByteArguments.bytes(keyWords, what: "key")
        let map = try ref.openMap()
        guard try map.delete(key: key) else { throw IntrospectError("map \(map.id): key \(Hex.text(key)) not found") }
    }
}
