/// An extern of the object (libbpf's `struct extern_desc`): an undefined `STT_NOTYPE` global or
/// weak symbol whose BTF VAR or FUNC sits in the `.kconfig` or `.ksyms` DATASEC. Externs are
/// resolved at load: kconfig values are written into the `.kconfig` map, ksyms and kfuncs are
/// looked up in kernel BTF (or kallsyms for typeless ksyms).
public struct ExternSpec: Hashable, Sendable {
    /// libbpf's `enum kcfg_type`: which `.kconfig` value types are accepted.
    public enum KconfigType: Hashable, Sendable {
        /// `bool` (1-byte INT with BTF_INT_BOOL).
        case bool
        /// A 1-byte INT (`char`).
        case char
        /// `enum libbpf_tristate` (y/n/m).
        case tristate
        /// An INT of 1, 2, 4 or 8 bytes.
        case int
        /// A non-empty array of chars (a string value).
        case charArray
    }

    /// What the extern is.
    public enum Kind: Hashable, Sendable {
        /// A `__kconfig` variable at `dataOffset` of the `.kconfig` map.
        case kconfig(type: KconfigType, size: Int, alignment: Int, isSigned: Bool, dataOffset: Int)
        /// A `__ksym` variable or kernel function (kfunc). `typeID` is the local type after
        /// modifiers and typedefs (libbpf's `ksym.type_id`): the variable's type (0 = void, a
        /// typeless ksym resolved through kallsyms) or a kfunc's FUNC_PROTO.
        case ksym(typeID: UInt32, isFunction: Bool)
    }

    /// The extern's name (its BTF VAR or FUNC name, equal to the symbol name).
    public var name: String
    /// The name without a `___flavour` suffix (libbpf's `essent_name`), used for kernel lookups.
    public var essentialName: String
    /// The BTF VAR or FUNC id in the object's BTF.
    public var btfID: UInt32
    /// The id of the DATASEC (`.kconfig` or `.ksyms`) holding it.
    public var sectionBTFID: UInt32
    /// The ELF symbol index (what relocations refer to).
    public var symbolIndex: Int
    /// `__weak`: a missing value or symbol is not an error (it reads as 0).
    public var isWeak: Bool
    /// What the extern is.
    public var kind: Kind

    /// An extern with these fields, as the parser reads it.
    public init(name: String, essentialName: String, btfID: UInt32, sectionBTFID: UInt32, symbolIndex: Int,
                isWeak: Bool, kind: Kind) {
        self.name = name
        self.essentialName = essentialName
        self.btfID = btfID
        self.sectionBTFID = sectionBTFID
        self.symbolIndex = symbolIndex
        self.isWeak = isWeak
        self.kind = kind
    }

    /// A `.kconfig` extern.
    public var isKconfig: Bool {
        if case .kconfig = kind { return true }
        return false
    }

    /// The offset in the `.kconfig` map, for kconfig externs.
    public var kconfigOffset: Int? {
        if case let .kconfig(_, _, _, _, off) = kind { return off }
        return nil
    }
}
