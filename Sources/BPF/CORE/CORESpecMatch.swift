/// Matching a local access spec against one target candidate type (libbpf's
/// `bpf_core_spec_match` and `bpf_core_match_member`).
extension COREAccessSpec {
    /// The target spec for candidate `targetID`, or nil when the candidate does not match
    /// (a named field is missing or incompatible, an array index is out of bounds, the types are
    /// not compatible, the enumerator is absent).
    func match(target: BTF, candidate targetID: UInt32) throws(COREFailure) -> COREAccessSpec? {
        var spec = COREAccessSpec(btf: target, rootTypeID: targetID, kind: kind)

        if kind.isTypeBased {
            let ok = kind == .typeMatches
                ? try CORETypeRules.typesMatch(local: btf, rootTypeID, target: target, targetID)
                : try CORETypeRules.typesAreCompatible(local: btf, rootTypeID, target: target, targetID)
            return ok ? spec : nil
        }

        guard let first = accessors.first else { throw COREFailure("local spec has no accessors") }

        if kind.isEnumValueBased {
            let t = try CORETypeRules.skipModifiers(target, targetID)
            guard t.kind.isEnum, let localName = first.name else { return nil }
            let essential = BTFName.essentialName(localName)
            for (i, e) in t.enumerators.enumerated() where BTFName.essentialName(e.name) == essential {
                spec.accessors.append(COREAccessor(typeID: t.id, index: i, name: e.name))
                spec.raw.append(i)
                return spec
            }
            return nil
        }

        guard kind.isFieldBased else { throw COREFailure("unknown relocation kind \(kind.rawValue)") }

        var targetCursor = targetID
        for (i, local) in accessors.enumerated() {
            let t = try CORETypeRules.skipModifiers(target, targetCursor)
            targetCursor = t.id
            if local.name != nil {
                guard let next = try matchMember(local, in: t, target: target, spec: &spec) else { return nil }
                targetCursor = next
            } else {
                if i > 0 {
                    guard t.kind == .array, let a = t.array else { return nil }
                    let flexible = Self.isFlexibleArray(btf: target, parent: spec.accessors.last, count: a.count)
                    if !flexible && local.index >= Int(a.count) { return nil }
                    targetCursor = try CORETypeRules.skipModifiers(target, a.element).id
                }
                guard spec.raw.count < Self.maxLength else { throw COREFailure("target access is too deep") }
                spec.accessors.append(COREAccessor(typeID: targetCursor, index: local.index, name: nil))
                spec.raw.append(local.index)
                spec.bitOffset = try CORETypeRules.elementBits(local.index, size: try CORETypeRules.resolveSize(target, targetCursor), plus: spec.bitOffset)
            }
        }
        return spec
    }

    /// Finds the target member with the local accessor's name in composite `t`, descending into
    /// anonymous members; appends the steps to `spec`. Returns the member's type id, or nil when
    /// no compatible member exists.
    private func matchMember(_ local: COREAccessor, in t: BTFType, target: BTF,
                             spec: inout COREAccessSpec) throws(COREFailure) -> UInt32? {
        guard t.kind.isComposite else { return nil }
        let localParent = try CORETypeRules.type(btf, local.typeID)
        let localMembers = localParent.members
        guard local.index < localMembers.count else { throw COREFailure("local accessor index out of range") }
        let localMember = localMembers[local.index]

        for (i, m) in t.members.enumerated() {
            guard spec.raw.count < Self.maxLength else { throw COREFailure("target access is too deep") }
            spec.bitOffset += Int(m.bitOffset)
            spec.raw.append(i)
            if m.name.isEmpty {
                let inner = try CORETypeRules.skipModifiers(target, m.type)
                if let found = try matchMember(local, in: inner, target: target, spec: &spec) {
                    return found
                }
            } else if m.name == localMember.name {
                guard try CORETypeRules.fieldsAreCompatible(local: btf, localMember.type, target: target, m.type) else {
                    return nil
                }
                spec.accessors.append(COREAccessor(typeID: t.id, index: i, name: m.name))
                return m.type
            }
            spec.bitOffset -= Int(m.bitOffset)
            spec.raw.removeLast()
        }
        return nil
    }
}
