import Foundation
import Testing
@testable import BPF

@Suite(.serialized) struct BTFDumperTests {
    // MARK: - Raw format against bpftool

    @Test(.enabled(if: BTFToolRunner.haveBpftool))
    func rawDumpOfKernelBTFMatchesBpftool() throws {
        let tools = try BTFToolRunner()
        defer { tools.remove() }
        let reference = try tools.run("bpftool", ["btf", "dump", "file", BTF.kernelPath])
        try #require(reference.status == 0, "\(reference.errors)")
        let btf = try BTF.kernel()
        let dumper = BTFRawDumper(btf: btf)
        let mine = try dumper.dumpAll()
        #expect(mine.count == reference.output.count)
        #expect(mine == reference.output)

        // The line for task_struct, by id, as the brief's spot check.
        let id = try #require(btf.typeID(named: "task_struct", kind: .struct))
        let header = try dumper.line(for: id).split(separator: "\n").first.map(String.init)
        let referenceLine = reference.output.split(separator: "\n").first { $0.hasPrefix("[\(id)] ") }.map(String.init)
        #expect(header != nil && header == referenceLine)
        #expect(header?.hasPrefix("[\(id)] STRUCT 'task_struct' size=") == true)
    }

    @Test(.enabled(if: BTFToolRunner.haveBpftool))
    func rawDumpOfObjectBTFMatchesBpftool() throws {
        let tools = try BTFToolRunner()
        defer { tools.remove() }
        try tools.write("btftest.o", bytes: EmbeddedObjects.btftest.bytes)
        let reference = try tools.run("bpftool", ["btf", "dump", "file", tools.path("btftest.o")])
        try #require(reference.status == 0, "\(reference.errors)")
        let mine = try BTFRawDumper(btf: BTF(bytes: BTFTestELF.btftestBTF)).dumpAll()
        #expect(mine == reference.output)
        #expect(mine.contains("ENUM64 'btftest_big' encoding=UNSIGNED size=8 vlen=1"))
        #expect(mine.contains("DECL_TAG 'btftest_tag'"))
    }

    // MARK: - C format

    @Test func cDumpOfObjectHasExpectedDeclarations() throws {
        let btf = try BTF(bytes: BTFTestELF.btftestBTF)
        let c = try BTFCDumper(btf: btf).dump(roots: ["btftest_bits"])
        #expect(c.contains("struct btftest_bits {"))
        #expect(c.contains("\tunsigned int a: 3;"))
        #expect(c.contains("\tunsigned int b: 5;"))
        #expect(c.contains("\tunion {\n\t\tlong l;\n\t\tchar bytes[8];\n\t};"))
        #expect(c.contains("enum btftest_color {\n\tBTFTEST_RED = -1,\n\tBTFTEST_GREEN = 2,\n};"))
        #expect(c.contains("enum btftest_big {\n\tBTFTEST_BIG = 78187493530ULL,\n};"))
        #expect(c.contains("\tfloat f;"))
        // Enums come before the struct that embeds them.
        let enumAt = try #require(c.range(of: "enum btftest_color {"))
        let structAt = try #require(c.range(of: "struct btftest_bits {"))
        #expect(enumAt.lowerBound < structAt.lowerBound)
        #expect(throws: BPFError.self) { try BTFCDumper(btf: btf).dump(roots: ["no_such_type"]) }
    }

