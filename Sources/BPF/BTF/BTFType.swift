/// One decoded BTF type record (`struct btf_type` plus its kind-specific trailing data).
///
/// Obtained from `BTF.type(_:)`, which decodes the record on demand. Accessors that do not apply
/// to the record's kind return `nil`, `0`, `false` or an empty array.
public struct BTFType: Sendable, Hashable, CustomStringConvertible {
    /// The type id: 0 is `void`, records are numbered from 1 in section order
    /// (split BTF continues after its base's last id).
    public let id: UInt32
    /// The kind (`BTF_KIND_*`).
    public let kind: BTFKind
    /// The name, "" for anonymous types.
    public let name: String
    /// `btf_type.name_off`: the name's offset in the string section.
    public let nameOffset: UInt32
    /// `kind_flag` (bit 31 of `info`). Struct/union: members carry bitfield sizes; enum: signed;
    /// fwd: union.
    public let kindFlag: Bool
    /// `vlen` (bits 0–15 of `info`): member/enumerator/param/entry count; linkage for FUNC.
    public let vlen: Int
    /// The raw `size_type` union: a size or a type id depending on `kind`.
    public let sizeOrType: UInt32
    /// The kind-specific trailing data.
    public let payload: BTFTypePayload

    /// A type with these fields, as the parser reads it from `struct btf_type` and what follows it.
    public init(id: UInt32, kind: BTFKind, name: String, nameOffset: UInt32, kindFlag: Bool,
                vlen: Int, sizeOrType: UInt32, payload: BTFTypePayload) {
        self.id = id
        self.kind = kind
        self.name = name
        self.nameOffset = nameOffset
        self.kindFlag = kindFlag
        self.vlen = vlen
        self.sizeOrType = sizeOrType
        self.payload = payload
    }

    /// The `void` pseudo-type, id 0.
    public static let void = BTFType(id: 0, kind: .void, name: "", nameOffset: 0, kindFlag: false,
                                     vlen: 0, sizeOrType: 0, payload: .none)

    /// Byte size for INT, STRUCT, UNION, ENUM, ENUM64, DATASEC and FLOAT; nil otherwise.
    public var size: Int? { kind.hasSize ? Int(sizeOrType) : nil }

    /// The referenced type for PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC (its FUNC_PROTO),
    /// VAR, DECL_TAG and TYPE_TAG; the return type of a FUNC_PROTO; nil otherwise.
    public var referencedType: UInt32? {
        kind.hasReferencedType || kind == .funcProto ? sizeOrType : nil
    }

    /// The return type of a FUNC_PROTO (0 = void).
    public var returnType: UInt32? { kind == .funcProto ? sizeOrType : nil }

    /// INT: `BTF_INT_ENCODING` bits.
    public var intEncoding: BTFIntEncoding {
        if case let .int(e, _, _) = payload { return e }
        return []
    }

    /// INT: `BTF_INT_OFFSET`, the bit offset of the value inside the storage.
    public var intOffset: Int {
        if case let .int(_, o, _) = payload { return Int(o) }
        return 0
    }

    /// INT: `BTF_INT_BITS`, the number of value bits.
    public var intBits: Int {
        if case let .int(_, _, b) = payload { return Int(b) }
        return 0
    }

    /// ARRAY: element type, index type and element count.
    public var array: BTFArray? {
        if case let .array(a) = payload { return a }
        return nil
    }

    /// ARRAY: the element type id.
    public var element: UInt32? { array?.element }
    /// ARRAY: the index type id.
    public var indexType: UInt32? { array?.indexType }
    /// ARRAY: the number of elements.
    public var count: Int? { array.map { Int($0.count) } }

    /// STRUCT and UNION members, in record order.
    public var members: [BTFMember] {
        if case let .members(m) = payload { return m }
        return []
    }

    /// ENUM and ENUM64 enumerators.
    public var enumerators: [BTFEnumerator] {
        if case let .enumerators(e) = payload { return e }
        return []
    }

    /// ENUM/ENUM64: values are signed (`kind_flag`).
    public var isSigned: Bool { kind.isEnum && kindFlag }

    /// FUNC_PROTO parameters. A trailing parameter with name "" and type 0 means `...`.
    public var params: [BTFParam] {
        if case let .params(p) = payload { return p }
        return []
    }

    /// FUNC linkage (from `vlen`) or VAR linkage (`btf_var.linkage`).
    public var linkage: BTFLinkage? {
        switch kind {
        case .func: return BTFLinkage(rawValue: UInt32(vlen))
        case .var:
            if case let .varLinkage(l) = payload { return l }
            return nil
        default: return nil
        }
    }

    /// DATASEC entries (`btf_var_secinfo`), in record order.
    public var dataSecEntries: [BTFVarSecInfo] {
        if case let .dataSecEntries(e) = payload { return e }
        return []
    }

    /// DECL_TAG: `component_idx`, -1 for the type itself, else a member or parameter index.
    public var componentIndex: Int32? {
        if case let .declTag(i) = payload { return i }
        return nil
    }

