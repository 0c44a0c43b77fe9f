import Foundation

/// Swift's debug info describes the standard integer types and `Bool` as structs wrapping a
/// builtin (`struct UInt64 { _value: Builtin.Int64 }`), and a forward-declared `Int32` where
/// only the name is needed. clang turns that into BTF structs, so a `.bss` global `UInt64` of
/// a Swift program reads as `struct UInt64` to bpftool and to the typed bindings generator.
/// This step replaces each such standard-library type node by the C base type of the same
/// size and signedness, the BTF a C program's globals have (`unsigned long long`).
enum SwiftScalarDebugTypes {
    /// C name, bits, DWARF encoding, by Swift standard-library type.
    static let baseTypes: [String: (name: String, bits: Int, encoding: String)] = [
        "Bool": ("_Bool", 8, "DW_ATE_boolean"),
        "Int8": ("signed char", 8, "DW_ATE_signed_char"), "UInt8": ("unsigned char", 8, "DW_ATE_unsigned_char"),
        "Int16": ("short", 16, "DW_ATE_signed"), "UInt16": ("unsigned short", 16, "DW_ATE_unsigned"),
        "Int32": ("int", 32, "DW_ATE_signed"), "UInt32": ("unsigned int", 32, "DW_ATE_unsigned"),
        "Int64": ("long long", 64, "DW_ATE_signed"), "UInt64": ("unsigned long long", 64, "DW_ATE_unsigned"),
        "Int": ("long", 64, "DW_ATE_signed"), "UInt": ("unsigned long", 64, "DW_ATE_unsigned"),
    ]

    /// `!N = !DIBasicType(...)` for a standard-library scalar's `DICompositeType` line, else nil.
    /// Only the standard library's own types match: their unique identifier is the mangled
    /// `$es<length><name>VD` (a user's `struct UInt64` in a program's module has another).
    static func replacement(for line: String) -> String? {
        guard line.contains("!DICompositeType(tag: DW_TAG_structure_type, name: \""),
              let eq = line.range(of: " = ") else { return nil }
        let node = line[..<eq.lowerBound]
        guard let nameStart = line.range(of: "name: \"") else { return nil }
        let name = line[nameStart.upperBound...].prefix { $0 != "\"" }
        guard let base = baseTypes[String(name)],
              line.contains("identifier: \"$es\(name.count)\(name)VD\"") else { return nil }
        return "\(node) = !DIBasicType(name: \"\(base.name)\", size: \(base.bits), encoding: \(base.encoding))"
    }
}
