/// Why a CO-RE computation could not go on. The relocator wraps it into
/// `BPFError.coreRelocation` together with the relocation's kind, local type, access string and
/// instruction index.
struct COREFailure: Error, Sendable {
    var message: String
    init(_ message: String) { self.message = message }
}

/// The type-level rules CO-RE applies to local and target BTF: skipping modifiers, sizes,
/// essential names, and the three compatibility relations libbpf uses (`relo_core.c`:
/// `bpf_core_fields_are_compat`, `__bpf_core_types_are_compat`, `__bpf_core_types_match`).
enum CORETypeRules {
    /// libbpf's `MAX_RESOLVE_DEPTH` and recursion limits.
    static let maxDepth = 32
    /// Pointer size of the BPF target (and of 64-bit kernels).
    static let pointerSize = 8

    /// Type `id` of `btf`, or a failure naming the missing id.
    static func type(_ btf: BTF, _ id: UInt32) throws(COREFailure) -> BTFType {
        do {
            return try btf.type(id)
        } catch {
            throw COREFailure("type id \(id) does not exist in BTF with \(btf.count) ids")
        }
    }

    /// Follows typedef, const, volatile, restrict and type_tag to the first other type
    /// (libbpf's `skip_mods_and_typedefs`). Returns that type; its `id` is the resolved id.
    static func skipModifiers(_ btf: BTF, _ id: UInt32) throws(COREFailure) -> BTFType {
        var t = try type(btf, id)
        var depth = 0
        while t.kind.isModifierOrTypedef {
            depth += 1
            guard depth <= maxDepth, let next = t.referencedType else {
                throw COREFailure("modifier chain from type [\(id)] is too long")
            }
            t = try type(btf, next)
        }
        return t
    }

    /// The byte size of type `id` (libbpf's `btf__resolve_size`): arrays multiply their element
    /// size, pointers are 8 bytes, modifiers, typedefs and vars are followed.
    static func resolveSize(_ btf: BTF, _ id: UInt32) throws(COREFailure) -> Int {
        var id = id
        var elements: UInt64 = 1
        for _ in 0..<maxDepth {
            let t = try type(btf, id)
            switch t.kind {
            case .int, .struct, .union, .enum, .enum64, .dataSec, .float:
                let total = elements * UInt64(t.sizeOrType)
                guard total <= UInt64(UInt32.max) else { throw COREFailure("size of type [\(id)] overflows") }
                return Int(total)
            case .ptr:
                return Int(elements) * pointerSize
            case .typedef, .volatile, .const, .restrict, .var, .declTag, .typeTag:
                id = t.sizeOrType
            case .array:
                guard let a = t.array else { throw COREFailure("array type [\(id)] has no array data") }
                elements *= UInt64(a.count)
                guard elements <= UInt64(UInt32.max) else { throw COREFailure("array [\(id)] is too large") }
                id = a.element
            default:
                throw COREFailure("type [\(id)] (\(t.kind)) has no size")
            }
        }
        throw COREFailure("type chain from [\(id)] is too deep to size")
    }

    /// `base + index * size * 8`, the bit offset of element `index`; fails instead of overflowing
    /// (access strings come from the object file).
    static func elementBits(_ index: Int, size: Int, plus base: Int) throws(COREFailure) -> Int {
        let (bytes, o1) = index.multipliedReportingOverflow(by: size)
        let (bits, o2) = bytes.multipliedReportingOverflow(by: 8)
        let (sum, o3) = bits.addingReportingOverflow(base)
        guard !o1, !o2, !o3, sum <= Int(UInt32.max) else {
            throw COREFailure("element \(index) of a \(size)-byte type is too far away to address")
        }
        return sum
    }

    /// libbpf's `btf_kind_core_compat`: same kind, with ENUM and ENUM64 counted as one.
    static func kindsCompatible(_ a: BTFKind, _ b: BTFKind) -> Bool {
        a == b || (a.isEnum && b.isEnum)
    }

