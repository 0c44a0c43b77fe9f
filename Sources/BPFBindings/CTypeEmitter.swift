import BPF

/// A Swift type expression for a C type, with the layout facts the struct emitter needs.
struct SwiftType {
    /// The type expression, e.g. `UInt32`, `InlineArray<16, Int8>`, `ExecEvent`.
    var name: String
    /// `MemoryLayout.size` (equal to the C `sizeof`).
    var size: Int
    /// `MemoryLayout.alignment` of the Swift type (at most the C alignment).
    var alignment: Int
    /// A `char[N]`: gets a `String` accessor.
    var isCharArray = false
    /// The integer type of an int or enum (for bitfield accessors), with signedness.
    var integer: (name: String, signed: Bool, isBool: Bool, isEnum: Bool)?
}

/// Writes Swift declarations for the C types of an object's BTF with their exact C layout:
/// members at their BTF offsets with the gaps (tail padding included) as explicit `_padN`
/// fields, so that `MemoryLayout<T>.size == sizeof(T)` and every stored member's
/// `MemoryLayout.offset(of:)` is its C offset. Arrays become `InlineArray<N, T>`, bitfields
/// computed accessors over raw storage bytes, unions raw storage with a typed accessor per
/// member, enums integer-backed `RawRepresentable` structs with a static constant per
/// enumerator, pointers `UInt64`, anonymous structs and unions nested types. A struct whose
/// members Swift cannot place at their C offsets (a packed struct) becomes raw storage with an
/// accessor per member. Each type is a plain value: `BitwiseCopyable`, `Sendable`, `Hashable`
/// by its bytes, with a memberwise initialiser whose arguments default to zero.
struct CTypeEmitter {
    let btf: BTF
    /// `"public "` or `""`.
    let access: String
    /// The declarations of named types, in the order they were first needed.
    private(set) var declarations: [String] = []
    private var named: [UInt32: SwiftType] = [:]
    private var takenTypeNames: Set<String>

    init(btf: BTF, access: String, reservedTypeNames: Set<String> = []) {
        self.btf = btf
        self.access = access
        takenTypeNames = SwiftNames.reservedTypeNames.union(reservedTypeNames)
    }

    /// The Swift type of BTF type `id` for a top-level use (a map key or value, a global): named
    /// structs, unions and enums are declared once at the object level; an anonymous one is
    /// declared there under `hint`.
    mutating func topLevelType(of id: UInt32, hint: String) throws -> SwiftType {
        var nested: [String] = []
        let t = try type(of: id, hint: hint, nested: &nested, indent: "    ", depth: 0)
        declarations += nested
        return t
    }

    /// The Swift type of the C struct or union named `cName`, declared at the object level.
    mutating func namedStruct(_ cName: String) throws -> SwiftType {
        guard let id = btf.typeIDs.first(where: { btf.kind(of: $0)?.isComposite == true && btf.name(of: $0) == cName }) else {
            throw GenError("struct \(cName) is not in the object's BTF")
        }
        return try topLevelType(of: id, hint: cName)
    }

    /// A raw type of `size` bytes for maps declared with sizes but no BTF type.
    static func raw(size: Int) -> SwiftType {
        switch size {
        case 1: SwiftType(name: "UInt8", size: 1, alignment: 1, integer: ("UInt8", false, false, false))
        case 2: SwiftType(name: "UInt16", size: 2, alignment: 2, integer: ("UInt16", false, false, false))
        case 4: SwiftType(name: "UInt32", size: 4, alignment: 4, integer: ("UInt32", false, false, false))
        case 8: SwiftType(name: "UInt64", size: 8, alignment: 8, integer: ("UInt64", false, false, false))
        default: SwiftType(name: "InlineArray<\(size), UInt8>", size: size, alignment: 1)
        }
    }

    // MARK: - Types

