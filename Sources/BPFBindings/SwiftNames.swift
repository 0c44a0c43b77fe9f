/// Swift identifiers from C names: `exec_event` → `ExecEvent` (types), `args_count` →
/// `argsCount` (members), `GEN_RED` → `genRed` (enum constants). Keywords are escaped.
enum SwiftNames {
    /// `UpperCamelCase` of a C name; all-caps words are lowered after their first letter.
    static func upperCamel(_ s: String) -> String {
        let parts = s.split(whereSeparator: { !($0.isLetter || $0.isNumber) }).filter { !$0.isEmpty }
        var out = ""
        for part in parts {
            let word = part.allSatisfy({ !$0.isLetter || $0.isUppercase }) ? part.lowercased() : String(part)
            out += word.prefix(1).uppercased() + word.dropFirst()
        }
        if out.isEmpty { out = "Anonymous" }
        if out.first!.isNumber { out = "_" + out }
        return out
    }

    /// `lowerCamelCase` of a C name, escaped with backticks if it is a keyword.
    static func lowerCamel(_ s: String) -> String {
        let u = upperCamel(s)
        var out = u.hasPrefix("_") ? u : u.prefix(1).lowercased() + u.dropFirst()
        if out.hasPrefix("_"), out.dropFirst().first?.isNumber == true { return out }
        if keywords.contains(out) { out = "`\(out)`" }
        return out
    }

    /// `name` or, if taken, `name` + `suffix` (then a number) that is free; records it in `taken`.
    static func unique(_ name: String, in taken: inout Set<String>, suffix: String = "_") -> String {
        let base = name.trimmingBackticks
        var candidate = base
        var n = 1
        while taken.contains(candidate) {
            candidate = base + suffix + (n == 1 ? "" : String(n))
            n += 1
        }
        taken.insert(candidate)
        return candidate == base ? name : candidate
    }

    static let keywords: Set<String> = [
        "as", "associatedtype", "break", "case", "catch", "class", "continue", "default", "defer", "deinit", "do",
        "else", "enum", "extension", "fallthrough", "false", "fileprivate", "for", "func", "guard", "if", "import",
        "in", "init", "inout", "internal", "is", "let", "nil", "open", "operator", "private", "protocol",
        "public", "repeat", "rethrows", "return", "self", "Self", "static", "struct", "subscript", "super",
        "switch", "throw", "throws", "true", "try", "typealias", "var", "where", "while", "Type", "Any",
        "some", "any", "await", "async", "consume", "copy", "borrowing", "consuming",
    ]

    /// Type names a C type must not take inside the generated object type: they would hide the
    /// standard and library types the generated code uses.
    static let reservedTypeNames: Set<String> = [
        "Config", "String", "Int", "Int8", "Int16", "Int32", "Int64", "Int128", "UInt", "UInt8", "UInt16",
        "UInt32", "UInt64", "UInt128", "Bool", "Float", "Double", "Void", "Never", "Array", "InlineArray",
        "Optional", "Error", "Hasher", "Sendable", "BitwiseCopyable", "Hashable", "Equatable",
        "RawRepresentable", "CLayout", "BPFObject", "BPFError", "Map", "Program", "Link", "LoadOptions",
        "ObjectSpec", "EmbeddedObject", "EmbeddedObjects", "GlobalMemory", "GlobalVariable", "Self", "Type",
    ]
}

extension String {
    /// The identifier without the backticks that escape a keyword.
    var trimmingBackticks: String { hasPrefix("`") ? String(dropFirst().dropLast()) : self }
}

/// A binding that cannot be generated, with the reason.
struct GenError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
