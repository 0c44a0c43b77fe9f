/// The value a relocation computes from one spec (local or target), and what the instruction
/// patcher needs to know about it (libbpf's `struct bpf_core_relo_res`, computed by
/// `bpf_core_calc_field_relo`, `bpf_core_calc_type_relo`, `bpf_core_calc_enumval_relo`).
struct CORERelocationDecision: Equatable {
    /// The value the compiler should have put into the instruction (from local BTF).
    var originalValue: UInt64 = 0
    /// The value to write (from the target BTF).
    var newValue: UInt64 = 0
    /// The instruction must be replaced by the poison call.
    var poison = false
    /// Whether the instruction's current value must equal `originalValue`.
    var validate = true
    /// For LDX/ST/STX of a field whose size changed in a way that cannot be rewritten safely.
    var failMemorySizeAdjust = false
    /// Memory access size in bytes (byte-offset relocations of non-bitfield fields), 0 if none.
    var originalSize = 0
    var newSize = 0
    /// Field type ids behind `originalSize` / `newSize` (local and target BTF respectively).
    var originalTypeID: UInt32 = 0
    var newTypeID: UInt32 = 0
}

/// One side's computed field value.
struct COREFieldValue {
    var value: UInt64 = 0
    var memorySize = 0
    var typeID: UInt32 = 0
    var validate = true
}

enum COREValueCalculation {
    /// A field-based value from `spec`; nil spec (no matching candidate) gives 0 for FIELD_EXISTS
    /// and "poison" (nil) for the rest.
    static func fieldValue(kind: CORERelocationKind, spec: COREAccessSpec?) throws(COREFailure) -> COREFieldValue? {
        var out = COREFieldValue()
        if kind == .fieldExists {
            out.value = spec == nil ? 0 : 1
            return out
        }
        guard let spec else { return nil }
        guard let acc = spec.accessors.last else { throw COREFailure("empty field spec") }
        let btf = spec.btf

        if acc.name == nil {
            // An array element (or the root pointer index).
            switch kind {
            case .fieldByteOffset:
                out.value = UInt64(spec.bitOffset / 8)
                out.memorySize = try elementSize(btf, acc.typeID)
                out.typeID = acc.typeID
            case .fieldByteSize:
                out.value = UInt64(try CORETypeRules.resolveSize(btf, acc.typeID))
            default:
                throw COREFailure("\(kind.description) relocation cannot be applied to an array element access")
            }
            out.validate = true
            return out
        }

        let parent = try CORETypeRules.type(btf, acc.typeID)
        let members = parent.members
        guard acc.index < members.count else { throw COREFailure("member index \(acc.index) out of range") }
        let member = members[acc.index]
        let memberType = try CORETypeRules.skipModifiers(btf, member.type)
        let fieldTypeID = memberType.id
        let bitOff = spec.bitOffset
        var bitSize = Int(member.bitfieldSize)
        let bitfield = bitSize > 0
        var byteOff: Int
        var byteSize: Int

        if bitfield {
            byteSize = Int(memberType.sizeOrType)
            guard byteSize > 0 else { throw COREFailure("bitfield '\(member.name)' has a zero-sized type") }
            byteOff = bitOff / 8 / byteSize * byteSize
            // The smallest naturally aligned load (up to 8 bytes) that covers all the bits.
            while bitOff + bitSize - byteOff * 8 > byteSize * 8 {
                guard byteSize < 8 else {
                    throw COREFailure("bitfield '\(member.name)' at bit \(bitOff) (\(bitSize) bits) cannot be read with one 64-bit load")
                }
                byteSize *= 2
                byteOff = bitOff / 8 / byteSize * byteSize
            }
        } else {
            byteSize = try CORETypeRules.resolveSize(btf, fieldTypeID)
            byteOff = bitOff / 8
            bitSize = byteSize * 8
        }
        // Bitfield layouts are where local and compiler may legitimately disagree.
        out.validate = !bitfield

        switch kind {
        case .fieldByteOffset:
            out.value = UInt64(byteOff)
            if !bitfield {
                out.memorySize = try elementSize(btf, fieldTypeID)
                out.typeID = fieldTypeID
            }
        case .fieldByteSize:
            out.value = UInt64(byteSize)
        case .fieldSigned:
            let signed = (memberType.kind.isEnum && memberType.kindFlag)
                || (memberType.kind == .int && memberType.intEncoding.contains(.signed))
            out.value = signed ? 1 : 0
            out.validate = true
        case .fieldLShiftU64:
            // Little-endian: shift the field's top bit up to bit 63.
            // Wraps like libbpf's u64 arithmetic for fields wider than 8 bytes.
            out.value = UInt64(bitPattern: Int64(64 - (bitOff + bitSize - byteOff * 8)))
        case .fieldRShiftU64:
            out.value = UInt64(bitPattern: Int64(64 - bitSize))
            out.validate = true
        default:
            throw COREFailure("\(kind.description) is not a field relocation")
        }
        return out
    }

