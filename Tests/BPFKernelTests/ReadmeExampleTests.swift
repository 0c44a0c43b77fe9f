import BPF
import Foundation
import Glibc
import Testing

/// The README's library example, kept true by running it.
@Suite(.enabled(if: isRoot, "loading BPF programs needs root"))
struct ReadmeExampleTests {
    /// The typed example: the generated MinimalObject.
    @Test func countGetpidCallsTyped() throws {
        var config = MinimalObject.Config()
        config.targetPid = UInt32(getpid())
        let minimal = try MinimalObject.load(config: config)

        let link = try minimal.countGetpid.attach()
        for _ in 0..<3 { _ = getpid() }
        let count = try minimal.counts.value(at: 0)
        withExtendedLifetime(link) {}
        #expect(count == 3)
    }

    /// The untyped example, for objects known only at run time.
    @Test func countGetpidCalls() throws {
        // Parse: pure, no syscalls.
        let spec = try ObjectSpec(embedded: EmbeddedObjects.minimal)

        // Load: set a `const volatile` filter, then CO-RE, maps, programs.
        var options = LoadOptions()
        options.set("target_pid", to: UInt32(getpid()))
        let object = try BPFObject(spec, options: options)

        // Attach by the program's SEC() name, trigger, read back.
        let link = try object.attach("count_getpid")
        for _ in 0..<3 { _ = getpid() }
        let count = try object.map("counts").lookup(key: UInt32(0), as: UInt64.self)
        withExtendedLifetime(link) {}
        #expect(count == 3)
    }

    /// The one-call loads give the same object: from the embedded bytes and from a file.
    @Test func oneCallLoads() throws {
        let embedded = try BPFObject(embedded: EmbeddedObjects.minimal)
        #expect(try embedded.program("count_getpid").type == .tracepoint)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swiftbpf-readme-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("minimal.bpf.o").path
        try Data(EmbeddedObjects.minimal.bytes).write(to: URL(fileURLWithPath: path))
        let spec = try ObjectSpec(path: path)
        #expect(spec.name == "minimal")
        #expect(try spec.programs.map(\.name) == EmbeddedObjects.minimal.spec().programs.map(\.name))
        let fromFile = try BPFObject(path: path)
        #expect(try fromFile.map("counts").lookup(key: UInt32(0), as: UInt64.self) == 0)
    }
}