    /// Essential names of `a` and `b` are equal (flavour suffixes ignored).
    static func essentialNamesEqual(_ a: String, _ b: String) -> Bool {
        BTFName.essentialName(a) == BTFName.essentialName(b)
    }

    // MARK: - Field compatibility (bpf_core_fields_are_compat)

    /// Whether a local field type and a target field type are compatible for field relocations:
    /// any two composites; pointers and floats of the same kind; enums and fwds with equal
    /// essential names (or one anonymous); ints without a bit offset; arrays by element type.
    static func fieldsAreCompatible(local: BTF, _ localID: UInt32, target: BTF, _ targetID: UInt32) throws(COREFailure) -> Bool {
        var localID = localID, targetID = targetID
        for _ in 0..<maxDepth {
            let l = try skipModifiers(local, localID)
            let t = try skipModifiers(target, targetID)
            if l.kind.isComposite && t.kind.isComposite { return true }
            if !kindsCompatible(l.kind, t.kind) { return false }
            switch l.kind {
            case .ptr, .float:
                return true
            case .fwd, .enum, .enum64:
                let ln = BTFName.essentialName(l.name), tn = BTFName.essentialName(t.name)
                return ln.isEmpty || tn.isEmpty || ln == tn
            case .int:
                return l.intOffset == 0 && t.intOffset == 0
            case .array:
                guard let la = l.array, let ta = t.array else { return false }
                localID = la.element
                targetID = ta.element
            default:
                return false
            }
        }
        throw COREFailure("array nesting of field type [\(localID)] is too deep")
    }

    // MARK: - Type compatibility (__bpf_core_types_are_compat)

    /// Compatibility for type-based relocations (TYPE_ID_TARGET, TYPE_EXISTS, TYPE_SIZE):
    /// the root names were already matched; kinds must agree (enum ~ enum64); ints without bit
    /// offset, composites, enums, fwds are compatible; pointers and arrays recurse into their
    /// targets; function prototypes need the same arity and compatible parameter and return types.
    static func typesAreCompatible(local: BTF, _ localID: UInt32, target: BTF, _ targetID: UInt32,
                                   level: Int = maxDepth) throws(COREFailure) -> Bool {
        var localID = localID, targetID = targetID
        guard kindsCompatible(try type(local, localID).kind, try type(target, targetID).kind) else { return false }
        for _ in 0..<maxDepth {
            let l = try skipModifiers(local, localID)
            let t = try skipModifiers(target, targetID)
            localID = l.id
            targetID = t.id
            guard kindsCompatible(l.kind, t.kind) else { return false }
            switch l.kind {
            case .void, .struct, .union, .enum, .enum64, .fwd:
                return true
            case .int:
                return l.intOffset == 0 && t.intOffset == 0
            case .ptr:
                localID = l.sizeOrType
                targetID = t.sizeOrType
            case .array:
                guard let la = l.array, let ta = t.array else { return false }
                localID = la.element
                targetID = ta.element
            case .funcProto:
                let lp = l.params, tp = t.params
                guard lp.count == tp.count else { return false }
                for (a, b) in zip(lp, tp) {
                    guard level > 0 else { throw COREFailure("function prototype nesting is too deep") }
                    let la = try skipModifiers(local, a.type), tb = try skipModifiers(target, b.type)
                    if !(try typesAreCompatible(local: local, la.id, target: target, tb.id, level: level - 1)) {
                        return false
                    }
                }
                localID = try skipModifiers(local, l.sizeOrType).id
                targetID = try skipModifiers(target, t.sizeOrType).id
            default:
                return false
            }
        }
        throw COREFailure("type nesting of [\(localID)] is too deep")
    }

    // MARK: - Type matching (__bpf_core_types_match, for TYPE_MATCHES)

    /// Names match for TYPE_MATCHES: an anonymous target matches only an anonymous local;
    /// otherwise essential names must be equal.
    static func namesMatch(_ local: String, _ target: String) -> Bool {
        if target.isEmpty { return local.isEmpty }
        return essentialNamesEqual(local, target)
    }