    /// FWD: the forward declaration is of a union (`kind_flag`).
    public var isUnionForward: Bool { kind == .fwd && kindFlag }

    public var description: String {
        "[\(id)] \(kind) '\(name)'"
    }
}

/// Kind-specific data after `struct btf_type`.
public enum BTFTypePayload: Sendable, Hashable {
    /// Kinds with no trailing data (ptr, fwd, typedef, modifiers, func, float, type_tag).
    case none
    /// INT: the `u32` after the record.
    case int(encoding: BTFIntEncoding, offset: UInt8, bits: UInt8)
    /// ARRAY: `struct btf_array`.
    case array(BTFArray)
    /// STRUCT, UNION: `struct btf_member` × vlen.
    case members([BTFMember])
    /// ENUM: `struct btf_enum` × vlen; ENUM64: `struct btf_enum64` × vlen.
    case enumerators([BTFEnumerator])
    /// FUNC_PROTO: `struct btf_param` × vlen.
    case params([BTFParam])
    /// VAR: `struct btf_var`.
    case varLinkage(BTFLinkage)
    /// DATASEC: `struct btf_var_secinfo` × vlen.
    case dataSecEntries([BTFVarSecInfo])
    /// DECL_TAG: `struct btf_decl_tag`.
    case declTag(componentIndex: Int32)
}

/// `struct btf_array`.
public struct BTFArray: Sendable, Hashable {
    /// Type id of the elements.
    public var element: UInt32
    /// Type id of the index, an integer type.
    public var indexType: UInt32
    /// Number of elements (0 for a flexible array).
    public var count: UInt32
    /// An array of `count` elements of type `element`.
    public init(element: UInt32, indexType: UInt32, count: UInt32) {
        self.element = element
        self.indexType = indexType
        self.count = count
    }
}

/// `struct btf_member`, with `offset` split according to the parent's `kind_flag`:
/// with the flag set, bits 0–23 are the bit offset and bits 24–31 the bitfield size; without it,
/// the whole field is the bit offset and bitfields are expressed through INT `bits`/`offset`.
public struct BTFMember: Sendable, Hashable {
    /// The name, from the BTF string section ("" if anonymous).
    public var name: String
    /// Offset of the name in the BTF string section.
    public var nameOffset: UInt32
    /// Type id of its type.
    public var type: UInt32
    /// Offset of the member from the start of the struct, in bits.
    public var bitOffset: UInt32
    /// Bitfield width in bits; 0 when the member is not a bitfield (or the parent has no
    /// `kind_flag`, in which case the INT's own `intBits` may describe one).
    public var bitfieldSize: UInt32

    /// A member at `bitOffset` bits.
    public init(name: String, nameOffset: UInt32, type: UInt32, bitOffset: UInt32, bitfieldSize: UInt32) {
        self.name = name
        self.nameOffset = nameOffset
        self.type = type
        self.bitOffset = bitOffset
        self.bitfieldSize = bitfieldSize
    }

    /// `bitOffset / 8`.
    public var byteOffset: Int { Int(bitOffset / 8) }
}

/// One enumerator of an ENUM or ENUM64.
public struct BTFEnumerator: Sendable, Hashable {
    /// The name, from the BTF string section ("" if anonymous).
    public var name: String
    /// Offset of the name in the BTF string section.
    public var nameOffset: UInt32
    /// The value's 64 raw bits: a signed 32-bit ENUM value is sign-extended, an unsigned one
    /// zero-extended; ENUM64 combines `val_lo32` and `val_hi32`.
    public var value: Int64

    /// The enumerator `name` = `value`.
    public init(name: String, nameOffset: UInt32, value: Int64) {
        self.name = name
        self.nameOffset = nameOffset
        self.value = value
    }

    /// The value read as unsigned.
    public var unsignedValue: UInt64 { UInt64(bitPattern: value) }
}

/// `struct btf_param` of a FUNC_PROTO.
public struct BTFParam: Sendable, Hashable {
    /// The name, from the BTF string section ("" if anonymous).
    public var name: String
    /// Offset of the name in the BTF string section.
    public var nameOffset: UInt32
    /// Type id of its type.
    public var type: UInt32

    /// A parameter `name` of type `type`.
    public init(name: String, nameOffset: UInt32, type: UInt32) {
        self.name = name
        self.nameOffset = nameOffset
        self.type = type
    }
}

/// `struct btf_var_secinfo`: one variable of a DATASEC.
public struct BTFVarSecInfo: Sendable, Hashable {
    /// The VAR (or FUNC, for `.ksyms`) type id.
    public var type: UInt32
    /// Offset of the variable in the section, in bytes.
    public var offset: UInt32
    /// Size of the variable in bytes.
    public var size: UInt32

    /// The variable of type id `type` at `offset`, `size` bytes.
    public init(type: UInt32, offset: UInt32, size: UInt32) {
        self.type = type
        self.offset = offset
        self.size = size
    }
}
