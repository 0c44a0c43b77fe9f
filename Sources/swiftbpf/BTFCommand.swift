import ArgumentParser
import BPF
import SwiftBPFTools

struct BTFCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "btf",
        abstract: "Work with BTF, the kernel's and objects' type information.",
        subcommands: [BTFDumpCommand.self]
    )
}

struct BTFDumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Print BTF as C declarations or in bpftool's raw form.",
        discussion: """
            Without --file, dumps the running kernel's BTF (/sys/kernel/btf/vmlinux). With --types, \
            dumps only those types and what they need: full definitions of types used by value, \
            forward declarations of types reached only through pointers.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case c, raw
    }

    @Option(name: .long, help: "A BTF file, or a BPF object file whose .BTF section to dump.")
    var file: String?

    @Option(name: .long, help: "Output format: c or raw.")
    var format: Format = .c

    @Option(name: .long, parsing: .singleValue, help: "Comma-separated type names to dump (C format), with their dependencies.")
    var types: [String] = []

    func run() throws {
        let btf = try load()
        let names = types.flatMap { $0.split(separator: ",").map { String($0).trimmingSpaces } }.filter { !$0.isEmpty }
        switch format {
        case .raw:
            guard names.isEmpty else { throw CommandError("--types applies to --format c only") }
            print(try BTFRawDumper(btf: btf).dumpAll(), terminator: "")
        case .c:
            let dumper = BTFCDumper(btf: btf)
            let options = BTFCDumper.Options(vmlinuxHeader: true)
            if names.isEmpty {
                print(try dumper.dumpAll(options: options), terminator: "")
            } else {
                print(try dumper.dump(rootIDs: rootIDs(names, in: btf), options: options), terminator: "")
            }
        }
    }

    /// Type ids for the names given: types of that name, or for an enumerator's name (such as
    /// `BPF_ANY`, whose enum is anonymous in the kernel's BTF) the enum that defines it.
    private func rootIDs(_ names: [String], in btf: BTF) throws -> [UInt32] {
        var ids: [UInt32] = []
        var wanted = Set<String>()
        for name in names {
            let found = btf.typeIDs(named: name).filter { [.struct, .union, .enum, .enum64, .typedef, .fwd].contains(btf.kind(of: $0)) }
            if found.isEmpty { wanted.insert(name) } else { ids += found }
        }
        if !wanted.isEmpty {
            for id in btf.typeIDs where btf.kind(of: id)?.isEnum == true {
                let t = try btf.type(id)
                let hits = t.enumerators.filter { wanted.contains($0.name) }
                guard !hits.isEmpty else { continue }
                ids.append(id)
                for h in hits { wanted.remove(h.name) }
            }
        }
        guard wanted.isEmpty else {
            throw CommandError("no type or enumerator named \(wanted.sorted().joined(separator: ", "))")
        }
        return ids
    }

    private func load() throws -> BTF {
        guard let file else { return try BTF.kernel() }
        let bytes = try Syscalls.readRegularFile(file)
        if bytes.starts(with: [0x7f, 0x45, 0x4c, 0x46]) {
            let spec = try ObjectSpec(bytes: bytes, name: ObjectNaming.objectName(fromPath: file))
            guard let btf = spec.btf else { throw CommandError("\(file) has no .BTF section") }
            return btf
        }
        return try BTF(bytes: bytes)
    }
}

extension String {
    var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
