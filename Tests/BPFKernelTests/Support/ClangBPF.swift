import Foundation
import Testing

/// Compiles BPF C sources at test time, as the build plugin does (clang -target bpf -O2 -g).
enum ClangBPF {
    static var available: Bool { Command.which("clang") != nil }

    /// Writes `source` to `directory/name.bpf.c` and compiles it to `directory/name.bpf.o`.
    static func compile(_ source: String, name: String, in directory: String) throws -> String {
        let clang = try #require(Command.which("clang"))
        let path = directory + "/\(name).bpf.c"
        try source.write(toFile: path, atomically: true, encoding: .utf8)
        let object = directory + "/\(name).bpf.o"
        let r = try Command.run(clang, ["-target", "bpf", "-O2", "-g", "-I/usr/include/x86_64-linux-gnu", "-c", path, "-o", object])
        try #require(r.status == 0, "clang \(name): \(r.stderr)")
        return object
    }
}
