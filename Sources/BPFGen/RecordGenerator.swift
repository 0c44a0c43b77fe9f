import BPF
import Foundation

/// Writes Swift accessor types for C structs from a compiled object's BTF.
///
/// A BPF C file asks for a struct with a marker line `// swiftbpf:record <struct name>`. The
/// generated type `<UpperCamel>Record` wraps the record's bytes and reads each field at the
/// offset BTF gives: integers by their BTF width and signedness (typedefs resolved), enums by
/// their size, pointers as `UInt64`, bitfields masked, char arrays as bounded C strings, other
/// arrays as Swift arrays, nested structs and unions as nested record types. A trailing array is
/// the variable part: the record may stop anywhere inside it, and its accessor gives the
/// elements (or bytes) actually present.
struct RecordGenerator {
    let btf: BTF

    /// The struct names a BPF C source asks for with `// swiftbpf:record NAME` lines.
    static func requestedRecords(in source: String) -> [String] {
        var names: [String] = []
        for line in source.split(separator: "\n", omittingEmptySubsequences: true) {
            let text = line.trimmingCharacters(in: .whitespacesAndNewlines)
            guard text.hasPrefix("//") else { continue }
            let body = text.dropFirst(2).trimmingCharacters(in: .whitespaces)
            guard body.hasPrefix("swiftbpf:record") else { continue }
            for name in body.dropFirst("swiftbpf:record".count).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," })
            where !names.contains(String(name)) {
                names.append(String(name))
            }
        }
        return names
    }

    /// Swift source for the named structs. Throws `GenError` naming a struct that is missing
    /// from BTF or a field it cannot express.
    func generate(structs names: [String]) throws -> String {
        var out = ""
        for name in names {
            guard let id = btf.typeIDs.first(where: { btf.kind(of: $0) == .struct && btf.name(of: $0) == name }) else {
                throw GenError("struct \(name) is not in the object's BTF (the program must use it, e.g. as a map value or a local)")
            }
            out += try recordType(id: id, typeName: Self.upperCamel(name) + "Record", indent: "", topLevel: true)
            out += "\n"
        }
        return out + Self.support
    }

    // MARK: - Types

    private func recordType(id: UInt32, typeName: String, indent: String, topLevel: Bool) throws -> String {
        let t = try btf.type(id)
        let size = t.size ?? 0
        let fields = try flatten(t, base: 0)
        // The fixed part: everything before a trailing array, which may arrive partially.
        var minimum = size
        if topLevel, let last = fields.last, last.bitfieldWidth == 0,
           try btf.resolvedType(last.type).kind == .array {
            minimum = last.bitOffset / 8
        }
        let cName = (t.kind == .union ? "union " : "struct ") + (t.name.isEmpty ? "(anonymous)" : t.name)
        var s = ""
        s += "\(indent)/// Reads `\(cName)` (\(size) bytes) at the offsets of the object's BTF.\n"
        s += "\(indent)struct \(typeName) {\n"
        let i2 = indent + "    "
        s += "\(i2)/// `sizeof(\(cName))`.\n"
        s += "\(i2)static let size = \(size)\n"
        s += "\(i2)/// The bytes every record must have: \(minimum == size ? "the whole struct" : "up to the trailing array").\n"
        s += "\(i2)static let fixedSize = \(minimum)\n"
        s += "\(i2)/// The record's bytes (possibly shorter than `size` inside a trailing array).\n"
        s += "\(i2)let bytes: UnsafeRawBufferPointer\n\n"
        s += "\(i2)/// Nil when `record` is shorter than `fixedSize`.\n"
        s += "\(i2)init?(_ record: UnsafeRawBufferPointer) {\n"
        s += "\(i2)    guard record.count >= Self.fixedSize else { return nil }\n"
        s += "\(i2)    bytes = record\n"
        s += "\(i2)}\n"
        var nested: [String] = []
        var usedNames: Set<String> = ["bytes", "size", "fixedSize"]
        for (index, f) in fields.enumerated() {
            let isLast = index == fields.count - 1 && topLevel
            s += try accessor(f, isTrailing: isLast, indent: i2, nested: &nested, usedNames: &usedNames)
        }
        s += helpers(indent: i2)
        for n in nested { s += "\n" + n }
        s += "\(indent)}\n"
        return s
    }

    private struct Field {
        var name: String
        var type: UInt32
        var bitOffset: Int
        var bitfieldWidth: Int
    }

    /// Members with anonymous struct/union members flattened into their parent (as C allows).
    private func flatten(_ t: BTFType, base: Int) throws -> [Field] {
        var out: [Field] = []
        for m in t.members {
            let off = base + Int(m.bitOffset)
            if m.name.isEmpty {
                let inner = try btf.resolvedType(m.type)
                if inner.kind.isComposite { out += try flatten(inner, base: off) }
                continue
            }
            out.append(Field(name: m.name, type: m.type, bitOffset: off, bitfieldWidth: Int(m.bitfieldSize)))
        }
        return out
    }

