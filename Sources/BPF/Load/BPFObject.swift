/// An object loaded into the kernel: its maps and programs, created from an `ObjectSpec` the way
/// libbpf's `bpf_object__load()` does it, so the kernel sees the same instructions.
///
/// Load order: the object's BTF (`BPF_BTF_LOAD`), then maps (`.rodata` frozen before any
/// program is verified), then each program (CO-RE, subprogram linking, map references,
/// `BPF_PROG_LOAD` with func_info and line_info), then prog-array slots.
///
/// The object owns every descriptor it created. They close when the object is released; nothing
/// stays in the kernel unless it was pinned or attached through a link that outlives it.
/// If loading fails half-way, everything created so far is closed and new pins are removed.
public final class BPFObject: Sendable {
    /// What was loaded.
    public let spec: ObjectSpec
    /// Maps by name (BTF-defined and internal, e.g. `execsnoop.rodata`).
    public let maps: [String: Map]
    /// Loaded programs by name.
    public let programs: [String: Program]
    /// What CO-RE did to each program, for logs and inspection.
    public let coreRelocations: [String: [CORERelocationResult]]
    /// The object's BTF in the kernel, shared by its maps and programs.
    private let btf: FileDescriptor?
    /// The descriptor of the object's BTF in the kernel, if it loaded.
    public let btfFD: Int32?
    /// Created struct_ops maps by name (also in `maps`); register one with `attachStructOps(_:)`.
    public let structOpsMaps: [String: StructOpsMap]

    /// Loads `spec` into the kernel.
    public init(_ spec: ObjectSpec, options: LoadOptions = LoadOptions()) throws(BPFError) {
        self.spec = spec
        let selected = spec.mainPrograms.filter { options.programs?.contains($0.name) ?? StructOpsPlan.autoloads($0, in: spec) }
        if let wanted = options.programs {
            for name in wanted where !selected.contains(where: { $0.name == name }) {
                throw .missing("program '\(name)' (the object's programs: \(spec.mainPrograms.map(\.name).joined(separator: ", ")))")
            }
        }

        for p in selected where p.type == .unspec {
            throw .invalidArgument("program '\(p.name)' is in section '\(p.sectionName)', which names no program type libbpf knows (such as 'tp/CATEGORY/NAME', 'raw_tp/NAME', 'xdp' or 'tc'); to load the other programs, list them in LoadOptions.programs")
        }

        // Relocation first, as current libbpf does: it needs no kernel objects.
        let target = options.targetBTF
        let coreCache = target == nil ? options.coreCacheDirectory.map { CORECacheStore(directory: $0) } : nil
        let preparer = try ProgramPreparer(spec: spec, loading: selected, targetBTF: { () throws(BPFError) -> BTF in
            if let target { return target }
            return try BTF.kernel()
        }, coreCache: coreCache)

        // struct_ops maps against the kernel's BTF: their programs' attach targets come from it.
        let structOps = try StructOpsPlan(spec: spec) { () throws(BPFError) -> BTF in try BTF.kernel() }

        // The object's BTF. A failure is not fatal (libbpf): maps and programs load without it,
        // which the log says (libbpf: "BTF is optional, ignoring").
        var btf: FileDescriptor?
        if let b = spec.btf {
            do {
                btf = try BPFCommands.btfLoad(b.bytes)
            } catch {
                BPFLog.log(.warning, "object '\(spec.name)': the kernel rejected its BTF, loading without it (no BTF for maps, no func or line info for programs): \(error)")
            }
        }
        let btfFD = btf?.rawValue

        // Externs (.kconfig values, ksyms, kfuncs), before maps: the .kconfig image is frozen.
        let externs = try ResolvedExterns.resolve(spec, options: options)

        var creator = MapCreator(spec: spec, options: options, btfFD: btfFD)
        creator.kconfigImage = externs.kconfigImage
        var programs: [String: Program] = [:]
        var core: [String: [CORERelocationResult]] = [:]
        var structOpsMaps: [String: StructOpsMap] = [:]
        do throws(BPFError) {
            try creator.createAll()
            let maps = creator.maps
            let rodata = spec.maps.filter { $0.internalKind == .rodata }.compactMap { maps[$0.name] }
            for p in selected {
                let prepared = try preparer.prepare(p, maps: maps, externs: externs, btfFD: btfFD, options: options)
                core[p.name] = prepared.core
                var attributes = prepared.attributes
                try structOps.bind(&attributes, program: p)
                let program: Program
                do throws(BPFError) {
                    program = try Program.load(attributes)
                } catch {
                    throw Self.explain(Self.explainExterns(error, spec: spec), core: prepared.core)
                }
                // libbpf binds every .rodata map to every program (BPF_PROG_BIND_MAP).
                for m in rodata { try program.bind(map: m) }
                // Prog arrays lose their entries when their last descriptor closes: the program
                // keeps those it tail-calls through open (Map+ProgramArray.swift).
                program.retain(maps: Self.progArrays(referencedBy: prepared.attributes.instructions, in: maps))
                programs[p.name] = program
            }
            // Prog-array slots, once every program exists (`bpf_object_init_prog_arrays`).
            for m in spec.maps where m.type == .progArray && !m.initialSlots.isEmpty {
                for slot in m.initialSlots {
                    guard let target = programs[slot.target] else {
                        if spec.program(named: slot.target) != nil { continue }  // not loaded on request
                        throw .missing("program '\(slot.target)' for slot \(slot.index) of prog array '\(m.name)'")
                    }
                    try maps[m.name]!.update(key: slot.index, value: UInt32(bitPattern: target.fd))
                }
            }
            structOpsMaps = try structOps.createMaps(programs: programs, btfFD: btfFD)
        } catch {
            creator.removeNewPins()
            throw error
        }
        self.maps = creator.maps.merging(structOpsMaps.mapValues(\.map)) { own, _ in own }
        self.structOpsMaps = structOpsMaps
        self.programs = programs
        self.coreRelocations = core
        self.btfFD = btfFD
        self.btf = btf
    }

