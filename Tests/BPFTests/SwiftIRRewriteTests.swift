@testable import BPFSwiftIR
import Foundation
import Testing

/// The IR rewrite of Swift BPF programs (pure): a golden module, the refusals with their source
/// lines, and the pieces (names, attributes, map declarations, helper signatures).
@Suite("Swift BPF program compilation steps")
struct SwiftIRRewriteTests {
    /// A trimmed `swiftc -emit-ir` module of one XDP program that bumps a global: its entry
    /// thunk, the Swift body carrying the same section, a global addressor, runtime functions
    /// emitted `weak_odr`, `@llvm.used` naming functions, x86 attributes and Swift debug types.
    static let input = #"""
; ModuleID = 'program.ll'
source_filename = "program.ll"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-unknown-none-elf"

%Ts6UInt64V = type <{ i64 }>

@"$e10BPFProgram7packetss6UInt64Vvp" = protected global %Ts6UInt64V zeroinitializer, align 8, !dbg !0
@"$es16_emptyBoxStorageSi_Sitvp" = linkonce_odr protected global <{ i64, i64 }> zeroinitializer, align 8
@_swift1_autolink_entries = private constant [0 x i8] zeroinitializer, section ".swift1_autolink_entries", align 8
@llvm.used = appending global [3 x ptr] [ptr @"$e10BPFProgram7packetss6UInt64Vvau", ptr @_swift1_autolink_entries, ptr @_swift_exceptionPersonality], section "llvm.metadata"

define protected noundef i32 @count(ptr readonly %0) #0 section "xdp" !dbg !5 {
entry:
  %1 = tail call swiftcc i32 @"$e10BPFProgram5countys5Int32VSvF"(ptr swiftself %0) #1, !dbg !9
  ret i32 %1, !dbg !9
}

define protected swiftcc i32 @"$e10BPFProgram5countys5Int32VSvF"(ptr swiftself %0) #0 section "xdp" !dbg !10 {
entry:
  %1 = atomicrmw add ptr @"$e10BPFProgram7packetss6UInt64Vvp", i64 1 monotonic, align 8, !dbg !11
  ret i32 2, !dbg !11
}

define protected swiftcc noundef nonnull ptr @"$e10BPFProgram7packetss6UInt64Vvau"() #0 {
entry:
  ret ptr @"$e10BPFProgram7packetss6UInt64Vvp"
}

define weak_odr protected ptr @swift_allocObject(ptr %0, i64 %1, i64 %2) #0 {
entry:
  %3 = call i32 @posix_memalign(ptr null, i64 %1, i64 %2)
  ret ptr null
}

define weak_odr protected i32 @_swift_exceptionPersonality(i32 %0) #0 {
entry:
  ret i32 0
}

declare i32 @posix_memalign(ptr, i64, i64)

attributes #0 = { nounwind "frame-pointer"="all" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+sse" "tune-cpu"="generic" }
attributes #1 = { noinline }

!llvm.dbg.cu = !{!2}
!0 = !DIGlobalVariableExpression(var: !1, expr: !DIExpression())
!1 = distinct !DIGlobalVariable(name: "packets", linkageName: "$e10BPFProgram7packetss6UInt64Vvp", scope: !3, file: !4, line: 3, type: !8, isLocal: false, isDefinition: true)
!2 = distinct !DICompileUnit(language: DW_LANG_Swift, file: !4, producer: "Swift", isOptimized: true, runtimeVersion: 6, emissionKind: FullDebug)
!3 = !DIModule(scope: null, name: "BPFProgram")
!4 = !DIFile(filename: "/src/count.bpf.swift", directory: "/")
!5 = distinct !DISubprogram(name: "count", linkageName: "count", scope: !3, file: !4, type: !6, spFlags: DISPFlagDefinition | DISPFlagOptimized, unit: !2)
!6 = !DISubroutineType(types: !7)
!7 = !{!8}
!8 = !DICompositeType(tag: DW_TAG_structure_type, name: "Int32", scope: !3, flags: DIFlagFwdDecl, runtimeLang: DW_LANG_Swift, identifier: "$es5Int32VD")
!9 = !DILocation(line: 0, scope: !5)
!10 = distinct !DISubprogram(name: "count", linkageName: "$e10BPFProgram5countys5Int32VSvF", scope: !3, file: !4, line: 6, type: !6, scopeLine: 6, spFlags: DISPFlagDefinition | DISPFlagOptimized, unit: !2)
!11 = !DILocation(line: 7, column: 5, scope: !10)
"""#

    /// What clang -target bpf compiles: BPF layout and triple, no swiftcc/swiftself, everything
    /// internal but the program, `packets` named as in Swift, no `$`, `@llvm.used` gone, and a
    /// C signature with a named argument for the program's BTF FUNC.
    static let expected = #"""