    /// The Swift integer type of an int/enum/pointer type, or nil.
    private func scalar(_ id: UInt32) throws -> (swift: String, signed: Bool, size: Int, bool: Bool)? {
        let t = try btf.resolvedType(id)
        switch t.kind {
        case .int:
            let size = t.size ?? 0
            let signed = t.intEncoding.contains(.signed)
            if t.intEncoding.contains(.bool) { return ("Bool", false, size, true) }
            guard let name = Self.intName(size: size, signed: signed) else { return nil }
            return (name, signed, size, false)
        case .enum, .enum64:
            let size = t.size ?? 0
            guard let name = Self.intName(size: size, signed: t.isSigned) else { return nil }
            return (name, t.isSigned, size, false)
        case .ptr:
            return ("UInt64", false, 8, false)
        default:
            return nil
        }
    }

    private static func intName(size: Int, signed: Bool) -> String? {
        switch size {
        case 1: signed ? "Int8" : "UInt8"
        case 2: signed ? "Int16" : "UInt16"
        case 4: signed ? "Int32" : "UInt32"
        case 8: signed ? "Int64" : "UInt64"
        default: nil
        }
    }

    private func isChar(_ id: UInt32) throws -> Bool {
        let t = try btf.resolvedType(id)
        return t.kind == .int && t.size == 1 && (t.intEncoding.contains(.char) || t.name.hasSuffix("char"))
    }

    private func accessor(_ f: Field, isTrailing: Bool, indent: String, nested: inout [String],
                          usedNames: inout Set<String>) throws -> String {
        var name = Self.lowerCamel(f.name)
        while usedNames.contains(name) { name += "_" }
        usedNames.insert(name)
        let byte = f.bitOffset / 8
        let t = try btf.resolvedType(f.type)
        let doc = "\n\(indent)/// `\(f.name)` at byte \(byte)"
        // Bitfields (BTF member bitfield size, or an int type narrower than its storage).
        var width = f.bitfieldWidth
        var bitOffset = f.bitOffset
        if width == 0, t.kind == .int, t.intBits != (t.size ?? 0) * 8 || t.intOffset != 0 {
            width = t.intBits
            bitOffset += t.intOffset
        }
        if width > 0 || f.bitOffset % 8 != 0 {
            guard let sc = try scalar(f.type) else { throw GenError("field \(f.name): bitfield of a non-integer type") }
            if width == 0 { width = sc.size * 8 }
            let read = "RecordBytes.bits(bytes, bitOffset: \(bitOffset), width: \(width), signed: \(sc.signed))"
            let expr = sc.bool ? "\(read) != 0" : "\(sc.swift)(truncatingIfNeeded: \(read))"
            return "\(doc), bits \(bitOffset % 8)..<\(bitOffset % 8 + width) (a bitfield).\n\(indent)var \(name): \(sc.swift) { \(expr) }\n"
        }
        if let sc = try scalar(f.type) {
            if sc.bool {
                return "\(doc).\n\(indent)var \(name): Bool { bytes.loadUnaligned(fromByteOffset: \(byte), as: UInt8.self) != 0 }\n"
            }
            return "\(doc).\n\(indent)var \(name): \(sc.swift) { bytes.loadUnaligned(fromByteOffset: \(byte), as: \(sc.swift).self) }\n"
        }
        switch t.kind {
        case .float:
            let swift = t.size == 4 ? "Float" : t.size == 8 ? "Double" : nil
            guard let swift else { throw GenError("field \(f.name): float of \(t.size ?? 0) bytes") }
            return "\(doc).\n\(indent)var \(name): \(swift) { bytes.loadUnaligned(fromByteOffset: \(byte), as: \(swift).self) }\n"
        case .struct, .union:
            let typeName = Self.upperCamel(t.name.isEmpty ? f.name : t.name) + "Record"
            if !nested.contains(where: { $0.contains("struct \(typeName) {") }) {
                nested.append(try recordType(id: t.id, typeName: typeName, indent: indent, topLevel: false))
            }
            let size = t.size ?? 0
            return "\(doc).\n\(indent)var \(name): \(typeName) {\n"
                + "\(indent)    \(typeName)(unchecked: RecordBytes.slice(bytes, \(byte), \(size)))\n\(indent)}\n"
        case .array:
            guard let a = t.array else { break }
            let count = Int(a.count)
            let elementSize = try btf.size(of: a.element)
            let total = count * elementSize
            let range = "RecordBytes.slice(bytes, \(byte), \(total))"
            // Text is an array declared with a `char` element; a typedef'd byte such as `__u8`
            // is binary data (an address, a hash), read as raw bytes.
            let declaredAsTypedef = try btf.type(a.element).kind == .typedef
            if try isChar(a.element) {
                if isTrailing || declaredAsTypedef {
                    let what = isTrailing ? "the bytes present (up to \(total))" : "its raw bytes (\(total))"
                    return "\(doc): \(what).\n\(indent)var \(name): UnsafeRawBufferPointer { \(range) }\n"
                }
                let raw = name + "Bytes"
                usedNames.insert(raw)
                return "\(doc), a NUL-terminated string of at most \(total) bytes.\n"
                    + "\(indent)var \(name): String { RecordBytes.cString(\(range)) }\n"
                    + "\(doc): the field's raw bytes (\(total)), for formatting without a `String`.\n"
                    + "\(indent)var \(raw): UnsafeRawBufferPointer { \(range) }\n"
            }
            if let sc = try scalar(a.element), !sc.bool {
                return "\(doc), \(count) elements (those present).\n\(indent)var \(name): [\(sc.swift)] {\n"
                    + "\(indent)    let raw = \(range)\n"
                    + "\(indent)    return (0..<raw.count / \(elementSize)).map { raw.loadUnaligned(fromByteOffset: $0 * \(elementSize), as: \(sc.swift).self) }\n"
                    + "\(indent)}\n"
            }
            let et = try btf.resolvedType(a.element)
            if et.kind.isComposite {
                let typeName = Self.upperCamel(et.name.isEmpty ? f.name : et.name) + "Record"
                if !nested.contains(where: { $0.contains("struct \(typeName) {") }) {
                    nested.append(try recordType(id: et.id, typeName: typeName, indent: indent, topLevel: false))
                }
                return "\(doc), \(count) elements (those present).\n\(indent)var \(name): [\(typeName)] {\n"
                    + "\(indent)    let raw = \(range)\n"
                    + "\(indent)    return (0..<raw.count / \(elementSize)).map { \(typeName)(unchecked: RecordBytes.slice(raw, $0 * \(elementSize), \(elementSize))) }\n"
                    + "\(indent)}\n"
            }
            return "\(doc): its raw bytes (\(total)).\n\(indent)var \(name): UnsafeRawBufferPointer { \(range) }\n"
        default:
            break
        }
        return "\(doc): its raw bytes.\n\(indent)var \(name): UnsafeRawBufferPointer { RecordBytes.slice(bytes, \(byte), \((try? btf.size(of: f.type)) ?? 0)) }\n"
    }

