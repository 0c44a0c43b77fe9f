/// Turns the program specs of an object into `BPF_PROG_LOAD` attributes, in libbpf's order
/// (`bpf_object__relocate()`): CO-RE on every function's own instructions first, so each copy of
/// a subprogram carries the same result; then subprogram linking; then map and data references.
struct ProgramPreparer {
    let spec: ObjectSpec
    let ext: BTFExt?
    /// Where a function is: its ELF section and its first instruction there. Functions are keyed
    /// by place, never by name: a statically linked object (`bpftool gen object`, libbpf's
    /// linker) may hold two `static` functions of the same name from different units, each
    /// called by its own unit's code (libbpf likewise finds them by section and offset,
    /// `find_prog_by_sec_insn`).
    struct FunctionPlace: Hashable, Sendable {
        var section: String
        var offset: Int
        init(_ p: ProgramSpec) {
            section = p.elfSectionName
            offset = p.sectionOffset
        }
    }

    /// CO-RE-relocated instructions and results of every function, by place.
    private(set) var relocated: [FunctionPlace: (instructions: [Instruction], core: [CORERelocationResult])] = [:]
    private let linker: CallLinker

    /// - Parameter coreCache: where CO-RE results of earlier loads in this boot are kept, nil for
    ///   none. A hit means the target BTF is never read for CO-RE (`targetBTF` is not called); a
    ///   miss relocates and writes the results there. Only for relocation against the running
    ///   kernel's BTF, which is what the cache key identifies.
    init(spec: ObjectSpec, loading: [ProgramSpec], targetBTF: () throws(BPFError) -> BTF,
         coreCache: CORECacheStore? = nil) throws(BPFError) {
        self.spec = spec
        var ext: BTFExt?
        if let bytes = spec.btfExtBytes, let btf = spec.btf { ext = try BTFExt(bytes: bytes, btf: btf) }
        self.ext = ext

        let functions = loading + spec.subprograms
        var relocator: CORERelocator?
        var missedKey: CORECacheKey?
        var coreFunctions: [ProgramSpec] = []
        var cacheHit = false
        if let ext, let btf = spec.btf, ext.coreRelocations.values.contains(where: { !$0.isEmpty }) {
            coreFunctions = functions.filter { ext.coreRelocations[$0.elfSectionName]?.isEmpty == false }
            if let coreCache, let key = CORECacheStore.key(digest: Self.coreDigest(btf: btf, extBytes: spec.btfExtBytes, functions: coreFunctions)) {
                if let file = coreCache.load(key), let cached = Self.relocations(from: file, functions: coreFunctions) {
                    relocated = cached
                    cacheHit = true
                } else {
                    missedKey = key
                }
            }
            if !cacheHit { relocator = CORERelocator(local: btf, target: try targetBTF()) }
        }
        Self.prepareKernelLookups(spec: spec, ext: ext, loading: loading, coreTarget: relocator?.target)
        for p in functions where relocated[FunctionPlace(p)] == nil {
            var insns = p.instructions
            var results: [CORERelocationResult] = []
            if let relocator, let records = ext?.coreRelocations[p.elfSectionName], !records.isEmpty {
                results = try relocator.apply(to: &insns, sectionOffset: p.sectionOffset, records: records, programName: p.name)
            }
            relocated[FunctionPlace(p)] = (insns, results)
        }
        if let missedKey, let coreCache {
            coreCache.save(Self.cacheFile(key: missedKey, functions: coreFunctions, relocated: relocated))
        }

        var funcInfo: [String: ExtInfoRecords] = [:]
        var lineInfo: [String: ExtInfoRecords] = [:]
        if let ext {
            for (section, records) in ext.funcInfo {
                funcInfo[section] = ExtInfoRecords(recordSize: ext.funcInfoRecordSize, records: records.map { [$0.insnOffset, $0.typeID] })
            }
            for (section, records) in ext.lineInfo {
                lineInfo[section] = ExtInfoRecords(recordSize: ext.lineInfoRecordSize,
                                                   records: records.map { [$0.insnOffset, $0.fileNameOffset, $0.lineOffset, $0.lineCol] })
            }
        }
        let relocatedNow = relocated
        linker = CallLinker(subprograms: spec.subprograms.map { Self.codeUnit($0, relocatedNow[FunctionPlace($0)]!.instructions) },
                            funcInfo: funcInfo, lineInfo: lineInfo)
    }

