/// The 13 CO-RE relocation kinds (UAPI `enum bpf_core_relo_kind`), grouped as libbpf groups
/// them: field-based, type-based and enumerator-based.
enum COREKind: UInt32, Sendable, CaseIterable {
    case fieldByteOffset = 0, fieldByteSize = 1, fieldExists = 2, fieldSigned = 3
    case fieldLShiftU64 = 4, fieldRShiftU64 = 5
    case typeIDLocal = 6, typeIDTarget = 7, typeExists = 8, typeSize = 9
    case enumValueExists = 10, enumValue = 11, typeMatches = 12

    /// Kinds whose access string walks struct members and array elements.
    var isFieldBased: Bool { rawValue <= 5 }
    /// Kinds whose access string is just "0" and that concern the root type.
    var isTypeBased: Bool {
        switch self {
        case .typeIDLocal, .typeIDTarget, .typeExists, .typeSize, .typeMatches: true
        default: false
        }
    }
    /// Kinds whose access string is one enumerator index.
    var isEnumValueBased: Bool { self == .enumValueExists || self == .enumValue }

    /// libbpf's short name (`core_relo_kind_str`), used in messages.
    var shortName: String {
        switch self {
        case .fieldByteOffset: "byte_off"
        case .fieldByteSize: "byte_sz"
        case .fieldExists: "field_exists"
        case .fieldSigned: "signed"
        case .fieldLShiftU64: "lshift_u64"
        case .fieldRShiftU64: "rshift_u64"
        case .typeIDLocal: "local_type_id"
        case .typeIDTarget: "target_type_id"
        case .typeExists: "type_exists"
        case .typeMatches: "type_matches"
        case .typeSize: "type_size"
        case .enumValueExists: "enumval_exists"
        case .enumValue: "enumval_value"
        }
    }
}
