import BPF

/// A JSON value for the introspection commands' `--json` output, printed in field order.
enum JSONNode {
    case number(String)
    case string(String)
    case bool(Bool)
    case null
    case array([JSONNode])
    case object([(String, JSONNode)])
    /// Already-rendered JSON (a BTF-formatted value).
    case raw(String)

    static func int<T: BinaryInteger>(_ v: T) -> JSONNode { .number(String(v)) }

    var text: String {
        switch self {
        case let .number(n): return n
        case let .string(s): return BTFValue.quote(s)
        case let .bool(b): return b ? "true" : "false"
        case .null: return "null"
        case let .raw(r): return r
        case let .array(a): return "[" + a.map(\.text).joined(separator: ",") + "]"
        case let .object(f): return "{" + f.map { BTFValue.quote($0.0) + ":" + $0.1.text }.joined(separator: ",") + "}"
        }
    }
}

/// Fixed-width text tables for the list commands.
enum TextTable {
    static func render(_ header: [String], _ rows: [[String]]) -> String {
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            var s = ""
            for (i, c) in cells.enumerated() {
                s += i == cells.count - 1 ? c : c + String(repeating: " ", count: widths[i] - c.count + 2)
            }
            return s
        }
        return ([line(header)] + rows.map(line)).map { String($0.reversed().drop(while: { $0 == " " }).reversed()) }.joined(separator: "\n")
    }
}

/// Hex formatting shared by the commands.
enum Hex {
    static func byte(_ b: UInt8) -> String { (b < 16 ? "0" : "") + String(b, radix: 16) }
    /// bpftool's byte list: `0x01 0x00 …` in JSON, `01 00 …` in text.
    static func jsonBytes(_ bytes: [UInt8]) -> JSONNode { .array(bytes.map { .string("0x" + byte($0)) }) }
    static func text(_ bytes: [UInt8]) -> String { bytes.map(byte).joined(separator: " ") }
}