    /// The linked program with every reference resolved against `maps`, ready to load.
    func prepare(_ p: ProgramSpec, maps: [String: Map], externs: ResolvedExterns = .none, btfFD: Int32?,
                 options: LoadOptions) throws(BPFError)
        -> (attributes: ProgramLoadAttributes, core: [CORERelocationResult])
    {
        guard let own = relocated[FunctionPlace(p)] else { throw .missing("program '\(p.name)'") }
        let linked = try linker.link(Self.codeUnit(p, own.instructions))
        var insns = linked.instructions
        for (index, reference) in linked.references {
            guard index < insns.count else {
                throw .malformedObject("program '\(p.name)': relocation at instruction \(index) is past the end")
            }
            switch reference {
            case .map(let name):
                guard insns[index].isLoadImm64 else { throw .malformedObject("program '\(p.name)': map relocation at instruction \(index) is not on an ld_imm64") }
                guard let map = maps[name] else { throw .missing("map '\(name)' referenced by program '\(p.name)'") }
                insns[index].src = Opcode.pseudoMapFD
                insns[index].imm = map.fd
            case let .data(mapName, offset):
                guard insns[index].isLoadImm64 else { throw .malformedObject("program '\(p.name)': data relocation at instruction \(index) is not on an ld_imm64") }
                guard let map = maps[mapName] else { throw .missing("global data map '\(mapName)' referenced by program '\(p.name)'") }
                guard index + 1 < insns.count else { throw .malformedObject("program '\(p.name)': truncated ld_imm64 at \(index)") }
                insns[index + 1].imm = insns[index].imm &+ Int32(truncatingIfNeeded: offset)
                insns[index].src = Opcode.pseudoMapValue
                insns[index].imm = map.fd
            case .external(let name):
                try externs.patch(&insns, at: index, extern: name, spec: spec, maps: maps, program: p.name)
            case .call, .functionAddress:
                break  // resolved by the linker
            }
        }

        // Core results of appended subprograms, moved to where the linker put them.
        var core = own.core
        for sub in spec.subprograms {
            guard let start = linked.placements[sub.sectionOffset], let r = relocated[FunctionPlace(sub)] else { continue }
            core += r.core.map { $0.shifted(by: start) }
        }

        var attachBTFID: UInt32 = 0
        if p.needsAttachBTFID { attachBTFID = try Self.attachBTFID(for: p) }
        let useBTF = btfFD != nil
        let attrs = ProgramLoadAttributes(
            name: p.name, type: p.type, expectedAttachType: Self.loadAttachType(p), instructions: insns,
            license: spec.license, kernelVersion: spec.kernelVersion ?? KernelVersion.running, flags: p.flags,
            btfFD: useBTF ? btfFD : nil,
            funcInfo: useBTF ? linked.funcInfo.map { BTFExtRecords(bytes: $0.bytes, recordSize: UInt32($0.recordSize), count: UInt32($0.records.count)) } : nil,
            lineInfo: useBTF ? linked.lineInfo.map { BTFExtRecords(bytes: $0.bytes, recordSize: UInt32($0.recordSize), count: UInt32($0.records.count)) } : nil,
            attachBTFID: attachBTFID, logLevel: options.logLevel == 0 ? nil : options.logLevel)
        return (attrs, core)
    }

    /// `expected_attach_type` at load: the `SEC()` table's, except that USDT programs get
    /// `BPF_TRACE_UPROBE_MULTI` where the kernel has uprobe_multi links, so that one link
    /// attaches every site of a probe (libbpf's `SEC_USDT` rule).
    static func loadAttachType(_ p: ProgramSpec) -> AttachType {
        if p.sectionDefinition?.options.contains(.usdt) == true, USDTAttacher.usesUprobeMulti { return .traceUprobeMulti }
        return p.expectedAttachType
    }