    /// Size of the innermost element of `id` (arrays unwrapped), the memory access size of a
    /// load through a byte-offset relocation.
    static func elementSize(_ btf: BTF, _ id: UInt32) throws(COREFailure) -> Int {
        var t = try CORETypeRules.skipModifiers(btf, id)
        var depth = 0
        while t.kind == .array, let a = t.array {
            depth += 1
            guard depth <= CORETypeRules.maxDepth else { throw COREFailure("array nesting too deep") }
            t = try CORETypeRules.skipModifiers(btf, a.element)
        }
        return try CORETypeRules.resolveSize(btf, t.id)
    }

    /// A type-based value; nil spec gives 0.
    static func typeValue(kind: CORERelocationKind, spec: COREAccessSpec?) throws(COREFailure) -> (value: UInt64, validate: Bool) {
        guard let spec else { return (0, true) }
        switch kind {
        case .typeIDTarget:
            // Type ids may change when objects are linked, so the compiler's value is not checked.
            return (UInt64(spec.rootTypeID), false)
        case .typeExists, .typeMatches:
            return (1, true)
        case .typeSize:
            return (UInt64(try CORETypeRules.resolveSize(spec.btf, spec.rootTypeID)), true)
        default:
            throw COREFailure("\(kind.description) is not handled as a type relocation")
        }
    }

    /// An enumerator-based value; nil spec gives 0 for ENUMVAL_EXISTS and poison (nil) for
    /// ENUMVAL_VALUE.
    static func enumValue(kind: CORERelocationKind, spec: COREAccessSpec?) throws(COREFailure) -> UInt64? {
        switch kind {
        case .enumValueExists:
            return spec == nil ? 0 : 1
        case .enumValueValue:
            guard let spec else { return nil }
            guard let acc = spec.accessors.first else { throw COREFailure("empty enumerator spec") }
            let t = try CORETypeRules.type(spec.btf, acc.typeID)
            let values = t.enumerators
            guard acc.index < values.count else { throw COREFailure("enumerator index out of range") }
            let e = values[acc.index]
            // libbpf widens a 32-bit enum's `btf_enum.val` (an `__s32`) with sign extension,
            // whatever the enum's signedness.
            if t.kind == .enum {
                return UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: e.value)))
            }
            return e.unsignedValue
        default:
            throw COREFailure("\(kind.description) is not an enumerator relocation")
        }
    }

    /// Local and target values for one relocation (libbpf's `bpf_core_calc_relo`). `target` nil
    /// means no candidate matched.
    static func decide(kind: CORERelocationKind, local: COREAccessSpec, target: COREAccessSpec?) throws(COREFailure) -> CORERelocationDecision {
        var d = CORERelocationDecision()
        if kind.isFieldBased {
            guard let l = try fieldValue(kind: kind, spec: local) else {
                throw COREFailure("local field spec could not be evaluated")
            }
            d.originalValue = l.value
            d.originalSize = l.memorySize
            d.originalTypeID = l.typeID
            d.validate = l.validate
            guard let t = try fieldValue(kind: kind, spec: target) else {
                d.poison = true
                return d
            }
            d.newValue = t.value
            d.newSize = t.memorySize
            d.newTypeID = t.typeID
            if d.originalSize != d.newSize, let target {
                // Only pointer↔pointer and unsigned int↔unsigned int may change access size.
                let o = try CORETypeRules.type(local.btf, d.originalTypeID)
                let n = try CORETypeRules.type(target.btf, d.newTypeID)
                let bothPointers = o.kind == .ptr && n.kind == .ptr
                let bothUnsigned = o.kind == .int && n.kind == .int
                    && o.intEncoding != .signed && n.intEncoding != .signed
                d.failMemorySizeAdjust = !(bothPointers || bothUnsigned)
            }
        } else if kind.isTypeBased {
            let l = try typeValue(kind: kind, spec: local)
            d.originalValue = l.value
            d.validate = l.validate
            d.newValue = try typeValue(kind: kind, spec: target).value
        } else {
            guard let l = try enumValue(kind: kind, spec: local) else {
                throw COREFailure("local enumerator spec could not be evaluated")
            }
            d.originalValue = l
            if let t = try enumValue(kind: kind, spec: target) {
                d.newValue = t
            } else {
                d.poison = true
            }
        }
        return d
    }
}