    /// Parses and loads the object file at `path`, named after the file as libbpf names it.
    public convenience init(path: String, options: LoadOptions = LoadOptions()) throws(BPFError) {
        try self.init(ObjectSpec(path: path), options: options)
    }

    /// The map named `name`.
    public func map(_ name: String) throws(BPFError) -> Map {
        guard let m = maps[name] else {
            throw .missing("map '\(name)' (the object's maps: \(maps.keys.sorted().joined(separator: ", ")))")
        }
        return m
    }

    /// The loaded program named `name`.
    public func program(_ name: String) throws(BPFError) -> Program {
        guard let p = programs[name] else {
            throw .missing("program '\(name)' (loaded programs: \(programs.keys.sorted().joined(separator: ", ")))")
        }
        return p
    }


    /// Adds to a verifier error the unresolved weak kfunc behind a poisoned call.
    static func explainExterns(_ error: BPFError, spec: ObjectSpec) -> BPFError {
        guard case let .verifier(program, errno, log, hint) = error,
              let why = ResolvedExterns.explainPoisonedKfunc(in: log, spec: spec) else { return error }
        return .verifier(program: program, errno: errno, log: log, hint: why + (hint.map { "\n" + $0 } ?? ""))
    }

    /// Adds to a verifier error the CO-RE relocation behind a poisoned instruction, as libbpf does.
    static func explain(_ error: BPFError, core: [CORERelocationResult]) -> BPFError {
        guard case let .verifier(program, errno, log, hint) = error else { return error }
        guard let why = CORERelocator.explainPoison(in: log, results: core) else { return error }
        return .verifier(program: program, errno: errno, log: CORERelocator.rewritePoisonedLog(log, results: core),
                         hint: why + (hint.map { "\n" + $0 } ?? ""))
    }
}