    /// The kernel BTF id a tracing program attaches to (libbpf's `libbpf_find_attach_btf_id`):
    /// `btf_trace_<tp>` for tp_btf, `bpf_lsm_<hook>` for lsm, `bpf_iter_<name>` for iter, the
    /// function itself for fentry, fexit and fmod_ret.
    static func attachBTFID(for p: ProgramSpec) throws(BPFError) -> UInt32 {
        // freplace replaces a function of another BPF program, not of the kernel: its BTF id is
        // in that program's BTF (`attach_prog_fd`), which only the caller can name.
        if p.type == .ext {
            throw .invalidArgument("program '\(p.name)' (section '\(p.sectionName)') is an freplace program: its target is a function of another loaded BPF program, not of the kernel, and that target program must be given to load it; this loader does not take one yet, so leave it out (LoadOptions.programs)")
        }
        guard let target = p.attachTarget, !target.isEmpty else {
            throw .invalidArgument("program '\(p.name)' in section '\(p.sectionName)' names no attach target")
        }
        let kernel = try BTF.kernel()
        let (name, kind) = attachTypeName(for: p, target: target)
        guard let id = kernel.typeID(named: name, kind: kind) else {
            throw .missing("kernel BTF has no \(kind) '\(name)', the attach target of program '\(p.name)' (section '\(p.sectionName)')")
        }
        return id
    }

    /// The kernel BTF type a tracing program's attach target names, by attach type.
    static func attachTypeName(for p: ProgramSpec, target: String) -> (name: String, kind: BTFKind) {
        switch p.expectedAttachType {
        case .traceRawTP: ("btf_trace_" + target, .typedef)
        case .lsmMAC, .lsmCgroup: ("bpf_lsm_" + target, .func)
        case .traceIter: ("bpf_iter_" + target, .func)
        default: (target, .func)
        }
    }

    /// Scans the target and kernel BTF once for every name this load will look up (CO-RE root
    /// types, attach targets, ksyms and kfuncs), instead of hashing all their names
    /// (`BTF.prepareLookups(of:)`).
    static func prepareKernelLookups(spec: ObjectSpec, ext: BTFExt?, loading: [ProgramSpec], coreTarget: BTF?) {
        var coreNames: Set<String> = []
        if let ext, let btf = spec.btf {
            for records in ext.coreRelocations.values {
                for r in records where r.kind != .typeIDLocal { coreNames.insert(btf.name(of: r.typeID)) }
            }
        }
        var kernelNames: Set<String> = []
        for p in loading where p.needsAttachBTFID {
            guard let target = p.attachTarget, !target.isEmpty else { continue }
            kernelNames.insert(attachTypeName(for: p, target: target).name)
        }
        for e in spec.externs {
            if case let .ksym(type, isFunction) = e.kind, type != 0 { kernelNames.insert(isFunction ? e.essentialName : e.name) }
        }
        guard !kernelNames.isEmpty else {
            coreTarget?.prepareLookups(of: coreNames)
            return
        }
        // A kernel BTF that fails to load is reported by the lookup that needs it.
        guard let kernel = try? BTF.kernel() else { return }
        // No CO-RE target: the relocations came from the cache, and need no lookups.
        if let coreTarget {
            if coreTarget !== kernel { coreTarget.prepareLookups(of: coreNames) } else { kernelNames.formUnion(coreNames) }
        }
        kernel.prepareLookups(of: kernelNames)
    }

    static func codeUnit(_ p: ProgramSpec, _ instructions: [Instruction]) -> CodeUnit {
        CodeUnit(
            name: p.name, sectionName: p.elfSectionName, sectionOffset: p.sectionOffset, instructions: instructions,
            references: p.relocations.map { r in
                let ref: LinkReference
                switch r.kind {
                case .map(let name): ref = .map(name)
                case let .data(mapName, offset): ref = .data(mapName: mapName, offset: UInt32(truncatingIfNeeded: offset))
                case let .call(_, target): ref = .call(textInstruction: target)
                case let .subprogramAddress(_, target): ref = .functionAddress(textInstruction: target)
                case .externFunction(let name), .externVariable(let name): ref = .external(name)
                }
                return (r.instructionIndex, ref)
            })
    }
}
