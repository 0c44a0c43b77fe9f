import Foundation

/// Writes `BPFKernel` accessor types for tracepoint records from the tracepoints' `format` files
/// (`/sys/kernel/tracing/events/CATEGORY/NAME/format`).
///
/// Each `field:TYPE NAME; offset:N; size:S; signed:B;` line after the common fields becomes a
/// read of an integer of that size and sign at that offset (pointers as `UInt64`), a
/// `__data_loc` string a pointer to its bytes in the record, an array the address of its first
/// element. The offsets are those of the kernel the file came from: tracepoint records are not
/// relocated by CO-RE, so a record whose layout changes between kernels needs regenerating.
public enum TracepointRecordGenerator {
    public struct Field: Equatable, Sendable {
        public var declaration: String
        public var name: String
        public var offset: Int
        public var size: Int
        public var signed: Bool
        public var isArray: Bool
        public var isDataLocation: Bool
    }

    static let fieldPattern = try! NSRegularExpression(pattern:
        #"^\s*field:(.+?);\s*offset:(\d+);\s*size:(\d+);\s*signed:(\d);"#)

    /// The event's own fields (not `common_*`) of a format file.
    public static func fields(format: String) -> [Field] {
        var out: [Field] = []
        for line in format.split(separator: "\n").map(String.init) {
            let range = NSRange(line.startIndex..., in: line)
            guard let m = fieldPattern.firstMatch(in: line, range: range) else { continue }
            func group(_ n: Int) -> String { String(line[Range(m.range(at: n), in: line)!]) }
            let declaration = group(1).trimmingCharacters(in: .whitespaces)
            var name = String(declaration.split(separator: " ").last ?? "")
            let isArray = name.contains("[")
            if let bracket = name.firstIndex(of: "[") { name = String(name[..<bracket]) }
            name = String(name.drop { $0 == "*" })
            guard !name.hasPrefix("common_"), !name.isEmpty else { continue }
            out.append(Field(declaration: declaration, name: name, offset: Int(group(2))!, size: Int(group(3))!,
                             signed: group(4) == "1", isArray: isArray, isDataLocation: declaration.hasPrefix("__data_loc")))
        }
        return out
    }

    /// `sched_process_exec` → `SchedProcessExec`; `__syscall_nr` → `syscallNr`.
    static func camel(_ s: String, upperFirst: Bool) -> String {
        var out = ""
        var upper = upperFirst
        for c in s {
            if c == "_" { upper = !out.isEmpty; continue }
            out.append(upper ? Character(c.uppercased()) : c)
            upper = false
        }
        return out
    }

    /// Swift source of `<Name>Record` for tracepoint `category/name` with `format`'s fields.
    public static func swiftType(category: String, name: String, format: String, kernel: String) -> String {
        let type = camel(name, upperFirst: true) + "Record"
        var s = """

        /// The record of tracepoint `\(category)/\(name)`, at the offsets of its format file on \(kernel).
        public struct \(type) {
            public let raw: UnsafeMutableRawPointer
            @_transparent public init(_ raw: UnsafeMutableRawPointer) { self.raw = raw }

        """
        for f in fields(format: format) {
            let property = camel(f.name, upperFirst: false)
            s += "    /// `\(f.declaration)` (offset \(f.offset), \(f.size) bytes).\n"
            if f.isDataLocation {
                // __data_loc: the low 16 bits are the data's offset in the record, the high 16 its length.
                s += "    @_transparent public var \(property): UnsafeRawPointer { UnsafeRawPointer(raw + Int(raw.load(fromByteOffset: \(f.offset), as: UInt32.self) & 0xffff)) }\n"
            } else if f.isArray || ![1, 2, 4, 8].contains(f.size) {
                s += "    @_transparent public var \(property): UnsafeRawPointer { UnsafeRawPointer(raw + \(f.offset)) }\n"
            } else {
                let t = (f.signed ? "Int" : "UInt") + String(f.size * 8)
                s += "    @_transparent public var \(property): \(t) { raw.load(fromByteOffset: \(f.offset), as: \(t).self) }\n"
            }
        }
        return s + "}\n"
    }
}
