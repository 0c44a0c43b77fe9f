/// The kind of a BTF type record: the UAPI `BTF_KIND_*` numbers (bits 24–28 of `btf_type.info`).
public enum BTFKind: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// `BTF_KIND_UNKN`: only type id 0, `void`. Never valid inside a type section.
    case void = 0
    case int = 1
    case ptr = 2
    case array = 3
    case `struct` = 4
    case union = 5
    case `enum` = 6
    /// `BTF_KIND_FWD`: a forward declaration; `kind_flag` set means a union.
    case fwd = 7
    case typedef = 8
    case volatile = 9
    case const = 10
    case restrict = 11
    /// `BTF_KIND_FUNC`: a function; `vlen` holds its linkage, `type` its FUNC_PROTO.
    case `func` = 12
    case funcProto = 13
    case `var` = 14
    case dataSec = 15
    case float = 16
    case declTag = 17
    case typeTag = 18
    case enum64 = 19

    /// The name bpftool prints in its raw format, e.g. `STRUCT`, `FUNC_PROTO`.
    public var description: String {
        switch self {
        case .void: "UNKNOWN"
        case .int: "INT"
        case .ptr: "PTR"
        case .array: "ARRAY"
        case .struct: "STRUCT"
        case .union: "UNION"
        case .enum: "ENUM"
        case .fwd: "FWD"
        case .typedef: "TYPEDEF"
        case .volatile: "VOLATILE"
        case .const: "CONST"
        case .restrict: "RESTRICT"
        case .func: "FUNC"
        case .funcProto: "FUNC_PROTO"
        case .var: "VAR"
        case .dataSec: "DATASEC"
        case .float: "FLOAT"
        case .declTag: "DECL_TAG"
        case .typeTag: "TYPE_TAG"
        case .enum64: "ENUM64"
        }
    }

    /// Kinds whose `size_type` field is a size in bytes.
    public var hasSize: Bool {
        switch self {
        case .int, .struct, .union, .enum, .enum64, .dataSec, .float: true
        default: false
        }
    }

    /// Kinds whose `size_type` field refers to another type.
    public var hasReferencedType: Bool {
        switch self {
        case .ptr, .typedef, .volatile, .const, .restrict, .func, .var, .declTag, .typeTag: true
        default: false
        }
    }

    /// Qualifiers and aliases that CO-RE and size computations look through:
    /// typedef, volatile, const, restrict, type_tag.
    public var isModifierOrTypedef: Bool {
        switch self {
        case .typedef, .volatile, .const, .restrict, .typeTag: true
        default: false
        }
    }

    /// Struct or union.
    public var isComposite: Bool { self == .struct || self == .union }

    /// Enum or enum64 (CO-RE treats them as one kind).
    public var isEnum: Bool { self == .enum || self == .enum64 }
}

/// Linkage of a `BTF_KIND_FUNC` (stored in `vlen`) or a `BTF_KIND_VAR` (`btf_var.linkage`).
/// UAPI: `BTF_FUNC_STATIC/GLOBAL/EXTERN` and `BTF_VAR_STATIC/GLOBAL_ALLOCATED/GLOBAL_EXTERN`
/// share the numbers 0, 1, 2.
public struct BTFLinkage: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The raw bits.
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// `BTF_FUNC_STATIC` / `BTF_VAR_STATIC`.
    public static let `static` = BTFLinkage(rawValue: 0)
    /// `BTF_FUNC_GLOBAL` / `BTF_VAR_GLOBAL_ALLOCATED`.
    public static let global = BTFLinkage(rawValue: 1)
    /// `BTF_FUNC_EXTERN` / `BTF_VAR_GLOBAL_EXTERN`.
    public static let `extern` = BTFLinkage(rawValue: 2)

    /// bpftool's spelling ("static", "global", "extern"), for FUNC and VAR alike.
    public var description: String {
        switch rawValue {
        case 0: "static"
        case 1: "global"
        case 2: "extern"
        default: "(unknown)"
        }
    }
}

/// `BTF_INT_ENCODING` bits of an INT: `BTF_INT_SIGNED`, `BTF_INT_CHAR`, `BTF_INT_BOOL`.
public struct BTFIntEncoding: OptionSet, Hashable, Sendable {
    /// The raw bits.
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// `BTF_INT_SIGNED`.
    public static let signed = BTFIntEncoding(rawValue: 1)
    /// `BTF_INT_CHAR`.
    public static let char = BTFIntEncoding(rawValue: 2)
    /// `BTF_INT_BOOL`.
    public static let bool = BTFIntEncoding(rawValue: 4)
}