    @Test func cDumpHandlesPaddingPackingAndDeclarators() throws {
        // struct gap { char c; /* hole */ long l /* at byte 16 */; int tail; /* size 32 */ }
        // struct __attribute__((packed)) pk { char c; int i; }
        // typedef int (*fn_t)(const char *, ...);  struct uses { fn_t f; int (*arr)[4]; }
        var b = BTFBlobBuilder()
        let names = ["char", "long", "int", "gap", "c", "l", "tail", "pk", "i", "fn_t", "uses", "f", "arr"].map { b.name($0) }
        b.record(name: names[0], kind: .int, sizeOrType: 1, extra: [0x0100_0008])        // 1 char
        b.record(name: names[1], kind: .int, sizeOrType: 8, extra: [0x0100_0040])        // 2 long
        b.record(name: names[2], kind: .int, sizeOrType: 4, extra: [0x0100_0020])        // 3 int
        b.record(name: names[3], kind: .struct, vlen: 3, sizeOrType: 32,                  // 4 gap
                 extra: [names[4], 1, 0, names[5], 2, 128, names[6], 3, 192])
        b.record(name: names[7], kind: .struct, vlen: 2, sizeOrType: 5,                   // 5 pk
                 extra: [names[4], 1, 0, names[8], 3, 8])
        b.record(name: 0, kind: .const, sizeOrType: 1)                                    // 6 const char
        b.record(name: 0, kind: .ptr, sizeOrType: 6)                                      // 7 const char *
        b.record(name: 0, kind: .funcProto, vlen: 2, sizeOrType: 3, extra: [0, 7, 0, 0])  // 8 int (const char *, ...)
        b.record(name: 0, kind: .ptr, sizeOrType: 8)                                      // 9
        b.record(name: names[9], kind: .typedef, sizeOrType: 9)                           // 10 fn_t
        b.record(name: 0, kind: .array, sizeOrType: 0, extra: [3, 3, 4])                  // 11 int[4]
        b.record(name: 0, kind: .ptr, sizeOrType: 11)                                     // 12 int (*)[4]
        b.record(name: names[10], kind: .struct, vlen: 2, sizeOrType: 16,                 // 13 uses
                 extra: [names[11], 10, 0, names[12], 12, 64])
        let btf = try BTF(bytes: b.build())
        let c = try BTFCDumper(btf: btf).dumpAll()
        // The 15-byte hole before `l` becomes one 64-bit anonymous bitfield (the first 7 bytes
        // are the compiler's own alignment); the tail needs nothing.
        #expect(c.contains("struct gap {\n\tchar c;\n\tlong: 64;\n\tlong l;\n\tint tail;\n};"), "\(c)")
        #expect(c.contains("struct pk {\n\tchar c;\n\tint i;\n} __attribute__((packed));"), "\(c)")
        #expect(c.contains("typedef int (*fn_t)(const char *, ...);"), "\(c)")
        #expect(c.contains("\tint (*arr)[4];"), "\(c)")

        guard BTFToolRunner.haveClang else { return }
        let tools = try BTFToolRunner()
        defer { tools.remove() }
        try tools.write("small.h", c)
        try tools.write("asserts.c", try BTFLayoutAsserts.source(for: btf, include: "small.h"))
        let r = try tools.run("clang", ["-target", "bpf", "-fsyntax-only", "asserts.c"])
        #expect(r.status == 0, "\(r.errors)")
    }

    @Test(.enabled(if: BTFToolRunner.haveClang))
    func cDumpOfObjectReproducesItsLayout() throws {
        let btf = try BTF(bytes: BTFTestELF.btftestBTF)
        let tools = try BTFToolRunner()
        defer { tools.remove() }
        try tools.write("obj.h", try BTFCDumper(btf: btf).dumpAll())
        try tools.write("asserts.c", try BTFLayoutAsserts.source(for: btf, include: "obj.h"))
        let r = try tools.run("clang", ["-target", "bpf", "-fsyntax-only", "asserts.c"])
        #expect(r.status == 0, "\(r.errors)")
    }