    private mutating func type(of id: UInt32, hint: String, nested: inout [String], indent: String, depth: Int) throws -> SwiftType {
        guard depth < 64 else { throw GenError("C types nested more than 64 deep") }
        // Skip modifiers; a typedef names an anonymous struct, union or enum behind it.
        var typedefName: String?
        var current = id
        for _ in 0..<32 {
            let t = try btf.type(current)
            guard t.kind.isModifierOrTypedef else { break }
            if t.kind == .typedef, typedefName == nil { typedefName = t.name }
            current = t.sizeOrType
        }
        let t = try btf.type(current)
        switch t.kind {
        case .int:
            let size = t.size ?? 0
            // `_Bool` stays a byte: the kernel side may store any value in it, and a Swift `Bool`
            // must be 0 or 1.
            if t.intEncoding.contains(.bool), size == 1 { return Self.raw(size: 1) }
            let signed = t.intEncoding.contains(.signed)
            guard let name = Self.intName(size: size, signed: signed) else { return Self.raw(size: size) }
            return SwiftType(name: name, size: size, alignment: size, integer: (name, signed, false, false))
        case .ptr:
            return SwiftType(name: "UInt64", size: 8, alignment: 8, integer: ("UInt64", false, false, false))
        case .float:
            switch t.size {
            case 4: return SwiftType(name: "Float", size: 4, alignment: 4)
            case 8: return SwiftType(name: "Double", size: 8, alignment: 8)
            default: return Self.raw(size: t.size ?? 0)
            }
        case .enum, .enum64:
            let size = t.size ?? 0
            guard let raw = Self.intName(size: size, signed: t.isSigned) else { return Self.raw(size: size) }
            let cName = t.name.isEmpty ? typedefName : t.name
            guard let cName, !cName.isEmpty else {
                return SwiftType(name: raw, size: size, alignment: size, integer: (raw, t.isSigned, false, false))
            }
            if let known = named[t.id] { return known }
            let swiftName = SwiftNames.unique(SwiftNames.upperCamel(cName), in: &takenTypeNames)
            let result = SwiftType(name: swiftName, size: size, alignment: size, integer: (raw, t.isSigned, false, true))
            named[t.id] = result
            declarations.append(enumDeclaration(t, cName: cName, swiftName: swiftName, raw: raw, indent: "    "))
            return result
        case .array:
            guard let a = t.array else { throw GenError("array type [\(t.id)] without element") }
            let element = try type(of: a.element, hint: hint + "Element", nested: &nested, indent: indent, depth: depth + 1)
            let count = Int(a.count)
            var result = SwiftType(name: "InlineArray<\(count), \(element.name)>", size: count * element.size,
                                   alignment: element.alignment)
            result.isCharArray = try isChar(a.element)
            return result
        case .struct, .union:
            let cName = t.name.isEmpty ? typedefName : t.name
            if let cName, !cName.isEmpty {
                if let known = named[t.id] { return known }
                let swiftName = SwiftNames.unique(SwiftNames.upperCamel(cName), in: &takenTypeNames)
                // Reserve the name first: a member may refer to the type through a pointer only.
                named[t.id] = SwiftType(name: swiftName, size: t.size ?? 0, alignment: 1)
                let (decl, alignment) = try composite(t, cName: (t.kind == .union ? "union " : "struct ") + cName,
                                                      swiftName: swiftName, indent: "    ", depth: depth)
                let result = SwiftType(name: swiftName, size: t.size ?? 0, alignment: alignment)
                named[t.id] = result
                declarations.append(decl)
                return result
            }
            var taken = Set(nested.compactMap { Self.declaredName(in: $0) })
            let swiftName = SwiftNames.unique(SwiftNames.upperCamel(hint), in: &taken)
            let (decl, alignment) = try composite(t, cName: "anonymous \(t.kind == .union ? "union" : "struct")",
                                                  swiftName: swiftName, indent: indent, depth: depth)
            nested.append(decl)
            return SwiftType(name: swiftName, size: t.size ?? 0, alignment: alignment)
        default:
            throw GenError("type [\(t.id)] (\(t.kind)) has no value layout")
        }
    }

    private static func declaredName(in declaration: String) -> String? {
        for line in declaration.split(separator: "\n") {
            guard let words = Optional(line.split(separator: " ")), let i = words.firstIndex(of: "struct"), i + 1 < words.count else { continue }
            return String(words[i + 1].prefix { $0.isLetter || $0.isNumber || $0 == "_" })
        }
        return nil
    }

    static func intName(size: Int, signed: Bool) -> String? {
        switch size {
        case 1: signed ? "Int8" : "UInt8"
        case 2: signed ? "Int16" : "UInt16"
        case 4: signed ? "Int32" : "UInt32"
        case 8: signed ? "Int64" : "UInt64"
        case 16: signed ? "Int128" : "UInt128"
        default: nil
        }
    }

