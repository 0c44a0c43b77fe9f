/// Applies CO-RE ("compile once, run everywhere") relocations of BPF functions against a target
/// BTF, the kernel's by default: field offsets, sizes, bitfield shifts, existence checks, type
/// ids and sizes, enumerator values (UAPI `enum bpf_core_relo_kind`, records of `.BTF.ext`).
///
/// Pure computation, no system calls. Follows libbpf's `relo_core.c`: candidates are target
/// types of the same kind whose essential name (flavour suffix `___x` dropped) equals the local
/// type's; a relocation whose matching candidates disagree fails ("ambiguity"); one with no
/// matching candidate gives 0 for FIELD_EXISTS, TYPE_EXISTS, TYPE_MATCHES, TYPE_SIZE,
/// TYPE_ID_TARGET and ENUMVAL_EXISTS and poisons the instruction otherwise (`call 0xbad2310`,
/// rejected by the verifier only if reachable).
///
/// One relocator should serve a whole object: it caches candidate lists per local type.
public struct CORERelocator: Sendable {
    /// The object's BTF (types the relocation records refer to).
    public let local: BTF
    /// The BTF relocations resolve against (kernel BTF, or a custom one).
    public let target: BTF
    /// Kernel module BTFs (split BTF on top of `target`), searched only for local types that
    /// have no candidate in `target`, as libbpf does.
    public let modules: [BTF]
    let cache = CORECandidateCache()

    /// - Parameters:
    ///   - local: the object's BTF.
    ///   - target: the BTF to relocate against (vmlinux, or libbpf's `btf_custom_path`).
    ///   - modules: module BTFs split from `target` (e.g. `/sys/kernel/btf/<module>` loaded with
    ///     `BTF.load(path:base:)`); their own types are candidates only when `target` has none.
    public init(local: BTF, target: BTF, modules: [BTF] = []) {
        self.local = local
        self.target = target
        self.modules = modules
    }

    /// A relocator against the running kernel's BTF (`/sys/kernel/btf/vmlinux`).
    public static func kernel(local: BTF) throws(BPFError) -> CORERelocator {
        CORERelocator(local: local, target: try BTF.kernel())
    }

    /// One relocation request, independent of how `.BTF.ext` was parsed.
    struct Request {
        /// Byte offset of the instruction inside its ELF section.
        var instructionOffset: Int
        var typeID: UInt32
        var accessString: String
        var kind: UInt32
    }

    /// Applies the CO-RE relocations of one function.
    ///
    /// - Parameters:
    ///   - instructions: the function's own instructions (before subprogram linking), patched in place.
    ///   - sectionOffset: where the function starts inside its ELF section, in instructions.
    ///   - records: the CO-RE records of the function's ELF section (`BTFExt.coreRelocations`);
    ///     only those whose `insnOffset` (bytes from the section start) falls inside the function apply.
    ///   - programName: for error messages.
    /// - Returns: one result per applied record, in record order.
    /// - Throws: `BPFError.coreRelocation` naming the relocation (number, kind, local type, access
    ///   string, instruction) for a malformed access string, an ambiguity between candidates, an
    ///   instruction whose current value disagrees with local BTF, or an instruction that cannot
    ///   carry a value. An unresolvable field or enumerator value is not an error: the
    ///   instruction is poisoned (see `CORERelocationResult.poisoned`).
    public func apply(to instructions: inout [Instruction], sectionOffset: Int, records: [CORERelocationRecord],
                      programName: String) throws(BPFError) -> [CORERelocationResult] {
        let requests = records.map {
            Request(instructionOffset: Int($0.insnOffset), typeID: $0.typeID, accessString: $0.accessString,
                    kind: $0.kind.rawValue)
        }
        return try apply(to: &instructions, sectionOffset: sectionOffset, requests: requests, programName: programName)
    }

    /// Applies `requests` that fall inside the function at `sectionOffset` (instructions) of its
    /// section to `instructions`, in order.
    func apply(to instructions: inout [Instruction], sectionOffset: Int, requests: [Request],
               programName: String) throws(BPFError) -> [CORERelocationResult] {
        var results: [CORERelocationResult] = []
        for (number, request) in requests.enumerated() {
            guard request.instructionOffset >= 0, request.instructionOffset % 8 == 0 else {
                throw .coreRelocation(program: programName,
                                      "relocation #\(number): instruction offset \(request.instructionOffset) is not a multiple of 8")
            }
            let index = request.instructionOffset / 8 - sectionOffset
            guard index >= 0, index < instructions.count else { continue }
            do {
                results.append(try applyOne(request, number: number, at: index, to: &instructions))
            } catch {
                throw .coreRelocation(program: programName, describe(request, number: number, index: index) + ": " + error.message)
            }
        }
        return results
    }

    /// "relocation #3 <byte_off> of [5] struct task_struct + 0:52 at instruction 12"
    func describe(_ r: Request, number: Int, index: Int) -> String {
        let kindName = CORERelocationKind(rawValue: r.kind)?.description ?? "kind \(r.kind)"
        let kind = local.kind(of: r.typeID).map { COREAccessSpec.kindWord($0) } ?? "?"
        let name = local.name(of: r.typeID)
        return "relocation #\(number) <\(kindName)> of [\(r.typeID)] \(kind) \(name.isEmpty ? "<anon>" : name) + '\(r.accessString)' at instruction \(index)"
    }