    private func helpers(indent i: String) -> String {
        """

        \(i)/// Wraps bytes already known to cover the fixed part (a nested member of a checked record).
        \(i)init(unchecked bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        """
    }

    /// The readers the generated accessors share; file-private, so each generated file has its own.
    static let support = """
    /// Bounded reads for the record types of this file.
    fileprivate enum RecordBytes {
        /// The bytes `offset..<offset+length` that are present.
        static func slice(_ b: UnsafeRawBufferPointer, _ offset: Int, _ length: Int) -> UnsafeRawBufferPointer {
            let start = min(offset, b.count)
            return UnsafeRawBufferPointer(rebasing: b[start..<min(b.count, offset + length)])
        }

        /// The text before the first NUL (or all of `b`), as UTF-8.
        static func cString(_ b: UnsafeRawBufferPointer) -> String {
            let end = b.firstIndex(of: 0) ?? b.count
            return String(decoding: UnsafeRawBufferPointer(rebasing: b[0..<end]), as: UTF8.self)
        }

        /// A little-endian bitfield: `width` bits from bit `bitOffset`, sign-extended if `signed`;
        /// missing bytes read as zero.
        static func bits(_ b: UnsafeRawBufferPointer, bitOffset: Int, width: Int, signed: Bool) -> Int64 {
            var raw: UInt64 = 0
            let first = bitOffset / 8, last = (bitOffset + width - 1) / 8
            for k in stride(from: last, through: first, by: -1) { raw = raw << 8 | (k < b.count ? UInt64(b[k]) : 0) }
            raw >>= UInt64(bitOffset % 8)
            let shift = UInt64(64 - width)
            return signed ? Int64(bitPattern: raw << shift) >> Int64(shift) : Int64(bitPattern: (raw << shift) >> shift)
        }
    }

    """

    // MARK: - Names

    static func upperCamel(_ s: String) -> String {
        let parts = s.split(separator: "_").filter { !$0.isEmpty }
        let joined = parts.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        return joined.isEmpty ? "Anonymous" : joined
    }

    static func lowerCamel(_ s: String) -> String {
        let u = upperCamel(s)
        var out = u.prefix(1).lowercased() + u.dropFirst()
        if out.first?.isNumber == true { out = "_" + out }
        if swiftKeywords.contains(out) { out = "`\(out)`" }
        return out
    }

    static let swiftKeywords: Set<String> = [
        "as", "break", "case", "catch", "class", "continue", "default", "defer", "do", "else", "enum",
        "extension", "false", "for", "func", "guard", "if", "import", "in", "init", "inout", "internal",
        "is", "let", "nil", "operator", "private", "protocol", "public", "repeat", "return", "self",
        "static", "struct", "subscript", "super", "switch", "throw", "throws", "true", "try", "typealias",
        "var", "where", "while", "Type", "Self",
    ]
}

struct GenError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
