import Foundation

/// Plain Swift structs of a program's source (stored properties of integer, `Bool`, struct or
/// `InlineArray` type) and their C twins, for map keys and values. A field named with a Swift
/// keyword in backticks (`` var `protocol`: UInt8 ``) keeps its name in C. Swift lays such structs out
/// as C does (declaration order, natural alignment); the one difference, a size that is not a
/// multiple of the alignment (C pads it, Swift does not), is refused with a fix.
struct SwiftStructLayouts {
    struct LayoutError: Error { var message: String }
    struct Field { var name: String; var type: String }

    static let scalars: [String: (c: String, size: Int)] = [
        "UInt8": ("unsigned char", 1), "Int8": ("signed char", 1), "Bool": ("_Bool", 1), "CChar": ("char", 1),
        "UInt16": ("unsigned short", 2), "Int16": ("short", 2),
        "UInt32": ("unsigned int", 4), "Int32": ("int", 4),
        "UInt64": ("unsigned long long", 8), "Int64": ("long long", 8),
        "UInt": ("unsigned long long", 8), "Int": ("long long", 8),
    ]

    var structs: [String: [Field]] = [:]

    init(source: String) {
        var current: String?
        var depth = 0
        var fields: [Field] = []
        let header = try! NSRegularExpression(pattern: #"^\s*(?:public\s+|internal\s+)?struct\s+([A-Za-z_][A-Za-z0-9_]*)\s*(?::[^{]*)?\{"#)
        let field = try! NSRegularExpression(pattern: #"^\s*(?:public\s+|internal\s+)?(?:var|let)\s+`?([A-Za-z_][A-Za-z0-9_]*)`?\s*:\s*([A-Za-z0-9_<>, ]+?)\s*(=.*)?$"#)
        for line in source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let code = line.components(separatedBy: "//")[0]
            let range = NSRange(code.startIndex..., in: code)
            if current == nil {
                if let m = header.firstMatch(in: code, range: range), let r = Range(m.range(at: 1), in: code) {
                    current = String(code[r])
                    fields = []
                    depth = 0
                } else { continue }
            } else if depth == 1, let m = field.firstMatch(in: code, range: range),
                      let n = Range(m.range(at: 1), in: code), let t = Range(m.range(at: 2), in: code) {
                fields.append(Field(name: String(code[n]), type: String(code[t])))
            }
            depth += code.filter { $0 == "{" }.count - code.filter { $0 == "}" }.count
            if depth <= 0, let name = current {
                structs[name] = fields
                current = nil
            }
        }
    }

    /// `InlineArray<4, UInt8>` as (4, "UInt8").
    static func inlineArray(_ type: String) -> (count: Int, element: String)? {
        guard type.hasPrefix("InlineArray<"), type.hasSuffix(">") else { return nil }
        let inner = type.dropFirst("InlineArray<".count).dropLast()
        let parts = inner.split(separator: ",", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let n = Int(parts[0]), n > 0 else { return nil }
        return (n, parts[1])
    }

    /// The C spelling of a Swift type used as a map key or value.
    func cType(_ type: String) throws -> String {
        if let s = Self.scalars[type] { return s.c }
        if structs[type] != nil { return "struct \(type)" }
        throw LayoutError(message: "\(type) cannot be a map key or value: use an integer type, Bool, InlineArray or a struct of these declared in this file")
    }

    /// (size, alignment) of a type, as both Swift and C lay it out.
    func layout(_ type: String, depth: Int = 0) throws -> (size: Int, alignment: Int) {
        guard depth < 16 else { throw LayoutError(message: "\(type) is nested too deeply") }
        if let s = Self.scalars[type] { return (s.size, s.size) }
        if let a = Self.inlineArray(type) {
            let e = try layout(a.element, depth: depth + 1)
            return (e.size * a.count, e.alignment)
        }
        guard let fields = structs[type] else {
            throw LayoutError(message: "\(type) cannot be a map key or value: use an integer type, Bool, InlineArray or a struct of these declared in this file")
        }
        var offset = 0, alignment = 1
        for f in fields {
            let l = try layout(f.type, depth: depth + 1)
            offset = (offset + l.alignment - 1) / l.alignment * l.alignment + l.size
            alignment = max(alignment, l.alignment)
        }
        guard offset % alignment == 0 else {
            throw LayoutError(message: "struct \(type) is \(offset) bytes with \(alignment)-byte alignment: C pads it to \((offset + alignment - 1) / alignment * alignment) bytes and Swift does not, so the kernel would copy bytes Swift never wrote; add explicit padding fields")
        }
        return (offset, alignment)
    }

    /// C definitions of `type` and the structs it uses, each once, dependencies first.
    func cDefinitions(for type: String, emitted: inout Set<String>) throws -> String {
        _ = try layout(type)
        if let a = Self.inlineArray(type) { return try cDefinitions(for: a.element, emitted: &emitted) }
        guard let fields = structs[type], !emitted.contains(type) else { return "" }
        var out = ""
        for f in fields { out += try cDefinitions(for: f.type, emitted: &emitted) }
        emitted.insert(type)
        out += "struct \(type) {\n"
        for f in fields {
            if let a = Self.inlineArray(f.type) {
                out += "    \(try cType(a.element)) \(f.name)[\(a.count)];\n"
            } else {
                out += "    \(try cType(f.type)) \(f.name);\n"
            }
        }
        return out + "};\n"
    }
}
