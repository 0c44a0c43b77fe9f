extension BTF {
    /// The longest chain of typedefs/modifiers (or nested arrays) followed before giving up:
    /// a chain this long can only be a cycle in malformed BTF. libbpf uses 32.
    static let maxResolveDepth = 32
    /// The deepest nesting of types by value (or of declarations) followed before giving up.
    static let maxNestingDepth = 256

    /// `id` with typedef, volatile, const, restrict and type_tag layers skipped (libbpf's
    /// `skip_mods_and_typedefs`). Throws on an unknown id or a cycle.
    public func resolved(_ id: UInt32) throws(BPFError) -> UInt32 {
        var current = id
        for _ in 0..<Self.maxResolveDepth {
            guard let kind = kind(of: current) else {
                throw .malformedBTF("type id \(current) does not exist (the last id is \(count - 1))")
            }
            guard kind.isModifierOrTypedef, let (owner, off) = locate(current) else { return current }
            current = owner.storage.u32(off + 8)
        }
        throw .malformedBTF("type [\(id)]: typedef/modifier chain longer than \(Self.maxResolveDepth) (a cycle?)")
    }

    /// The decoded type of `id` after `resolved(_:)`.
    public func resolvedType(_ id: UInt32) throws(BPFError) -> BTFType {
        try type(resolved(id))
    }

    /// The size in bytes of a value of type `id` (libbpf's `btf__resolve_size`): follows
    /// typedefs, modifiers and VARs; an array is count × element size; a pointer is 8.
    /// Throws for types without a size (void, func, func_proto, fwd, …) or on overflow.
    public func size(of id: UInt32) throws(BPFError) -> Int {
        var current = id
        var multiplier = 1
        for _ in 0..<Self.maxResolveDepth {
            let t = try type(current)
            switch t.kind {
            case .int, .struct, .union, .enum, .enum64, .dataSec, .float:
                let (r, o) = multiplier.multipliedReportingOverflow(by: Int(t.sizeOrType))
                guard !o, r <= Int(UInt32.max) else { throw .malformedBTF("type [\(id)]: size overflows") }
                return r
            case .ptr:
                let (r, o) = multiplier.multipliedReportingOverflow(by: 8)
                guard !o, r <= Int(UInt32.max) else { throw .malformedBTF("type [\(id)]: size overflows") }
                return r
            case .typedef, .volatile, .const, .restrict, .typeTag, .var, .declTag:
                current = t.sizeOrType
            case .array:
                guard let a = t.array else { throw .malformedBTF("type [\(current)]: array without data") }
                let (r, o) = multiplier.multipliedReportingOverflow(by: Int(a.count))
                guard !o, r <= Int(UInt32.max) else { throw .malformedBTF("type [\(id)]: size overflows") }
                multiplier = r
                current = a.element
            case .void, .fwd, .func, .funcProto:
                throw .malformedBTF("type [\(id)] (\(kindDescription(id))) has no size")
            }
        }
        throw .malformedBTF("type [\(id)]: reference chain longer than \(Self.maxResolveDepth) (a cycle?)")
    }

    /// The alignment in bytes of type `id` as the C compiler would choose it for a naturally
    /// aligned layout (libbpf's `btf__align_of`): ints/floats/pointers/enums by their size
    /// (at most 8), arrays by element, structs by their largest member (1 if the BTF layout
    /// shows it is packed).
    public func alignment(of id: UInt32) throws(BPFError) -> Int {
        var known: [UInt32: Int] = [:]
        return try alignment(of: id, depth: 0, known: &known)
    }

    /// `known` holds the structs and unions already computed in this call: BTF dedup makes one
    /// anonymous type the member type of many, and without it a struct whose two members share
    /// a type that does the same, 24 levels deep, takes 2^24 steps (a fuzzer found this).
    private func alignment(of id: UInt32, depth: Int, known: inout [UInt32: Int]) throws(BPFError) -> Int {
        guard depth < Self.maxNestingDepth else {
            throw .malformedBTF("type [\(id)]: structs nested more than \(Self.maxNestingDepth) deep (a cycle?)")
        }
        var current = id
        for _ in 0..<Self.maxResolveDepth {
            let t = try type(current)
            switch t.kind {
            case .int, .enum, .enum64, .float:
                return min(8, max(1, Int(t.sizeOrType)))
            case .ptr:
                return 8
            case .typedef, .volatile, .const, .restrict, .typeTag, .var:
                current = t.sizeOrType
            case .array:
                current = t.array?.element ?? 0
            case .struct, .union:
                if let a = known[current] { return a }
                var maxAlign = 1
                for m in t.members {
                    let a = try alignment(of: m.type, depth: depth + 1, known: &known)
                    maxAlign = max(maxAlign, a)
                    // A member that is not aligned to its type means the struct is packed.
                    if m.bitfieldSize == 0, m.bitOffset % UInt32(8 * a) != 0 {
                        known[current] = 1
                        return 1
                    }
                }
                let a = Int(t.sizeOrType) % maxAlign != 0 ? 1 : maxAlign
                known[current] = a
                return a
            default:
                throw .malformedBTF("type [\(id)] (\(kindDescription(id))) has no alignment")
            }
        }
        throw .malformedBTF("type [\(id)]: reference chain longer than \(Self.maxResolveDepth) (a cycle?)")
    }

    func kindDescription(_ id: UInt32) -> String {
        kind(of: id).map { "\($0)" } ?? "unknown"
    }
}

extension BTFType {
    /// The name without a CO-RE `___flavour` suffix (see `BTFName.essentialName`).
    public var essentialName: String { BTFName.essentialName(name) }
}
