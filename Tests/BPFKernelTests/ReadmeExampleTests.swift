import BPF
import Glibc
import Testing

/// The README's library example, kept true by running it.
@Suite(.enabled(if: isRoot, "loading BPF programs needs root"))
struct ReadmeExampleTests {
    @Test func countGetpidCalls() throws {
        // Parse: pure, no syscalls.
        let spec = try ObjectSpec(bytes: EmbeddedObjects.minimal.bytes, name: "minimal")

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
}