    /// The stricter relation behind `bpf_core_type_matches()`: same kinds (a struct or union
    /// behind a pointer may match a fwd of the same flavour; enum ~ enum64), ints of equal size
    /// and signedness, arrays of equal length, every local member or enumerator present by name
    /// in the target (members recursively matched unless already behind a pointer), function
    /// prototypes with matching parameters and return type.
    static func typesMatch(local: BTF, _ localID: UInt32, target: BTF, _ targetID: UInt32,
                           behindPointer: Bool = false, level: Int = maxDepth) throws(COREFailure) -> Bool {
        guard level > 0 else { throw COREFailure("type nesting is too deep for TYPE_MATCHES") }
        var localID = localID, targetID = targetID, behindPointer = behindPointer
        for _ in 0..<maxDepth {
            let l = try skipModifiers(local, localID)
            let t = try skipModifiers(target, targetID)
            localID = l.id
            targetID = t.id
            guard namesMatch(l.name, t.name) else { return false }
            switch l.kind {
            case .void:
                return t.kind == .void
            case .fwd:
                if behindPointer {
                    if t.kind == .fwd { return l.kindFlag == t.kindFlag }
                    return (t.kind == .struct && !l.kindFlag) || (t.kind == .union && l.kindFlag)
                }
                return t.kind == .fwd && l.kindFlag == t.kindFlag
            case .enum, .enum64:
                guard t.kind.isEnum else { return false }
                return enumsMatch(l, t)
            case .struct, .union:
                if behindPointer {
                    if l.kind == t.kind { return true }
                    guard t.kind == .fwd else { return false }
                    return (l.kind == .union) == t.kindFlag
                }
                guard l.kind == t.kind else { return false }
                return try compositesMatch(local: local, l, target: target, t, behindPointer: behindPointer, level: level)
            case .int:
                guard t.kind == .int else { return false }
                return l.sizeOrType == t.sizeOrType
                    && l.intEncoding.contains(.signed) == t.intEncoding.contains(.signed)
            case .ptr:
                guard t.kind == .ptr else { return false }
                behindPointer = true
                localID = l.sizeOrType
                targetID = t.sizeOrType
            case .array:
                guard t.kind == .array, let la = l.array, let ta = t.array, la.count == ta.count else { return false }
                localID = la.element
                targetID = ta.element
            case .funcProto:
                guard t.kind == .funcProto, l.params.count == t.params.count else { return false }
                for (a, b) in zip(l.params, t.params) {
                    if !(try typesMatch(local: local, a.type, target: target, b.type,
                                        behindPointer: behindPointer, level: level - 1)) {
                        return false
                    }
                }
                localID = l.sizeOrType
                targetID = t.sizeOrType
            default:
                return false
            }
        }
        throw COREFailure("type nesting of [\(localID)] is too deep for TYPE_MATCHES")
    }

    /// Enums match: same size, at most as many local enumerators as target ones, and every local
    /// enumerator has a target one with the same essential name (values are ignored).
    static func enumsMatch(_ l: BTFType, _ t: BTFType) -> Bool {
        guard l.sizeOrType == t.sizeOrType, l.enumerators.count <= t.enumerators.count else { return false }
        let targetNames = t.enumerators.map(\.name)
        for e in l.enumerators where !targetNames.contains(where: { namesMatch(e.name, $0) }) {
            return false
        }
        return true
    }

    /// Composites match: every local member has a same-named target member whose type matches.
    static func compositesMatch(local: BTF, _ l: BTFType, target: BTF, _ t: BTFType,
                                behindPointer: Bool, level: Int) throws(COREFailure) -> Bool {
        let lm = l.members, tm = t.members
        guard lm.count <= tm.count else { return false }
        for m in lm {
            var matched = false
            for c in tm where namesMatch(m.name, c.name) {
                if try typesMatch(local: local, m.type, target: target, c.type,
                                  behindPointer: behindPointer, level: level - 1) {
                    matched = true
                    break
                }
            }
            if !matched { return false }
        }
        return true
    }
}
