/// A value decoded from raw bytes by its BTF type, as bpftool's `map dump` prints it under
/// "formatted": integers as numbers, `char` arrays as strings, enums by name, structs and
/// unions as objects, arrays as lists, pointers as numbers.
public indirect enum BTFValue: Sendable, Hashable {
    case signed(Int64)
    case unsigned(UInt64)
    case bool(Bool)
    case float(Double)
    case string(String)
    /// An enumerator's name.
    case enumerator(String)
    /// Integers wider than 64 bits, as hex (`0x…`).
    case hex(String)
    case array([BTFValue])
    /// A struct, union or DATASEC: fields in declaration order.
    case object([Field])

    /// A named member of a struct or union value.
    public struct Field: Sendable, Hashable {
        /// The member's name.
        public var name: String
        /// The member's value.
        public var value: BTFValue
        /// The member `name` with `value`.
        public init(name: String, value: BTFValue) {
            self.name = name
            self.value = value
        }
    }

    /// Compact JSON text.
    public var json: String {
        switch self {
        case let .signed(v): return String(v)
        case let .unsigned(v): return String(v)
        case let .bool(v): return v ? "true" : "false"
        case let .float(v): return v.isFinite ? "\(v)" : "\"\(v)\""
        case let .string(s), let .enumerator(s), let .hex(s): return Self.quote(s)
        case let .array(a): return "[" + a.map(\.json).joined(separator: ",") + "]"
        case let .object(f): return "{" + f.map { Self.quote($0.name) + ":" + $0.value.json }.joined(separator: ",") + "}"
        }
    }

    /// JSON string escaping.
    public static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}

extension BTF {
    /// Decodes `bytes` as a value of type `id`. Bounds are checked against the bytes: a type
    /// larger than the data throws rather than reading past it. Pure.
    public func value(of id: UInt32, in bytes: [UInt8]) throws(BPFError) -> BTFValue {
        try decodeValue(id, bytes, bitBase: 0, depth: 0)
    }

