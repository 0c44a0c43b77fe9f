/// One `struct bpf_func_info` record of `.BTF.ext`: a function starts at `insnOffset`.
public struct BTFFuncInfo: Sendable, Hashable {
    /// Offset of the function's first instruction. In `.BTF.ext` this is in *bytes* from the
    /// start of the ELF section; `BPF_PROG_LOAD` wants *instructions* from the program's start.
    public var insnOffset: UInt32
    /// The function's `BTF_KIND_FUNC` type id.
    public var typeID: UInt32

    /// The function of type `typeID` starting at byte `insnOffset`.
    public init(insnOffset: UInt32, typeID: UInt32) {
        self.insnOffset = insnOffset
        self.typeID = typeID
    }

    /// `sizeof(struct bpf_func_info)`.
    public static let recordSize = 8

    /// The records in the kernel's layout (`recordSize` bytes each, little-endian).
    public static func encode(_ records: [BTFFuncInfo]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(records.count * recordSize)
        for r in records {
            out.btfAppendU32(r.insnOffset)
            out.btfAppendU32(r.typeID)
        }
        return out
    }
}

/// One `struct bpf_line_info` record of `.BTF.ext`. The string offsets are kept raw: the kernel
/// resolves them against the BTF loaded with the program.
public struct BTFLineInfo: Sendable, Hashable {
    /// Instruction offset: bytes in `.BTF.ext`, instructions for `BPF_PROG_LOAD`.
    public var insnOffset: UInt32
    /// String offset of the source file name.
    public var fileNameOffset: UInt32
    /// String offset of the source line's text.
    public var lineOffset: UInt32
    /// `line_col`: line number in bits 10–31, column in bits 0–9.
    public var lineCol: UInt32

    /// The source line for the instruction at byte `insnOffset`.
    public init(insnOffset: UInt32, fileNameOffset: UInt32, lineOffset: UInt32, lineCol: UInt32) {
        self.insnOffset = insnOffset
        self.fileNameOffset = fileNameOffset
        self.lineOffset = lineOffset
        self.lineCol = lineCol
    }

    /// `BPF_LINE_INFO_LINE_NUM(line_col)`.
    public var line: UInt32 { lineCol >> 10 }
    /// `BPF_LINE_INFO_LINE_COL(line_col)`.
    public var column: UInt32 { lineCol & 0x3ff }

    /// `sizeof(struct bpf_line_info)`.
    public static let recordSize = 16

    /// The records in the kernel's layout (`recordSize` bytes each, little-endian).
    public static func encode(_ records: [BTFLineInfo]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(records.count * recordSize)
        for r in records {
            out.btfAppendU32(r.insnOffset)
            out.btfAppendU32(r.fileNameOffset)
            out.btfAppendU32(r.lineOffset)
            out.btfAppendU32(r.lineCol)
        }
        return out
    }
}

/// UAPI `enum bpf_core_relo_kind`: what a CO-RE relocation computes.
public enum CORERelocationKind: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    /// `BPF_CORE_FIELD_BYTE_OFFSET`
    case fieldByteOffset = 0
    /// `BPF_CORE_FIELD_BYTE_SIZE`
    case fieldByteSize = 1
    /// `BPF_CORE_FIELD_EXISTS`
    case fieldExists = 2
    /// `BPF_CORE_FIELD_SIGNED`
    case fieldSigned = 3
    /// `BPF_CORE_FIELD_LSHIFT_U64`
    case fieldLShiftU64 = 4
    /// `BPF_CORE_FIELD_RSHIFT_U64`
    case fieldRShiftU64 = 5
    /// `BPF_CORE_TYPE_ID_LOCAL`
    case typeIDLocal = 6
    /// `BPF_CORE_TYPE_ID_TARGET`
    case typeIDTarget = 7
    /// `BPF_CORE_TYPE_EXISTS`
    case typeExists = 8
    /// `BPF_CORE_TYPE_SIZE`
    case typeSize = 9
    /// `BPF_CORE_ENUMVAL_EXISTS`
    case enumValueExists = 10
    /// `BPF_CORE_ENUMVAL_VALUE`
    case enumValueValue = 11
    /// `BPF_CORE_TYPE_MATCHES`
    case typeMatches = 12

    /// libbpf's spelling in its logs, e.g. `byte_off`, `enumval_value`.
    public var description: String {
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
        case .typeSize: "type_size"
        case .enumValueExists: "enumval_exists"
        case .enumValueValue: "enumval_value"
        case .typeMatches: "type_matches"
        }
    }

    /// Field relocations (kinds 0–5) walk an access string of member/array indices.
    public var isFieldBased: Bool { rawValue <= 5 }
    /// Type relocations (kinds 6–9 and 12).
    public var isTypeBased: Bool { (6...9).contains(rawValue) || rawValue == 12 }
    /// Enumerator relocations (kinds 10, 11).
    public var isEnumValueBased: Bool { rawValue == 10 || rawValue == 11 }
}

/// One `struct bpf_core_relo` record of `.BTF.ext`.
public struct CORERelocationRecord: Sendable, Hashable {
    /// Byte offset of the instruction to patch, from the start of its ELF section.
    public var insnOffset: UInt32
    /// The local root type id (in the object's BTF).
    public var typeID: UInt32
    /// The access string's offset in the object's string section.
    public var accessStringOffset: UInt32
    /// The access string, e.g. "0:1:0".
    public var accessString: String
    /// What the relocation computes (`enum bpf_core_relo_kind`).
    public var kind: CORERelocationKind

    /// A CO-RE relocation of the instruction at byte `insnOffset`.
    public init(insnOffset: UInt32, typeID: UInt32, accessStringOffset: UInt32, accessString: String, kind: CORERelocationKind) {
        self.insnOffset = insnOffset
        self.typeID = typeID
        self.accessStringOffset = accessStringOffset
        self.accessString = accessString
        self.kind = kind
    }
}

extension [UInt8] {
    @inline(__always)
    mutating func btfAppendU32(_ v: UInt32) {
        append(UInt8(truncatingIfNeeded: v))
        append(UInt8(truncatingIfNeeded: v >> 8))
        append(UInt8(truncatingIfNeeded: v >> 16))
        append(UInt8(truncatingIfNeeded: v >> 24))
    }
}
