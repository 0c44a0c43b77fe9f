import BPF
import Foundation
import Testing

/// Runs the `swiftbpf` binary and bpftool for the introspection tests.
enum IntrospectCLI {
    /// Whether the built binary has the introspection subcommands registered.
    static let hasCommands: Bool = {
        guard let path = CLI.path else { return false }
        // An unknown subcommand is a usage error (status 64); `--help` would not tell.
        return ["prog", "map", "link"].allSatisfy { ((try? Command.run(path, [$0, "list", "--json"]))?.status ?? 64) == 0 }
    }()

    static func run(_ args: [String]) throws -> CommandResult {
        try Command.run(CLI.path!, args)
    }

    /// Runs `swiftbpf ARGS --json` and parses its output; fails the test on a non-zero exit.
    static func json(_ args: [String]) throws -> Any {
        let r = try run(args + ["--json"])
        try #require(r.status == 0, "swiftbpf \(args.joined(separator: " ")): \(r.stderr)")
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
    }

    /// Runs `bpftool -j ARGS` and parses its output.
    static func bpftool(_ args: [String]) throws -> Any {
        let r = try Command.run(Bpftool.path!, ["-j"] + args)
        try #require(r.status == 0, "bpftool \(args.joined(separator: " ")): \(r.stderr)")
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
    }

    /// The fields of `ours` that bpftool also prints and that differ (bpftool adds `pids`,
    /// omits zero run statistics; both sides are compared only where both have the field).
    static func differences(_ ours: [String: Any], _ theirs: [String: Any]) -> [String] {
        ours.keys.sorted().compactMap { (key: String) -> String? in
            guard let t = theirs[key], let o = ours[key] else { return nil }
            return same(o, t) ? nil : "\(key): ours \(o), bpftool \(t)"
        }
    }

    /// JSON equality; numbers compare by value, so bpftool's `1` equals our `true`.
    static func same(_ a: Any, _ b: Any) -> Bool {
        if let x = a as? [Any], let y = b as? [Any] { return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) } }
        if let x = a as? [String: Any], let y = b as? [String: Any] {
            return Set(x.keys) == Set(y.keys) && x.allSatisfy { same($0.value, y[$0.key]!) }
        }
        if let x = a as? String, let y = b as? String { return x == y }
        if let x = a as? NSNumber, let y = b as? NSNumber { return x.stringValue == y.stringValue || x.doubleValue == y.doubleValue }
        return false
    }

    /// The lines of a bpftool xlated dump that are instructions (`   0: (bf) r6 = r1`), without
    /// its function headers and source lines.
    static func instructionLines(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { line in
            let trimmed = line.drop(while: { $0 == " " })
            guard let colon = trimmed.firstIndex(of: ":") else { return false }
            return !trimmed[..<colon].isEmpty && trimmed[..<colon].allSatisfy(\.isNumber) && trimmed[colon...].hasPrefix(": (")
        }
    }
}

/// Hand-encoded BTF for a map with a struct value, so the formatted dump covers unsigned and
/// signed ints, a char array (string), an enum and a nested array:
///
///     struct rec { unsigned int pid; int delta; unsigned long long count; char comm[8];
///                  enum color { RED = 0, BLUE = 7 } color; unsigned long long pair[2]; };  // 48 bytes
enum RecordBTF {
    static let keyType: UInt32 = 1
    static let valueType: UInt32 = 8
    static let valueSize = 48

    static func encode() -> [UInt8] {
        var strings: [UInt8] = [0]
        func name(_ s: String) -> UInt32 {
            let off = UInt32(strings.count)
            strings += Array(s.utf8) + [0]
            return off
        }
        var types: [UInt8] = []
        func u32(_ v: UInt32) { types += withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        func header(_ nameOff: UInt32, kind: UInt32, vlen: UInt32 = 0, sizeOrType: UInt32) {
            u32(nameOff)
            u32(kind << 24 | vlen)
            u32(sizeOrType)
        }
        func int(_ n: String, size: UInt32, encoding: UInt32) {
            header(name(n), kind: 1, sizeOrType: size)
            u32(encoding << 24 | size * 8)
        }
        int("unsigned int", size: 4, encoding: 0)              // [1]
        int("long long unsigned int", size: 8, encoding: 0)    // [2]
        int("char", size: 1, encoding: 1)                      // [3] signed, named "char" as clang emits it
        int("int", size: 4, encoding: 1)                       // [4]
        header(0, kind: 3, sizeOrType: 0); u32(3); u32(1); u32(8)  // [5] char[8]
        header(name("color"), kind: 6, vlen: 2, sizeOrType: 4)     // [6] enum color
        u32(name("RED")); u32(0)
        u32(name("BLUE")); u32(7)
        header(0, kind: 3, sizeOrType: 0); u32(2); u32(1); u32(2)  // [7] u64[2]
        header(name("rec"), kind: 4, vlen: 6, sizeOrType: 48)      // [8] struct rec
        for (n, t, bits) in [("pid", 1, 0), ("delta", 4, 32), ("count", 2, 64), ("comm", 5, 128), ("color", 6, 192), ("pair", 7, 256)] {
            u32(name(n)); u32(UInt32(t)); u32(UInt32(bits))
        }
        var out: [UInt8] = [0x9f, 0xeb, 1, 0]
        for v in [UInt32(24), 0, UInt32(types.count), UInt32(types.count), UInt32(strings.count)] {
            out += withUnsafeBytes(of: v.littleEndian) { Array($0) }
        }
        return out + types + strings
    }

    /// A value of struct rec.
    static func value(pid: UInt32, delta: Int32, count: UInt64, comm: String, color: UInt32, pair: (UInt64, UInt64)) -> [UInt8] {
        var out: [UInt8] = []
        out += withUnsafeBytes(of: pid.littleEndian) { Array($0) }
        out += withUnsafeBytes(of: delta.littleEndian) { Array($0) }
        out += withUnsafeBytes(of: count.littleEndian) { Array($0) }
        var c = Array(comm.utf8.prefix(7))
        c += [UInt8](repeating: 0, count: 8 - c.count)
        out += c
        out += withUnsafeBytes(of: color.littleEndian) { Array($0) } + [0, 0, 0, 0]
        out += withUnsafeBytes(of: pair.0.littleEndian) { Array($0) }
        out += withUnsafeBytes(of: pair.1.littleEndian) { Array($0) }
        return out
    }
}
