import ArgumentParser
import BPF
import SwiftBPFTools

struct ObjectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "object",
        abstract: "Inspect or load a BPF object file built for libbpf.",
        subcommands: [ObjectInspectCommand.self, ObjectLoadCommand.self]
    )
}

struct ObjectInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what the loader sees in an object: programs, maps, globals, BTF and CO-RE relocations.",
        discussion: "Parsing only: no kernel, no root needed."
    )

    @Argument(help: "The BPF object file (ELF, as clang -target bpf emits it).")
    var file: String

    @Flag(help: "Print one JSON object instead of tables.")
    var json = false

    func run() throws {
        let spec = try ObjectSpec(bytes: Syscalls.readRegularFile(file), name: ObjectNaming.objectName(fromPath: file))
        let report = try ObjectReport(spec)
        print(json ? report.json : report.text)
    }
}

struct ObjectLoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Load every map and program of an object without attaching, and pin each program.",
        discussion: """
            Like 'bpftool prog loadall FILE DIR': each program is pinned at DIR/<program name> on bpffs \
            and its kernel ID printed. The pins keep the programs (and the maps they use) loaded after \
            this command exits; remove them with 'rm -r DIR'. A verifier rejection prints the log and \
            exits non-zero.
            """
    )

    @Argument(help: "The BPF object file.")
    var file: String

    @Option(name: .long, help: "The bpffs directory to pin programs in (created if missing).")
    var pin: String

    @Option(name: .customLong("pin-maps"), help: "Also pin every map at DIR/<map name> ('.' becomes '_').")
    var pinMaps: String?

    @Option(name: .customLong("pin-root"), help: "The bpffs directory for maps pinned by name (LIBBPF_PIN_BY_NAME; created if missing). Default: /sys/fs/bpf, as libbpf.")
    var pinRoot: String?

    @Option(name: .customLong("programs"), help: "Load only these programs (comma-separated names), e.g. to leave out ones this kernel refuses.")
    var programs: String?

    @Option(name: .customLong("skip-programs"), help: "Load every program but these (comma-separated names).")
    var skipPrograms: String?

    func validate() throws {
        if programs != nil && skipPrograms != nil { throw ValidationError("--programs and --skip-programs exclude each other") }
    }

    /// The programs to load: nil for the object's default (every autoloaded program).
    func selection(_ spec: ObjectSpec) throws -> Set<String>? {
        let names = Set(spec.mainPrograms.map(\.name))
        func list(_ text: String, _ option: String) throws -> Set<String> {
            let wanted = Set(text.split(separator: ",").map { String($0).trimmingSpaces }.filter { !$0.isEmpty })
            let unknown = wanted.subtracting(names)
            guard unknown.isEmpty else {
                throw CommandError("\(option): no program named \(unknown.sorted().joined(separator: ", ")) in \(file) (its programs: \(names.sorted().joined(separator: ", ")))")
            }
            return wanted
        }
        if let programs {
            let wanted = try list(programs, "--programs")
            guard !wanted.isEmpty else { throw CommandError("--programs names no program") }
            return wanted
        }
        if let skipPrograms {
            let skipped = try list(skipPrograms, "--skip-programs")
            return Set(spec.mainPrograms.filter { $0.autoload && !skipped.contains($0.name) }.map(\.name))
        }
        return nil
    }

    func run() throws {
        try Filesystem.requireBPFFilesystem(for: pin, option: "--pin")
        if let pinMaps { try Filesystem.requireBPFFilesystem(for: pinMaps, option: "--pin-maps") }
        if let pinRoot { try Filesystem.requireBPFFilesystem(for: pinRoot, option: "--pin-root") }
        let spec = try ObjectSpec(bytes: Syscalls.readRegularFile(file), name: ObjectNaming.objectName(fromPath: file))
        var options = LoadOptions()
        options.programs = try selection(spec)
        if pinMaps != nil, let byName = spec.maps.first(where: { $0.pinning == .byName }) {
            // The loader pins it at its own path; a second pin elsewhere would leave two names
            // for one map (libbpf: "already has pin path ... different from ...").
            throw CommandError("--pin-maps: map '\(byName.name)' is pinned by name at \(options.pinRoot)/\(byName.name) (LIBBPF_PIN_BY_NAME) and cannot be pinned a second time in \(pinMaps!)")
        }
        var created: [String] = []
        let object: BPFObject
        do {
            if let pinRoot {
                created += try Filesystem.makeDirectory(pinRoot)
                options.pinRoot = pinRoot
            }
            object = try BPFObject(spec, options: options)
        } catch {
            Filesystem.removeDirectories(created)
            throw error
        }
        var pinned: [String] = []
        do {
            created += try Filesystem.makeDirectory(pin)
            for name in object.programs.keys.sorted() {
                let path = pin + "/" + name
                try object.programs[name]!.pin(path)
                pinned.append(path)
            }
            if let pinMaps {
                created += try Filesystem.makeDirectory(pinMaps)
                for name in object.maps.keys.sorted() {
                    let path = pinMaps + "/" + String(name.map { $0 == "." ? "_" : $0 })
                    try object.maps[name]!.pin(path)
                    pinned.append(path)
                }
            }
        } catch {
            // Leave nothing half-pinned behind, and no directory this command created.
            for p in pinned { try? Program.unpin(p) }
            Filesystem.removeDirectories(created)
            throw error
        }
        for p in object.spec.mainPrograms {
            guard let program = object.programs[p.name] else { continue }
            print("\(p.name) id \(program.id) type \(program.type) pinned \(pin)/\(p.name)")
        }
    }
}