; ModuleID = 'program.ll'
source_filename = "program.ll"
target datalayout = "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"
target triple = "bpf"

%Ts6UInt64V = type <{ i64 }>

@packets = global %Ts6UInt64V zeroinitializer, align 8, !dbg !0
@"_es16_emptyBoxStorageSi_Sitvp" = internal global <{ i64, i64 }> zeroinitializer, align 8
@_swift1_autolink_entries = private constant [0 x i8] zeroinitializer, section ".swift1_autolink_entries", align 8

define noundef i32 @count(ptr readonly %0) #0 section "xdp" !dbg !5 {
entry:
  %1 = tail call i32 @"_e10BPFProgram5countys5Int32VSvF"(ptr %0) #1, !dbg !9
  ret i32 %1, !dbg !9
}

define internal i32 @"_e10BPFProgram5countys5Int32VSvF"(ptr %0) #0 !dbg !10 {
entry:
  %1 = atomicrmw add ptr @packets, i64 1 monotonic, align 8, !dbg !11
  ret i32 2, !dbg !11
}

define internal noundef nonnull ptr @"_e10BPFProgram7packetss6UInt64Vvau"() #0 {
entry:
  ret ptr @packets
}

define internal ptr @swift_allocObject(ptr %0, i64 %1, i64 %2) #0 {
entry:
  %3 = call i32 @posix_memalign(ptr null, i64 %1, i64 %2)
  ret ptr null
}

define internal i32 @_swift_exceptionPersonality(i32 %0) #0 {
entry:
  ret i32 0
}

declare i32 @posix_memalign(ptr, i64, i64)

attributes #0 = { nounwind "frame-pointer"="all" }
attributes #1 = { nounwind }

