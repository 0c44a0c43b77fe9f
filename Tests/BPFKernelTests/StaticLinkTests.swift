import BPF
import Foundation
import Testing

/// Objects joined by `bpftool gen object` (libbpf's static linker), compiled and linked at test
/// time, load as libbpf loads them.
@Suite(.serialized, .enabled(if: isRoot && Bpftool.path != nil && Command.which("clang") != nil, "needs root, bpftool and clang"))
struct StaticLinkTests {
    /// A unit with a `static` subprogram named `subprog` that multiplies by `factor`, called by
    /// a syscall program `handler` that passes it the context's first int.
    static func unit(handler: String, factor: Int) -> String {
        """
        #include <linux/bpf.h>
        #include <bpf/bpf_helpers.h>

        static __attribute__((noinline)) int subprog(int x)
        {
            return x * \(factor);
        }

        SEC("syscall")
        int \(handler)(int *ctx)
        {
            return subprog(ctx[0]) + 1;
        }

        char LICENSE[] SEC("license") = "GPL";
        """
    }

    /// Two units each define `static int subprog`; every caller must get its own unit's body.
    /// Keyed by name, both handlers ran the last unit's (tripling) body.
    @Test func staticSubprogramsOfTheSameNameStayWithTheirUnits() throws {
        let dir = try TemporaryDirectory("harden-static-link")
        var objects: [String] = []
        for (handler, factor) in [("handler_double", 2), ("handler_triple", 3)] {
            objects.append(try ClangBPF.compile(Self.unit(handler: handler, factor: factor), name: handler, in: dir.path))
        }
        let linked = dir.path + "/linked.bpf.o"
        let link = try Command.run(Bpftool.path!, ["gen", "object", linked] + objects)
        try #require(link.status == 0, "bpftool gen object: \(link.stderr)")

        let spec = try ObjectSpec(bytes: Syscalls.readRegularFile(linked), name: "linked")
        // The shape under test: two .text functions named subprog at different offsets.
        #expect(spec.subprograms.filter { $0.name == "subprog" }.count == 2, "\(spec.subprograms.map { "\($0.name)@\($0.sectionOffset)" })")
        let object = try BPFObject(spec)
        let double = try object.program("handler_double").testRunSyscall(context: Int32(7))
        let triple = try object.program("handler_triple").testRunSyscall(context: Int32(7))
        #expect(double.returnValue == 15, "handler_double ran the wrong subprog: \(double.returnValue)")
        #expect(triple.returnValue == 22, "handler_triple ran the wrong subprog: \(triple.returnValue)")
    }
}