    func decodeValue(_ id: UInt32, _ bytes: [UInt8], bitBase: Int, depth: Int) throws(BPFError) -> BTFValue {
        guard depth < Self.maxNestingDepth else { throw .malformedBTF("type [\(id)]: nesting deeper than \(Self.maxNestingDepth)") }
        let t = try resolvedType(id)
        let start = bitBase / 8
        switch t.kind {
        case .int:
            let size = t.size ?? 0
            guard size > 0, start + size <= bytes.count else { throw .invalidArgument("value of \(t.name) needs \(size) bytes at offset \(start), have \(bytes.count)") }
            if size > 8 {
                let slice = bytes[start..<start + size]
                return .hex("0x" + slice.reversed().map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined())
            }
            let raw = Self.loadLE(bytes, start, size)
            let bits = t.intBits == 0 ? size * 8 : t.intBits
            let v = Self.extractBits(raw, offset: t.intOffset + bitBase % 8, bits: bits)
            if t.intEncoding.contains(.bool) { return .bool(v != 0) }
            if t.intEncoding.contains(.signed) { return .signed(Self.signExtend(v, bits: bits)) }
            return .unsigned(v)
        case .enum, .enum64:
            let size = t.size ?? 4
            guard size > 0, size <= 8, start + size <= bytes.count else { throw .invalidArgument("enum \(t.name) needs \(size) bytes at offset \(start), have \(bytes.count)") }
            let raw = Self.loadLE(bytes, start, size)
            let v = t.isSigned ? UInt64(bitPattern: Self.signExtend(raw, bits: size * 8)) : raw
            if let e = t.enumerators.first(where: { $0.unsignedValue == v || (size < 8 && $0.unsignedValue & ((1 << (size * 8)) - 1) == v) }) {
                return .enumerator(e.name)
            }
            return t.isSigned ? .signed(Int64(bitPattern: v)) : .unsigned(v)
        case .ptr:
            guard start + 8 <= bytes.count else { throw .invalidArgument("pointer needs 8 bytes at offset \(start), have \(bytes.count)") }
            return .unsigned(Self.loadLE(bytes, start, 8))
        case .float:
            let size = t.size ?? 0
            guard start + size <= bytes.count else { throw .invalidArgument("float needs \(size) bytes at offset \(start)") }
            if size == 4 { return .float(Double(Float(bitPattern: UInt32(Self.loadLE(bytes, start, 4))))) }
            if size == 8 { return .float(Double(bitPattern: Self.loadLE(bytes, start, 8))) }
            return .hex("0x" + bytes[start..<start + size].reversed().map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined())
        case .array:
            guard let a = t.array else { throw .malformedBTF("type [\(t.id)]: array without data") }
            let elementSize = try size(of: a.element)
            let total = elementSize * Int(a.count)
            guard start + total <= bytes.count else { throw .invalidArgument("array [\(t.id)] needs \(total) bytes at offset \(start), have \(bytes.count)") }
            // Like bpftool, skip modifiers but not typedefs: a typedef of char is not a string.
            var element = try type(a.element)
            for _ in 0..<Self.maxResolveDepth where [.const, .volatile, .restrict, .typeTag].contains(element.kind) {
                element = try type(element.sizeOrType)
            }
            if element.kind == .int, element.size == 1, element.intEncoding.contains(.char) || element.name == "char" {
                let chars = bytes[start..<start + total]
                // bpftool prints a char array as a string when it is NUL-terminated text.
                if chars.contains(0), chars.prefix(while: { $0 != 0 }).allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) {
                    return .string(String(decoding: chars.prefix(while: { $0 != 0 }), as: UTF8.self))
                }
            }
            var out: [BTFValue] = []
            out.reserveCapacity(Int(a.count))
            for i in 0..<Int(a.count) {
                out.append(try decodeValue(a.element, bytes, bitBase: bitBase + i * elementSize * 8, depth: depth + 1))
            }
            return .array(out)
        case .struct, .union:
            let size = t.size ?? 0
            guard start + size <= bytes.count else { throw .invalidArgument("\(t.kind) \(t.name) needs \(size) bytes at offset \(start), have \(bytes.count)") }
            var fields: [BTFValue.Field] = []
            for m in t.members {
                let offset = bitBase + Int(m.bitOffset)
                if m.bitfieldSize > 0 {
                    let byte = offset / 8
                    let width = min(8, bytes.count - byte)
                    guard width > 0 else { throw .invalidArgument("bitfield \(m.name) past the end") }
                    let raw = Self.loadLE(bytes, byte, width)
                    let bits = Int(m.bitfieldSize)
                    let v = Self.extractBits(raw, offset: offset % 8, bits: bits)
                    let mt = try resolvedType(m.type)
                    let signed = (mt.kind == .int && mt.intEncoding.contains(.signed)) || (mt.kind.isEnum && mt.isSigned)
                    fields.append(.init(name: m.name, value: signed ? .signed(Self.signExtend(v, bits: bits)) : .unsigned(v)))
                } else {
                    fields.append(.init(name: m.name, value: try decodeValue(m.type, bytes, bitBase: offset, depth: depth + 1)))
                }
            }
            return .object(fields)
        case .dataSec:
            // bpftool's form: {"SECTION": [{"var": value}, ...]}.
            var vars: [BTFValue] = []
            for e in t.dataSecEntries {
                let v = try type(e.type)
                let value = try decodeValue(v.referencedType ?? e.type, bytes, bitBase: bitBase + Int(e.offset) * 8, depth: depth + 1)
                vars.append(.object([.init(name: v.name, value: value)]))
            }
            return .object([.init(name: t.name, value: .array(vars))])
        default:
            throw .invalidArgument("type [\(t.id)] (\(t.kind)) cannot be formatted as a value")
        }
    }

    static func loadLE(_ bytes: [UInt8], _ start: Int, _ count: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<min(count, 8) where start + i < bytes.count { v |= UInt64(bytes[start + i]) << (8 * UInt64(i)) }
        return v
    }

    static func extractBits(_ raw: UInt64, offset: Int, bits: Int) -> UInt64 {
        guard bits > 0 else { return 0 }
        let shifted = offset >= 64 ? 0 : raw >> UInt64(offset)
        return bits >= 64 ? shifted : shifted & ((1 << UInt64(bits)) - 1)
    }

    static func signExtend(_ v: UInt64, bits: Int) -> Int64 {
        guard bits > 0, bits < 64 else { return Int64(bitPattern: v) }
        let shift = UInt64(64 - bits)
        return Int64(bitPattern: v << shift) >> Int64(shift)
    }
}
