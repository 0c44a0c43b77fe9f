/// One high-level step of a CO-RE access: a named member of a struct/union (`name` set, `typeID`
/// is the composite, `index` the member index) or an array element / the root pointer index
/// (`name` nil, `typeID` is the element type).
struct COREAccessor: Sendable, Equatable {
    var typeID: UInt32
    var index: Int
    var name: String?
}

/// A CO-RE access specification over one BTF (libbpf's `struct bpf_core_spec`).
///
/// `raw` is every index of the access string (including steps through anonymous members);
/// `accessors` keeps only named members and array indices; `bitOffset` is the accessed field's
/// offset from the root pointer in bits.
struct COREAccessSpec {
    /// libbpf's `BPF_CORE_SPEC_MAX_LEN`.
    static let maxLength = 64

    let btf: BTF
    var rootTypeID: UInt32
    var kind: CORERelocationKind
    var raw: [Int] = []
    var accessors: [COREAccessor] = []
    var bitOffset: Int = 0

    init(btf: BTF, rootTypeID: UInt32, kind: CORERelocationKind) {
        self.btf = btf
        self.rootTypeID = rootTypeID
        self.kind = kind
    }

    /// Parses `accessString` (e.g. "0:1:2:3") against the local type `rootTypeID`
    /// (libbpf's `bpf_core_parse_spec`).
    init(parsing accessString: String, rootTypeID: UInt32, kind: CORERelocationKind, btf: BTF) throws(COREFailure) {
        self.init(btf: btf, rootTypeID: rootTypeID, kind: kind)
        guard !accessString.isEmpty, !accessString.hasPrefix(":") else {
            throw COREFailure("bad access string '\(accessString)'")
        }
        if kind.isTypeBased {
            guard accessString == "0" else {
                throw COREFailure("type-based relocation needs access string '0', got '\(accessString)'")
            }
            return
        }
        for part in accessString.split(separator: ":", omittingEmptySubsequences: false) {
            guard !part.isEmpty, part.allSatisfy(\.isASCII), let n = Int(part), n >= 0, n <= Int(Int32.max) else {
                throw COREFailure("bad access string '\(accessString)'")
            }
            guard raw.count < Self.maxLength else {
                throw COREFailure("access string '\(accessString)' is longer than \(Self.maxLength) steps")
            }
            raw.append(n)
        }
        guard let first = raw.first else { throw COREFailure("empty access string") }

        var t = try CORETypeRules.skipModifiers(btf, rootTypeID)
        var id = t.id
        accessors.append(COREAccessor(typeID: id, index: first, name: nil))

        if kind.isEnumValueBased {
            guard t.kind.isEnum else {
                throw COREFailure("enumerator relocation on type [\(id)] of kind \(t.kind)")
            }
            guard raw.count == 1, first < t.enumerators.count else {
                throw COREFailure("enumerator index \(accessString) is out of range for [\(id)] (\(t.enumerators.count) values)")
            }
            accessors[0].name = t.enumerators[first].name
            return
        }
        guard kind.isFieldBased else { throw COREFailure("unknown relocation kind \(kind.rawValue)") }

        bitOffset = try CORETypeRules.elementBits(first, size: try CORETypeRules.resolveSize(btf, id), plus: 0)
        for step in 1..<raw.count {
            let index = raw[step]
            t = try CORETypeRules.skipModifiers(btf, id)
            id = t.id
            if t.kind.isComposite {
                let members = t.members
                guard index < members.count else {
                    throw COREFailure("member index \(index) (step \(step) of '\(accessString)') is out of range for [\(id)] \(t.kind) '\(t.name)' with \(members.count) members")
                }
                let m = members[index]
                bitOffset += Int(m.bitOffset)
                if m.nameOffset != 0 {
                    guard !m.name.isEmpty else { throw COREFailure("member \(index) of [\(id)] has an empty name") }
                    accessors.append(COREAccessor(typeID: id, index: index, name: m.name))
                }
                id = m.type
            } else if t.kind == .array, let a = t.array {
                let element = try CORETypeRules.skipModifiers(btf, a.element)
                let flexible = Self.isFlexibleArray(btf: btf, parent: accessors.last, count: a.count)
                guard flexible || index < Int(a.count) else {
                    throw COREFailure("array index \(index) (step \(step) of '\(accessString)') is out of bounds for [\(id)] with \(a.count) elements")
                }
                id = element.id
                accessors.append(COREAccessor(typeID: id, index: index, name: nil))
                bitOffset = try CORETypeRules.elementBits(index, size: try CORETypeRules.resolveSize(btf, id), plus: bitOffset)
            } else {
                throw COREFailure("step \(step) of '\(accessString)' reaches type [\(id)] of kind \(t.kind), which has no members or elements")
            }
        }
    }

    /// libbpf's `is_flex_arr`: an array of zero elements that is the last member of the struct
    /// the previous accessor named.
    static func isFlexibleArray(btf: BTF, parent: COREAccessor?, count: UInt32) -> Bool {
        guard let parent, parent.name != nil, count == 0 else { return false }
        guard let t = try? btf.type(parent.typeID) else { return false }
        return parent.index == t.vlen - 1
    }

    /// libbpf's `bpf_core_format_spec` minus the kind prefix, e.g.
    /// `struct task_struct.pid (0:52 @ offset 2616)`, `enum pid_type::PIDTYPE_TGID = 1`,
    /// `struct task_struct`.
    var text: String {
        let root = (try? btf.type(rootTypeID)) ?? .void
        var s = "\(Self.kindWord(root.kind)) \(root.name.isEmpty ? "<anon>" : root.name)"
        if kind.isTypeBased { return s }
        if kind.isEnumValueBased {
            if let t = try? CORETypeRules.skipModifiers(btf, rootTypeID), let i = raw.first, i < t.enumerators.count {
                let e = t.enumerators[i]
                let v = t.kindFlag ? String(e.value) : (t.kind == .enum ? String(UInt32(truncatingIfNeeded: e.value)) : String(e.unsignedValue))
                s += "::\(e.name) = \(v)"
            }
            return s
        }
        for (i, a) in accessors.enumerated() {
            if let name = a.name {
                s += ".\(name)"
            } else if i > 0 || a.index > 0 {
                s += "[\(a.index)]"
            }
        }
        s += " (" + raw.map(String.init).joined(separator: ":")
        s += bitOffset % 8 == 0 ? " @ offset \(bitOffset / 8))" : " @ offset \(bitOffset / 8).\(bitOffset % 8))"
        return s
    }

    /// libbpf's `btf_kind_str` spelling of a kind ("struct", "enum64", "func_proto", ...).
    static func kindWord(_ kind: BTFKind) -> String {
        switch kind {
        case .void: "unknown"
        case .funcProto: "func_proto"
        case .dataSec: "datasec"
        case .declTag: "decl_tag"
        case .typeTag: "type_tag"
        default: kind.description.lowercased()
        }
    }
}