    /// Resolves and patches one relocation.
    func applyOne(_ r: Request, number: Int, at index: Int, to insns: inout [Instruction]) throws(COREFailure) -> CORERelocationResult {
        guard let kind = CORERelocationKind(rawValue: r.kind) else { throw COREFailure("unknown relocation kind \(r.kind)") }
        let resolved = try resolve(typeID: r.typeID, accessString: r.accessString, kind: kind)
        let outcome = try COREInstructionPatch.apply(resolved.decision, to: &insns, at: index)
        return CORERelocationResult(
            instructionIndex: index, kind: kind,
            localTypeID: r.typeID, accessString: r.accessString, localSpec: resolved.localSpec.text,
            targetSpec: resolved.targetSpec.map { "[\($0.rootTypeID)] \($0.text)" },
            originalValue: outcome.previousValue,
            newValue: outcome.poisoned ? 0 : Int64(bitPattern: resolved.decision.newValue),
            poisoned: outcome.poisoned,
            memorySizeFrom: outcome.memorySizeChange?.from, memorySizeTo: outcome.memorySizeChange?.to)
    }

    /// The outcome of resolving one relocation against the target, before patching.
    struct Resolution {
        var localSpec: COREAccessSpec
        var targetSpec: COREAccessSpec?
        var decision: CORERelocationDecision
    }

    /// libbpf's `bpf_core_calc_relo_insn`: parse the local spec, match every candidate, check
    /// that the matching ones agree, compute the values.
    func resolve(typeID: UInt32, accessString: String, kind: CORERelocationKind) throws(COREFailure) -> Resolution {
        let localType = try CORETypeRules.type(local, typeID)
        let localSpec = try COREAccessSpec(parsing: accessString, rootTypeID: typeID, kind: kind, btf: local)

        if kind == .typeIDLocal {
            var d = CORERelocationDecision()
            d.validate = false
            d.originalValue = UInt64(typeID)
            d.newValue = UInt64(typeID)
            return Resolution(localSpec: localSpec, targetSpec: nil, decision: d)
        }
        guard !localType.name.isEmpty else {
            throw COREFailure("\(kind.description) relocation on an anonymous type [\(typeID)] is not supported")
        }

        let candidates = candidates(for: localType)
        var matched: [CORECandidate] = []
        var chosen: (spec: COREAccessSpec, decision: CORERelocationDecision, candidate: CORECandidate)?
        for candidate in candidates {
            let btf = candidate.module.map { modules[$0] } ?? target
            guard let spec = try localSpec.match(target: btf, candidate: candidate.id) else { continue }
            let decision = try COREValueCalculation.decide(kind: kind, local: localSpec, target: spec)
            if let first = chosen {
                if spec.bitOffset != first.spec.bitOffset {
                    throw COREFailure("field offset ambiguity: candidate \(candidate) gives bit offset \(spec.bitOffset), candidate \(first.candidate) gives \(first.spec.bitOffset)")
                }
                if decision.poison != first.decision.poison || decision.newValue != first.decision.newValue {
                    throw COREFailure("relocation decision ambiguity: candidate \(candidate) gives \(Self.outcomeText(decision)), candidate \(first.candidate) gives \(Self.outcomeText(first.decision))")
                }
            } else {
                chosen = (spec, decision, candidate)
            }
            matched.append(candidate)
        }
        if let chosen {
            if matched.count != candidates.count { cache.prune(typeID, to: matched) }
            return Resolution(localSpec: localSpec, targetSpec: chosen.spec, decision: chosen.decision)
        }
        let decision = try COREValueCalculation.decide(kind: kind, local: localSpec, target: nil)
        return Resolution(localSpec: localSpec, targetSpec: nil, decision: decision)
    }

    static func outcomeText(_ d: CORERelocationDecision) -> String {
        d.poison ? "failure" : "success \(d.newValue)"
    }

    /// Target types of a CO-RE-compatible kind whose essential name equals `localType`'s,
    /// through `target`'s name lookups (then each module's, if `target` has none): answered by
    /// the loader's one scan (`BTF.prepareLookups(of:)`) or else by the name index; cached per
    /// local type id (libbpf's `bpf_core_find_cands`).
    func candidates(for localType: BTFType) -> [CORECandidate] {
        cache.candidates(for: localType.id) {
            let main = Self.sameKindTypes(in: target, named: localType.name, kind: localType.kind, from: 0)
            if !main.isEmpty { return main.map { CORECandidate(module: nil, id: $0) } }
            var found: [CORECandidate] = []
            for (i, module) in modules.enumerated() {
                found += Self.sameKindTypes(in: module, named: localType.name, kind: localType.kind, from: module.firstID)
                    .map { CORECandidate(module: i, id: $0) }
            }
            return found
        }
    }

    /// Ids of `btf` from `firstID` on, whose essential name is `name`'s and whose kind is
    /// CO-RE-compatible with `kind`.
    static func sameKindTypes(in btf: BTF, named name: String, kind: BTFKind, from firstID: UInt32) -> [UInt32] {
        btf.typeIDs(essentialName: name).filter { id in
            guard id >= firstID, let k = btf.kind(of: id) else { return false }
            return CORETypeRules.kindsCompatible(k, kind)
        }
    }
}