    private func isChar(_ id: UInt32) throws -> Bool {
        let t = try btf.resolvedType(id)
        return t.kind == .int && t.size == 1 && !t.intEncoding.contains(.bool)
            && (t.intEncoding.contains(.char) || t.name.hasSuffix("char"))
    }

    // MARK: - Enums

    private func enumDeclaration(_ t: BTFType, cName: String, swiftName: String, raw: String, indent: String) -> String {
        let i2 = indent + "    "
        var s = "\(indent)/// `enum \(cName)` (\(t.size ?? 0) bytes): its enumerators as constants.\n"
        s += "\(indent)\(access)struct \(swiftName): RawRepresentable, BitwiseCopyable, Sendable, Hashable {\n"
        s += "\(i2)/// The C value.\n\(i2)\(access)var rawValue: \(raw)\n"
        s += "\(i2)/// The value `rawValue`, named or not.\n\(i2)\(access)init(rawValue: \(raw)) { self.rawValue = rawValue }\n"
        var taken: Set<String> = ["rawValue", "init"]
        let bits = (t.size ?? 8) * 8
        for e in t.enumerators {
            let name = SwiftNames.unique(SwiftNames.lowerCamel(e.name), in: &taken)
            // The enumerator's bit pattern in the raw type's width, written in its signedness.
            let pattern = bits >= 64 ? e.unsignedValue : e.unsignedValue & ((1 << UInt64(bits)) - 1)
            let literal: String
            if t.isSigned {
                let shift = UInt64(64 - bits)
                literal = String(Int64(bitPattern: pattern << shift) >> Int64(shift))
            } else {
                literal = String(pattern)
            }
            s += "\(i2)/// `\(e.name)` = \(literal).\n\(i2)\(access)static let \(name) = \(swiftName)(rawValue: \(literal))\n"
        }
        return s + "\(indent)}\n"
    }

    // MARK: - Structs and unions

    private enum Field {
        case stored(name: String, cName: String, type: SwiftType, offset: Int)
        case padding(name: String, offset: Int, size: Int)
        case bits(name: String, offset: Int, size: Int, unit: Int)
    }

    private struct Bitfield {
        var name: String
        var cName: String
        var bitOffset: Int
        var width: Int
        var integer: (name: String, signed: Bool, isBool: Bool, isEnum: Bool)
        var typeName: String
        /// The size of the bitfield's declared type (its C storage unit).
        var unit: Int
    }

    private struct Member {
        var name: String
        var cName: String
        var type: SwiftType
        var offset: Int
    }