    /// The whole C dump equals bpftool's, except that one-byte enums carry
    /// `__attribute__((mode(byte)))` (current libbpf prints it; the libbpf inside Debian's
    /// bpftool 7.1 predates it, and without it such enums would be 4 bytes).
    @Test(.enabled(if: BTFToolRunner.haveBpftool))
    func cDumpOfKernelBTFMatchesBpftool() throws {
        let tools = try BTFToolRunner()
        defer { tools.remove() }
        let reference = try tools.run("bpftool", ["btf", "dump", "file", BTF.kernelPath, "format", "c"])
        try #require(reference.status == 0, "\(reference.errors)")
        let mine = try BTFCDumper(btf: BTF.kernel()).dumpAll(options: .init(vmlinuxHeader: true))
        let normalized = mine.replacingOccurrences(of: "} __attribute__((mode(byte)));", with: "};")
        let a = normalized.split(separator: "\n", omittingEmptySubsequences: false)
        let b = reference.output.split(separator: "\n", omittingEmptySubsequences: false)
        let firstDifference = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }
        #expect(firstDifference == nil, "line \(firstDifference?.offset ?? -1): ours '\(firstDifference?.element.0 ?? "")' bpftool '\(firstDifference?.element.1 ?? "")'")
        #expect(a.count == b.count)
    }

    /// The closure of a few roots compiles into a BPF program that reads `task->tgid` through
    /// `__builtin_preserve_access_index`, and the object clang writes carries those types.
    @Test(.enabled(if: BTFToolRunner.haveClang))
    func kernelRootClosureCompilesWithCORE() throws {
        let btf = try BTF.kernel()
        let roots = ["task_struct", "trace_event_raw_sys_enter", "trace_event_raw_sys_exit",
                     "trace_event_raw_sched_process_exec"]
        let header = try BTFCDumper(btf: btf).dump(roots: roots, options: .init(vmlinuxHeader: true))
        #expect(header.hasPrefix("#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n"))
        #expect(header.contains("#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)"))
        #expect(header.contains("\nstruct task_struct {\n"))
        // mm_struct is reached only through pointers: declared, not defined.
        #expect(header.contains("\nstruct mm_struct;\n"))
        #expect(!header.contains("\nstruct mm_struct {\n"))

        let tools = try BTFToolRunner()
        defer { tools.remove() }
        try tools.write("roots.h", header)
        try tools.write("prog.c", """
            #include "roots.h"
            #define SEC(n) __attribute__((section(n), used))
            static __u64 (*bpf_get_current_task)(void) = (void *)35;

            SEC("tp/sched/sched_process_exec")
            int on_exec(struct trace_event_raw_sched_process_exec *ctx)
            {
                struct task_struct *task = (void *)bpf_get_current_task();
                int tgid = __builtin_preserve_access_index(task->tgid);
                return tgid + ctx->pid;
            }

            SEC("tp/raw_syscalls/sys_enter")
            int on_enter(struct trace_event_raw_sys_enter *ctx) { return ctx->id + ctx->args[1]; }

            SEC("tp/raw_syscalls/sys_exit")
            int on_exit(struct trace_event_raw_sys_exit *ctx) { return ctx->ret; }

            char LICENSE[] SEC("license") = "GPL";
            """)
        let r = try tools.run("clang", ["-O2", "-g", "-target", "bpf", "-c", "prog.c", "-o", "prog.o"])
        try #require(r.status == 0, "\(r.errors)")

        // The object's own BTF and CO-RE records agree with the kernel's layout.
        let object = try [UInt8](Data(contentsOf: URL(fileURLWithPath: tools.path("prog.o"))))
        let objBTF = try BTF(bytes: try #require(BTFTestELF.section(named: ".BTF", in: object)))
        let ext = try BTFExt(bytes: try #require(BTFTestELF.section(named: ".BTF.ext", in: object)), btf: objBTF)
        let task = try #require(objBTF.typeID(named: "task_struct", kind: .struct))
        let kernelTask = try btf.type(try #require(btf.typeID(named: "task_struct", kind: .struct)))
        #expect(try objBTF.type(task).size == kernelTask.size)
        let relos = try #require(ext.coreRelocations["tp/sched/sched_process_exec"])
        let tgidIndex = try #require(kernelTask.members.firstIndex { $0.name == "tgid" })
        #expect(relos.contains { $0.typeID == task && $0.kind == .fieldByteOffset && $0.accessString == "0:\(tgidIndex)" })
    }

    /// The whole kernel as one vmlinux.h: compiles with clang -target bpf together with libbpf's
    /// headers, and reproduces the size of every uniquely named struct and union and the offset
    /// of every named member.
    @Test(.enabled(if: BTFToolRunner.haveClang))
    func fullVmlinuxHeaderCompilesAndKeepsLayout() throws {
        let btf = try BTF.kernel()
        let header = try BTFCDumper(btf: btf).dumpAll(options: .init(vmlinuxHeader: true))
        #expect(header.utf8.count > 1_000_000)
        let tools = try BTFToolRunner()
        defer { tools.remove() }
        try tools.write("vmlinux.h", header)
        try tools.write("prog.c", """
            #include "vmlinux.h"
            #include <bpf/bpf_helpers.h>
            #include <bpf/bpf_core_read.h>

            SEC("tp/sched/sched_process_exec")
            int on_exec(struct trace_event_raw_sched_process_exec *ctx)
            {
                struct task_struct *task = (void *)bpf_get_current_task();
                return BPF_CORE_READ(task, real_parent, tgid) + ctx->pid;
            }

            char LICENSE[] SEC("license") = "GPL";
            """)
        let r = try tools.run("clang", ["-O2", "-g", "-target", "bpf", "-c", "prog.c", "-o", "prog.o"])
        #expect(r.status == 0, "\(r.errors.prefix(4000))")

        try tools.write("asserts.c", try BTFLayoutAsserts.source(for: btf, include: "vmlinux.h"))
        let layout = try tools.run("clang", ["-target", "bpf", "-fsyntax-only", "-ferror-limit=20", "asserts.c"])
        #expect(layout.status == 0, "\(layout.errors.prefix(4000))")
    }
}