!llvm.dbg.cu = !{!2}
!0 = !DIGlobalVariableExpression(var: !1, expr: !DIExpression())
!1 = distinct !DIGlobalVariable(name: "packets", linkageName: "packets", scope: !3, file: !4, line: 3, type: !8, isLocal: false, isDefinition: true)
!2 = distinct !DICompileUnit(language: DW_LANG_Swift, file: !4, producer: "Swift", isOptimized: true, runtimeVersion: 6, emissionKind: FullDebug)
!3 = !DIModule(scope: null, name: "BPFProgram")
!4 = !DIFile(filename: "/src/count.bpf.swift", directory: "/")
!5 = distinct !DISubprogram(name: "count", linkageName: "count", scope: !3, file: !4, type: !15, spFlags: DISPFlagDefinition | DISPFlagOptimized, unit: !2, retainedNodes: !17)
!6 = !DISubroutineType(types: !7)
!7 = !{!8}
!8 = !DIBasicType(name: "int", size: 32, encoding: DW_ATE_signed)
!9 = !DILocation(line: 0, scope: !5)
!10 = distinct !DISubprogram(name: "count", linkageName: "_e10BPFProgram5countys5Int32VSvF", scope: !3, file: !4, line: 6, type: !6, scopeLine: 6, spFlags: DISPFlagDefinition | DISPFlagOptimized, unit: !2)
!11 = !DILocation(line: 7, column: 5, scope: !10)
!12 = !DIBasicType(name: "int", size: 32, encoding: DW_ATE_signed)
!13 = !DIDerivedType(tag: DW_TAG_pointer_type, baseType: null, size: 64)
!14 = !{!12, !13}
!15 = !DISubroutineType(types: !14)
!16 = !DILocalVariable(name: "ctx", arg: 1, scope: !5, file: !4, type: !13)
!17 = !{!16}
"""#

    @Test func goldenModule() throws {
        let out = try BPFIRRewriter().rewrite(Self.input)
        #expect(out == Self.expected)
        // Deterministic: the rewrite of the rewrite's input is the same text every time.
        #expect(try BPFIRRewriter().rewrite(Self.input) == out)
    }

    /// A module whose program reaches `swift_allocObject`: refused, at the user's line.
    @Test func allocationIsRefusedAtItsSourceLine() {
        let allocating = Self.input.replacingFirst(
            "  %1 = atomicrmw add ptr @\"$e10BPFProgram7packetss6UInt64Vvp\", i64 1 monotonic, align 8, !dbg !11",
            with: "  %1 = call ptr @swift_allocObject(ptr null, i64 16, i64 7), !dbg !11")
        #expect(allocating != Self.input)
        #expect {
            try BPFIRRewriter().rewrite(allocating)
        } throws: { error in
            guard let rejected = error as? BPFProgramRejected, let d = rejected.diagnostics.first else { return false }
            return rejected.diagnostics.count == 1 && d.file == "/src/count.bpf.swift" && d.line == 7 && d.column == 5
                && d.description.hasPrefix("/src/count.bpf.swift:7:5: error: a BPF program cannot do this: it allocates memory (swift_allocObject)")
        }
    }

    /// A trap (`fatalError`, a failed precondition) is refused too, and so is a module with no
    /// program at all.
    @Test func trapsAndMissingProgramsAreRefused() {
        let trapping = Self.input.replacingFirst("  ret i32 2, !dbg !11", with: "  call void @llvm.trap(), !dbg !11\n  unreachable")
            .replacingFirst("declare i32 @posix_memalign", with: "declare void @llvm.trap()\ndeclare i32 @posix_memalign")
        #expect {
            try BPFIRRewriter().rewrite(trapping)
        } throws: { error in
            (error as? BPFProgramRejected)?.description.contains("/src/count.bpf.swift:7:5: error: this code may trap") == true
        }
        let noProgram = Self.input.replacingFirst(" section \"xdp\" !dbg !5", with: " !dbg !5")
        #expect {
            try BPFIRRewriter().rewrite(noProgram)
        } throws: { error in
            (error as? BPFProgramRejected)?.description.contains("no BPF program") == true
        }
    }

    @Test func topLevelGlobalsTakeTheirSwiftNames() {
        #expect(BPFIRRewriter.topLevelGlobalName("$e10BPFProgram7packetss6UInt64Vvp") == "packets")
        #expect(BPFIRRewriter.topLevelGlobalName("$e10BPFProgram5statsAA5StatsVvp") == "stats")
        // Not a stored top-level variable: an addressor, a static member, a runtime global.
        #expect(BPFIRRewriter.topLevelGlobalName("$e10BPFProgram7packetss6UInt64Vvau") == nil)
        #expect(BPFIRRewriter.topLevelGlobalName("$e10BPFProgram3FooV3barSivpZ") == nil)
        #expect(BPFIRRewriter.topLevelGlobalName("swift_allocObject") == nil)
        // The unused once-token of a statically initialised global (a struct of zeros) becomes
        // internal, so clang drops it; the global itself keeps its linkage.
        #expect(BPFIRRewriter.relinkGlobal(#"@"$e10BPFProgram9zero_hist_Wz" = protected local_unnamed_addr global i64 0, align 8"#)
                == #"@"$e10BPFProgram9zero_hist_Wz" = internal local_unnamed_addr global i64 0, align 8"#)
        #expect(BPFIRRewriter.relinkGlobal(#"@"$e10BPFProgram9zero_histAA08runqlat_C0Vvp" = protected global %T10BPFProgram12runqlat_histV zeroinitializer, align 8"#)
                == #"@"$e10BPFProgram9zero_histAA08runqlat_C0Vvp" = global %T10BPFProgram12runqlat_histV zeroinitializer, align 8"#)
    }

    /// The standard library's `UInt64` (a struct around a builtin in Swift's debug info) becomes
    /// C's `unsigned long long`, so a global's BTF reads as a C program's; a user's own struct
    /// of the same name keeps its shape.
    @Test func standardScalarsBecomeCBaseTypes() {
        #expect(SwiftScalarDebugTypes.replacement(for: #"!4 = !DICompositeType(tag: DW_TAG_structure_type, name: "UInt64", scope: !6, file: !5, size: 64, elements: !7, runtimeLang: DW_LANG_Swift, identifier: "$es6UInt64VD")"#)
                == #"!4 = !DIBasicType(name: "unsigned long long", size: 64, encoding: DW_ATE_unsigned)"#)
        #expect(SwiftScalarDebugTypes.replacement(for: #"!9 = !DICompositeType(tag: DW_TAG_structure_type, name: "Bool", scope: !6, size: 8, identifier: "$es4BoolVD")"#)
                == #"!9 = !DIBasicType(name: "_Bool", size: 8, encoding: DW_ATE_boolean)"#)
        #expect(SwiftScalarDebugTypes.replacement(for: #"!4 = !DICompositeType(tag: DW_TAG_structure_type, name: "UInt64", scope: !6, size: 64, identifier: "$e10BPFProgram6UInt64VD")"#) == nil)
        #expect(SwiftScalarDebugTypes.replacement(for: #"!4 = !DICompositeType(tag: DW_TAG_structure_type, name: "Stats", scope: !6, size: 64, identifier: "$e10BPFProgram5StatsVD")"#) == nil)
    }

    @Test func attributesAndConventions() {
        #expect(BPFIRRewriter.dropTargetAttributes(#"attributes #3 = { noinline sspreq "target-cpu"="x86-64" "frame-pointer"="all" }"#)
                == #"attributes #3 = { "frame-pointer"="all" }"#)
        #expect(BPFIRRewriter.dropTargetAttributes("attributes #1 = { noinline }") == "attributes #1 = { nounwind }")
        #expect(BPFIRRewriter.dropSwiftConvention("  %r = call swiftcc i64 @f(ptr swiftself %0, ptr swifterror %e)")
                == "  %r = call i64 @f(ptr %0, ptr %e)")
        #expect(BPFIRRewriter.relink(#"define weak_odr protected void @swift_once(ptr %0) #0 comdat section "x" {"#, entry: false)
                == "define internal void @swift_once(ptr %0) #0 {")
    }

    /// Map declarations become a C stub with libbpf's BTF map encoding, and their lines a
    /// same-line Swift replacement, so diagnostics keep their line numbers.
    @Test func mapDeclarationsBecomeACStub() throws {
        let source = """
        struct FlowKey {
            var address: UInt32
            var port: UInt16
            var proto: UInt8
            var pad: UInt8
        }
        let flows = HashMap<FlowKey, UInt64>(maxEntries: 1024)
        let events = RingBuffer<FlowKey>(bytes: 256 * 1024)
        let license = License("Dual BSD/GPL")
        let pending = HashMap<UInt32, FlowKey>(maxEntries: 64, preallocated: false)
        let cgroups = CgroupArray(maxEntries: 1)
        """
        let d = try BPFProgramDeclarations(source: source, file: "/src/flows.bpf.swift")
        #expect(d.maps.map(\.name) == ["flows", "events", "pending", "cgroups"])
        #expect(d.ringBufferRecords == ["events": "FlowKey"])
        // The bindings' compile adds a global of the record, so its layout is in the BTF.
        #expect(d.recordStub == d.cStub + "struct FlowKey __swiftbpf_record_0;\n")
        #expect(d.license == "Dual BSD/GPL")
        #expect(d.swiftSource.split(separator: "\n", omittingEmptySubsequences: false).count == 11)
        #expect(d.swiftSource.contains(#"@_extern(c, "flows") nonisolated(unsafe) var _swiftbpf_map_flows: UInt8; var flows: HashMap<FlowKey, UInt64> { HashMap<FlowKey, UInt64>(_definition: &_swiftbpf_map_flows) }"#))
        #expect(d.cStub == """
        /* Generated by BPFSwiftCompiler from flows.bpf.swift: map definitions and license. */
        struct FlowKey {
            unsigned int address;
            unsigned short port;
            unsigned char proto;
            unsigned char pad;
        };
        struct {
            int (*type)[1];
            int (*max_entries)[1024];
            struct FlowKey *key;
            unsigned long long *value;
        } flows __attribute__((section(".maps")));
        struct {
            int (*type)[27];
            int (*max_entries)[262144];
        } events __attribute__((section(".maps")));
        struct {
            int (*type)[1];
            int (*max_entries)[64];
            unsigned int *key;
            struct FlowKey *value;
            int (*map_flags)[1];
        } pending __attribute__((section(".maps")));
        struct {
            int (*type)[8];
            int (*max_entries)[1];
            unsigned int *key;
            unsigned int *value;
        } cgroups __attribute__((section(".maps")));
        char _license[] __attribute__((section("license"))) = "Dual BSD/GPL";

        """)
    }

    /// `LRUHash<K, V>` is a `BPF_MAP_TYPE_LRU_HASH` (9) with the same operations as `HashMap`.
    @Test func lruHashMapsHaveTheirType() throws {
        let d = try BPFProgramDeclarations(source: "let start = LRUHash<UInt32, UInt64>(maxEntries: 10240)  // thread id -> time\nlet license = License(\"GPL\")", file: "l.bpf.swift")
        #expect(d.maps == [.init(name: "start", kind: "LRUHash", typeArguments: ["UInt32", "UInt64"], size: 10240, line: 1)])
        #expect(d.swiftSource.hasPrefix(#"@_extern(c, "start") nonisolated(unsafe) var _swiftbpf_map_start: UInt8; var start: LRUHash<UInt32, UInt64> { LRUHash<UInt32, UInt64>(_definition: &_swiftbpf_map_start) }"#))
        #expect(d.cStub.contains("""
        struct {
            int (*type)[9];
            int (*max_entries)[10240];
            unsigned int *key;
            unsigned long long *value;
        } start __attribute__((section(".maps")));
        """))
    }

    /// A load-time constant becomes a `const volatile` C global and a Swift property, and the
    /// rewrite makes its loads volatile (so the default is not folded).
    @Test func loadTimeConstants() throws {
        let d = try BPFProgramDeclarations(source: "let port = LoadTimeConstant<UInt16>(0x1F90)\nlet license = License(\"GPL\")", file: "c.bpf.swift")
        #expect(d.constants == [.init(name: "port", type: "unsigned short", value: 8080, line: 1)])
        #expect(d.cStub.contains("volatile const unsigned short port = 8080;\n"))
        #expect(d.swiftSource.hasPrefix(#"@_extern(c, "port") nonisolated(unsafe) var _swiftbpf_const_port: UInt16; var port: UInt16 { _swiftbpf_const_port }"#))
        #expect(BPFIRRewriter.makeLoadsVolatile("  %3 = load i16, ptr @port, align 2, !dbg !9", of: ["port"])
                == "  %3 = load volatile i16, ptr @port, align 2, !dbg !9")
        #expect(BPFIRRewriter.makeLoadsVolatile("  %3 = load i16, ptr @portable, align 2", of: ["port"]) == "  %3 = load i16, ptr @portable, align 2")
        // A LoadTimeString's bytes: loads through pointers computed from it, and through a
        // constant getelementptr, are volatile too; other loads in the function are not.
        var derived: Set<String> = []
        #expect(BPFIRRewriter.makeLoadsVolatile("  %7 = getelementptr inbounds i8, ptr @name, i64 %6", of: ["name"], derived: &derived)
                == "  %7 = getelementptr inbounds i8, ptr @name, i64 %6")
        #expect(derived == ["%7"])
        #expect(BPFIRRewriter.makeLoadsVolatile("  %8 = load i8, ptr %7, align 1, !dbg !40", of: ["name"], derived: &derived)
                == "  %8 = load volatile i8, ptr %7, align 1, !dbg !40")
        #expect(BPFIRRewriter.makeLoadsVolatile("  %9 = load i8, ptr %70, align 1", of: ["name"], derived: &derived)
                == "  %9 = load i8, ptr %70, align 1")
        #expect(BPFIRRewriter.makeLoadsVolatile("  %4 = load i8, ptr getelementptr inbounds (i8, ptr @name, i64 3), align 1", of: ["name"], derived: &derived)
                == "  %4 = load volatile i8, ptr getelementptr inbounds (i8, ptr @name, i64 3), align 1")
        let strings = try BPFProgramDeclarations(source: "let name = LoadTimeString(bytes: 16)\nlet license = License(\"GPL\")", file: "s.bpf.swift")
        #expect(strings.cStub.contains("volatile const char name[16] = {};\n"))
        #expect(strings.swiftSource.hasPrefix(#"@_extern(c, "name") nonisolated(unsafe) var _swiftbpf_const_name: CChar; var name: LoadTimeString { LoadTimeString(_base: &_swiftbpf_const_name, count: 16) }"#))
        #expect {
            try BPFProgramDeclarations(source: "let s = LoadTimeConstant<String>(0)\nlet license = License(\"GPL\")", file: "c.bpf.swift")
        } throws: { ($0 as? BPFProgramRejected)?.description == "c.bpf.swift:1:1: error: LoadTimeConstant holds an integer type or Bool, not String" }
    }

    /// A value whose Swift size is not a multiple of its alignment, a type with no C twin, and
    /// a missing license are refused at their lines.
    @Test func badDeclarationsAreRefused() {
        let source = """
        struct Unpadded { var a: UInt64; var b: UInt32 }
        struct Padded {
            var a: UInt64
            var b: UInt32
        }
        let bad = ArrayMap<Padded>(maxEntries: 4)
        let worse = HashMap<String, UInt64>(maxEntries: 4)
        let ring = RingBuffer<UInt64>(bytes: 4096)
        """
        #expect {
            try BPFProgramDeclarations(source: source, file: "p.bpf.swift")
        } throws: { error in
            let text = (error as? BPFProgramRejected)?.description ?? ""
            return text.contains("p.bpf.swift:6:1: error: struct Padded is 12 bytes with 8-byte alignment")
                && text.contains("p.bpf.swift:7:1: error: String cannot be a map key or value")
                && text.contains("p.bpf.swift:8:1: error: a ring buffer's record must be a struct declared in this file, not UInt64")
                && text.contains("p.bpf.swift: error: no license")
        }
    }

    /// Tracepoint records from a format file: integers by size and sign, `__data_loc` strings
    /// and arrays as addresses in the record, common fields left out.
    @Test func tracepointRecordsFromFormatFiles() {
        let format = """
        name: sched_process_exec
        ID: 365
        format:
        \tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
        \tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

        \tfield:__data_loc char[] filename;\toffset:8;\tsize:4;\tsigned:0;
        \tfield:pid_t old_pid;\toffset:16;\tsize:4;\tsigned:1;
        \tfield:char comm[16];\toffset:20;\tsize:16;\tsigned:0;
        \tfield:const char * name;\toffset:40;\tsize:8;\tsigned:0;

        print fmt: "filename=%s"
        """
        let fields = TracepointRecordGenerator.fields(format: format)
        #expect(fields.map(\.name) == ["filename", "old_pid", "comm", "name"])
        let source = TracepointRecordGenerator.swiftType(category: "sched", name: "sched_process_exec", format: format, kernel: "Linux 6.18")
        #expect(source.contains("public struct SchedProcessExecRecord {"))
        #expect(source.contains("public var filename: UnsafeRawPointer { UnsafeRawPointer(raw + Int(raw.load(fromByteOffset: 8, as: UInt32.self) & 0xffff)) }"))
        #expect(source.contains("public var oldPid: Int32 { raw.load(fromByteOffset: 16, as: Int32.self) }"))
        #expect(source.contains("public var comm: UnsafeRawPointer { UnsafeRawPointer(raw + 20) }"))
        #expect(source.contains("public var name: UInt64 { raw.load(fromByteOffset: 40, as: UInt64.self) }"))
        #expect(!source.contains("common"))
    }

    @Test func helperSignaturesFromTheHelperDefinitions() {
        let header = """
        static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *) 1;
        static __u64 (*bpf_ktime_get_ns)(void) = (void *) 5;
        static long (*bpf_trace_printk)(const char *fmt, __u32 fmt_size, ...) = (void *) 6;
        static long (*bpf_skb_store_bytes)(struct __sk_buff *skb, __u32 offset, const void *from, __u32 len, __u64 flags) = (void *) 9;
        """
        let (helpers, skipped) = BPFHelperSignatures.parse(header: header)
        #expect(helpers.map(\.name) == ["bpf_map_lookup_elem", "bpf_ktime_get_ns", "bpf_skb_store_bytes"])
        #expect(skipped == ["bpf_trace_printk"])
        #expect(helpers[0].returnType == "UnsafeMutableRawPointer?")
        #expect(helpers[0].parameters.map(\.type) == ["UnsafeMutableRawPointer?", "UnsafeRawPointer?"])
        #expect(helpers[2].parameters.map(\.type) == ["UnsafeMutableRawPointer?", "UInt32", "UnsafeRawPointer?", "UInt32", "UInt64"])
        let source = BPFHelperSignatures.swiftSource(helpers, skipped: skipped, from: "bpf_helper_defs.h")
        #expect(source.contains("""
        public func bpf_ktime_get_ns() -> UInt64 {
            typealias Helper = @convention(c) () -> UInt64
            return unsafeBitCast(5 as UInt, to: Helper.self)()
        }
        """))
    }
}

private extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let r = range(of: target) else { return self }
        return replacingCharacters(in: r, with: replacement)
    }
}