    /// A struct or union declaration and its Swift alignment.
    private mutating func composite(_ t: BTFType, cName: String, swiftName: String, indent: String, depth: Int) throws -> (String, Int) {
        let size = t.size ?? 0
        let i2 = indent + "    "
        var nested: [String] = []
        var taken: Set<String> = ["storage", "hash", "init", "rawValue"]
        var members: [Member] = []
        var bitfields: [Bitfield] = []
        var anonymous = 0
        var settable: [(String, String)] = []  // every member in C order, for the initialiser
        for m in t.members.sorted(by: { $0.bitOffset < $1.bitOffset }) {
            var memberName = m.name
            if memberName.isEmpty {
                memberName = "anonymous\(anonymous)"
                anonymous += 1
            }
            let name = SwiftNames.unique(SwiftNames.lowerCamel(memberName), in: &taken)
            let resolved = try btf.resolvedType(m.type)
            var width = Int(m.bitfieldSize)
            var bitOffset = Int(m.bitOffset)
            if width == 0, resolved.kind == .int, resolved.intBits != (resolved.size ?? 0) * 8 || resolved.intOffset != 0 {
                width = resolved.intBits
                bitOffset += resolved.intOffset
            }
            if width == 0, bitOffset % 8 != 0 { width = (resolved.size ?? 0) * 8 }
            let type = try self.type(of: m.type, hint: memberName, nested: &nested, indent: i2, depth: depth + 1)
            if width > 0 {
                guard let integer = type.integer else { throw GenError("\(cName): bitfield '\(m.name)' of a non-integer type") }
                bitfields.append(Bitfield(name: name, cName: m.name, bitOffset: bitOffset, width: width, integer: integer,
                                          typeName: type.name, unit: type.size))
                settable.append((name, type.name))
                continue
            }
            if type.size == 0 { continue }  // a flexible array member: not part of sizeof
            if type.isCharArray { taken.insert(name.trimmingBackticks + "String") }
            members.append(Member(name: name, cName: m.name, type: type, offset: bitOffset / 8))
            settable.append((name, type.name))
        }

        // Lay the struct out field by field; a member Swift cannot place at its C offset makes
        // the struct raw storage.
        var fields: [Field] = []
        var cursor = 0
        var alignment = 1
        var representable = t.kind == .struct
        var padCount = 0, bitsCount = 0
        func pad(to offset: Int) {
            if offset > cursor {
                fields.append(.padding(name: "_pad\(padCount)", offset: cursor, size: offset - cursor))
                padCount += 1
                cursor = offset
            }
        }
        if representable {
            // Bitfield storage: the bytes each run of bitfields covers.
            var runs: [(start: Int, end: Int, unit: Int)] = []
            for b in bitfields {
                let start = b.bitOffset / 8, end = (b.bitOffset + b.width + 7) / 8
                if let last = runs.last, start <= last.end {
                    runs[runs.count - 1].end = max(last.end, end)
                    runs[runs.count - 1].unit = max(last.unit, b.unit)
                } else {
                    runs.append((start, end, b.unit))
                }
            }
            // Each run is stored in the widest unsigned integers (at most its bitfields' declared
            // size) that its offset and length allow, so the struct keeps C's alignment.
            for i in runs.indices {
                var u = 8
                while u > 1 && (u > runs[i].unit || runs[i].start % u != 0 || (runs[i].end - runs[i].start) % u != 0) { u /= 2 }
                runs[i].unit = u
            }
            var items: [(offset: Int, member: Member?, run: (start: Int, end: Int, unit: Int)?)] =
                members.map { ($0.offset, $0, nil) } + runs.map { ($0.start, nil, $0) }
            items.sort { $0.offset < $1.offset }
            for item in items {
                if let m = item.member {
                    guard m.offset >= cursor, m.offset % max(m.type.alignment, 1) == 0 else { representable = false; break }
                    pad(to: m.offset)
                    fields.append(.stored(name: m.name, cName: m.cName, type: m.type, offset: m.offset))
                    cursor = m.offset + m.type.size
                    alignment = max(alignment, m.type.alignment)
                } else if let run = item.run {
                    guard run.start >= cursor else { representable = false; break }
                    pad(to: run.start)
                    fields.append(.bits(name: "_bits\(bitsCount)", offset: run.start, size: run.end - run.start, unit: run.unit))
                    bitsCount += 1
                    cursor = run.end
                    alignment = max(alignment, run.unit)
                }
            }
            if cursor > size { representable = false }
            if representable { pad(to: size) }
            // Swift rounds a struct's size up to nothing: size is the end of the last field, so
            // the tail padding field above makes it sizeof. The stride must match too.
            if representable, size % alignment != 0 { representable = false }
        }

        var storageAlignment = 1
        if !representable {
            fields = []
            let c = min(8, max(1, (try? btf.alignment(of: t.id)) ?? 1))
            storageAlignment = (size % c == 0 && t.kind == .union) ? c : 1
            alignment = storageAlignment
        }

        var s = "\(indent)/// `\(cName)` (\(size) bytes) with the layout of the object's BTF"
        s += representable ? ".\n" : (t.kind == .union ? ": raw storage and an accessor per member.\n" : ": a packed layout, kept as raw storage with an accessor per member.\n")
        s += "\(indent)\(access)struct \(swiftName): BitwiseCopyable, Sendable, Hashable {\n"
        for n in nested { s += n + "\n" }
        // Stored fields.
        if representable {
            for f in fields {
                switch f {
                case let .stored(name, cName, type, offset):
                    s += "\(i2)/// `\(cName.isEmpty ? "(anonymous)" : cName)` at byte \(offset).\n\(i2)\(access)var \(name): \(type.name)\n"
                case let .padding(name, offset, size):
                    s += "\(i2)/// Padding: bytes \(offset)..<\(offset + size).\n\(i2)var \(name): \(Self.bytes(size))\n"
                case let .bits(name, offset, size, unit):
                    let word = Self.intName(size: unit, signed: false)!
                    let type = size == unit ? word : "InlineArray<\(size / unit), \(word)>"
                    s += "\(i2)/// Bitfield storage: bytes \(offset)..<\(offset + size).\n\(i2)var \(name): \(type)\n"
                }
            }
        } else if size > 0 {
            let raw = storageAlignment == 1 ? "UInt8" : Self.intName(size: storageAlignment, signed: false)!
            s += "\(i2)/// The \(size) bytes of the C object.\n\(i2)\(access)var storage: InlineArray<\(size / storageAlignment), \(raw)>\n"
        }
        // Accessors: members of raw storage, bitfields, strings.
        if !representable {
            for m in members {
                s += "\(i2)/// `\(m.cName.isEmpty ? "(anonymous)" : m.cName)` at byte \(m.offset).\n"
                s += "\(i2)\(access)var \(m.name): \(m.type.name) {\n"
                s += "\(i2)    get { CLayout.member(\(m.type.name).self, of: self, at: \(m.offset)) }\n"
                s += "\(i2)    set { CLayout.setMember(newValue, of: &self, at: \(m.offset)) }\n\(i2)}\n"
            }
        }
        for b in bitfields {
            let get: String, set: String
            let raw = "CLayout.bits(of: self, bitOffset: \(b.bitOffset), width: \(b.width), signed: \(b.integer.signed))"
            let store = { (v: String) in "CLayout.setBits(of: &self, bitOffset: \(b.bitOffset), width: \(b.width), to: \(v))" }
            if b.integer.isBool {
                get = "\(raw) != 0"
                set = store("newValue ? 1 : 0")
            } else if b.integer.isEnum {
                get = "\(b.typeName)(rawValue: \(b.integer.name)(truncatingIfNeeded: \(raw)))"
                set = store("Int64(truncatingIfNeeded: newValue.rawValue)")
            } else {
                get = "\(b.integer.name)(truncatingIfNeeded: \(raw))"
                set = store("Int64(truncatingIfNeeded: newValue)")
            }
            s += "\(i2)/// `\(b.cName)`: bits \(b.bitOffset)..<\(b.bitOffset + b.width) of the struct (a bitfield).\n"
            s += "\(i2)\(access)var \(b.name): \(b.typeName) {\n\(i2)    get { \(get) }\n\(i2)    set { \(set) }\n\(i2)}\n"
        }
        for m in members where m.type.isCharArray {
            let name = m.name.trimmingBackticks + "String"
            s += "\(i2)/// `\(m.cName)` as text: the bytes before the first NUL, as UTF-8; setting it cuts the\n"
            s += "\(i2)/// text to \(m.type.size) bytes and zeroes the rest.\n"
            s += "\(i2)\(access)var \(name): String {\n\(i2)    get { CLayout.string(\(m.name)) }\n"
            s += "\(i2)    set { CLayout.setString(&\(m.name), newValue) }\n\(i2)}\n"
        }
        // Initialisers and byte-wise equality.
        if t.kind == .union {
            s += "\(i2)/// All bytes zero; set one member after.\n\(i2)\(access)init() { self = CLayout.zero() }\n"
        } else {
            let params = settable.map { "\($0.0.trimmingBackticks): \($0.1) = CLayout.zero()" }.joined(separator: ", ")
            s += "\(i2)/// Zero bytes (padding included), then the given members.\n"
            s += "\(i2)\(access)init(\(params)) {\n\(i2)    self = CLayout.zero()\n"
            for (name, _) in settable { s += "\(i2)    self.\(name.trimmingBackticks) = \(name)\n" }
            s += "\(i2)}\n"
        }
        s += "\(i2)/// Equal when every byte is (padding is zero unless written through memory).\n"
        s += "\(i2)\(access)static func == (a: Self, b: Self) -> Bool { CLayout.bytesEqual(a, b) }\n"
        s += "\(i2)/// Hashes the bytes.\n\(i2)\(access)func hash(into hasher: inout Hasher) { CLayout.hashBytes(self, into: &hasher) }\n"
        s += "\(indent)}\n"
        return (s, alignment)
    }

    private static func bytes(_ n: Int) -> String { n == 1 ? "UInt8" : "InlineArray<\(n), UInt8>" }
}
