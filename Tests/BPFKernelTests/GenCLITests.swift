import BPF
import Foundation
import Testing

/// `swiftbpf gen` on an object built outside SwiftPM (bpf/bind_typed.bpf.c's, written to a file):
/// the bindings it prints declare the programs, maps, globals and C types, and compile against
/// the BPF module; a file that is not an object gets a clear error and no output file.
@Suite(.enabled(if: CLI.path != nil, "needs the built swiftbpf binary"))
struct GenCLITests {
    static func objectFile() throws -> String {
        let path = NSTemporaryDirectory() + "swiftbpf-gen-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).bpf.o"
        try Data(EmbeddedObjects.bindTyped.bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func generatesCompilableBindings() throws {
        let object = try Self.objectFile()
        let output = object + ".swift"
        defer { try? FileManager.default.removeItem(atPath: object); try? FileManager.default.removeItem(atPath: output) }
        let r = try Command.run(CLI.path!, ["gen", object, "--public", "--name", "TypedGen", "--ringbuf", "records=bind_record",
                                            "-o", output])
        try #require(r.status == 0, "swiftbpf gen: \(r.stderr)")
        let text = try String(contentsOfFile: output, encoding: .utf8)
        for declaration in [
            "import BPF", "public struct TypedGen: Sendable {", "public static let embedded = EmbeddedObject(name: \"swiftbpf-gen-",
            "public let onGetpid: TracepointProgram",
            // The record lives only on the BPF stack, so this object's BTF lacks it: the ring stays
            // untyped, and the output says why (the plugin compiles a second unit that has it).
            "public let records: UntypedMap", "// Ring buffer records is untyped: struct bind_record is not in the object's BTF",
            "public let values: HashMap<BindKey, BindValue>", "public let hitsCounter: GlobalVariable<UInt64>",
            "public var targTid: UInt32 = CLayout.zero()", "public struct BindValue: BitwiseCopyable, Sendable, Hashable {",
            "public var flags: UInt8 {",
            "public static func load(config: Config = Config(), options: LoadOptions = LoadOptions()) throws(BPFError) -> TypedGen",
        ] {
            #expect(text.contains(declaration), "missing: \(declaration)")
        }

        // The text compiles against the BPF module this test was built with.
        let products = URL(fileURLWithPath: CLI.path!).deletingLastPathComponent().path
        let modules = products + "/Modules", moduleMap = products + "/CBPF.build/module.modulemap"
        guard let swiftc = Command.which("swiftc"), FileManager.default.fileExists(atPath: moduleMap) else {
            Issue.record("cannot type-check: no swiftc on PATH or no CBPF module map at \(moduleMap)")
            return
        }
        let check = try Command.run(swiftc, ["-typecheck", output, "-I", modules, "-Xcc", "-fmodule-map-file=\(moduleMap)"])
        #expect(check.status == 0, "swiftc -typecheck: \(check.stderr)")
    }

    @Test func notAnObjectIsAClearErrorAndWritesNothing() throws {
        let path = NSTemporaryDirectory() + "swiftbpf-gen-bad-\(getpid()).o"
        let output = path + ".swift"
        try Data("not an ELF file".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try Command.run(CLI.path!, ["gen", path, "-o", output])
        #expect(r.status != 0)
        #expect(r.stderr.contains("is not a BPF object SwiftBPF can read") && r.stderr.contains("not an ELF file"))
        #expect(!FileManager.default.fileExists(atPath: output))
        let missing = try Command.run(CLI.path!, ["gen", path + ".missing"])
        #expect(missing.status != 0 && missing.stderr.contains("ENOENT"))
    }
}
