import Foundation
@testable import BPF

/// Runs host tools (clang, bpftool) for the BTF dumper tests, in a private temporary folder.
struct BTFToolRunner {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("swiftbpf-btf-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: path(name), atomically: false, encoding: .utf8)
    }

    func write(_ name: String, bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path(name)))
    }

    /// Runs `tool` (found on PATH) with `arguments` in the folder; returns status, stdout, stderr.
    func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool] + arguments
        p.currentDirectoryURL = directory
        let out = Pipe()
        let errPath = path("stderr-\(UUID().uuidString).txt")
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let errHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        p.standardOutput = out
        p.standardError = errHandle
        try p.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        try? errHandle.close()
        let errData = FileManager.default.contents(atPath: errPath) ?? Data()
        return (p.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    static func toolExists(_ name: String) -> Bool {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/usr/sbin").split(separator: ":")
        return paths.contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
    }

    static var haveClang: Bool { toolExists("clang") }
    static var haveBpftool: Bool { toolExists("bpftool") }
}

/// C `_Static_assert`s that check the size of every uniquely named struct/union of `btf` and the
/// offset of each named, non-bitfield member, as BTF records them. Compiling them against a
/// dumped header proves the header reproduces the layout.
enum BTFLayoutAsserts {
    static func source(for btf: BTF, include: String, limit: Int = .max) throws -> String {
        var tagCounts: [String: Int] = [:]
        for id in btf.typeIDs {
            switch btf.kind(of: id) {
            case .struct, .union:
                tagCounts[btf.name(of: id), default: 0] += 1
            case .enum, .enum64:
                if try btf.type(id).vlen > 0 { tagCounts[btf.name(of: id), default: 0] += 1 }
            default:
                break
            }
        }
        var vaListMemo: [UInt32: Bool] = [:]
        var lines = ["#include \"\(include)\"", "#define OFF(T, m) __builtin_offsetof(T, m)"]
        var count = 0
        for id in btf.typeIDs where count < limit {
            guard let kind = btf.kind(of: id), kind.isComposite else { continue }
            let t = try btf.type(id)
            guard !t.name.isEmpty, tagCounts[t.name] == 1 else { continue }
            // __builtin_va_list has a different size on the BPF target than on x86_64.
            if try embedsVaList(btf, id, &vaListMemo) { continue }
            let c = (kind == .struct ? "struct " : "union ") + t.name
            lines.append("_Static_assert(sizeof(\(c)) == \(t.sizeOrType), \"sizeof \(c)\");")
            for m in t.members where !m.name.isEmpty && m.bitfieldSize == 0 {
                lines.append("_Static_assert(OFF(\(c), \(m.name)) == \(m.bitOffset / 8), \"\(c).\(m.name)\");")
            }
            count += 1
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func embedsVaList(_ btf: BTF, _ id: UInt32, _ memo: inout [UInt32: Bool]) throws -> Bool {
        if let known = memo[id] { return known }
        memo[id] = false
        let t = try btf.type(id)
        var result = false
        switch t.kind {
        case .typedef:
            if t.name.hasSuffix("va_list") {
                result = true
            } else {
                result = try embedsVaList(btf, t.sizeOrType, &memo)
            }
        case .const, .volatile, .restrict, .typeTag:
            result = try embedsVaList(btf, t.sizeOrType, &memo)
        case .array:
            result = try embedsVaList(btf, t.array?.element ?? 0, &memo)
        case .struct, .union:
            for m in t.members {
                if try embedsVaList(btf, m.type, &memo) {
                    result = true
                    break
                }
            }
        default:
            result = false
        }
        memo[id] = result
        return result
    }
}
