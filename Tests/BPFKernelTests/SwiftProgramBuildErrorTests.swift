import Foundation
import Testing

/// The BPFSwiftCompiler executable built next to the test bundle (`swift build --build-tests`).
enum SwiftBPFCompilerTool {
    static var path: String? {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("BPFSwiftCompiler").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    static var toolchain: String? {
        for dir in ["/opt/swift/usr/bin", "/usr/bin"] where FileManager.default.isExecutableFile(atPath: dir + "/swiftc") {
            return dir
        }
        return nil
    }

    static let skipReason: Comment = "needs the BPFSwiftCompiler executable next to the test bundle and a Swift toolchain with clang"

    /// Compiles `source` as `name.bpf.swift` in a fresh folder (removed afterwards); returns the
    /// exit status, standard error and whether an object was written.
    static func compile(_ source: String, name: String) throws -> (status: Int32, stderr: String, wroteObject: Bool) {
        let dir = NSTemporaryDirectory() + "swiftbpf-swiftprog-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = dir + "/\(name).bpf.swift"
        try source.write(toFile: input, atomically: true, encoding: .utf8)
        let r = try Command.run(path!, ["--swiftc", toolchain! + "/swiftc", "--clang", toolchain! + "/clang",
                                        "--input", input, "--object", dir + "/\(name).o", "--work-dir", dir + "/work"])
        return (r.status, r.stderr.replacingOccurrences(of: dir + "/", with: ""), FileManager.default.fileExists(atPath: dir + "/\(name).o"))
    }
}

/// Swift BPF programs that allocate, trap or overflow the stack fail to build with an error at
/// the line, and write no object.
@Suite("Swift BPF programs that cannot be BPF", .enabled(if: SwiftBPFCompilerTool.path != nil && SwiftBPFCompilerTool.toolchain != nil, SwiftBPFCompilerTool.skipReason))
struct SwiftProgramBuildErrorTests {
    @Test func allocationFailsTheBuildAtItsLine() throws {
        let r = try SwiftBPFCompilerTool.compile("""
        let license = License("GPL")
        final class Box { var value: UInt32 = 0 }
        var lastBox: Box? = nil

        @_cdecl("keeps_a_box") @section("xdp")
        public func keepsABox(_ context: UnsafeMutableRawPointer) -> Int32 {
            let box = Box()
            box.value = XDPContext(context).ingressInterfaceIndex
            lastBox = box
            return XDPAction.pass
        }
        """, name: "allocates")
        #expect(r.status != 0)
        #expect(!r.wroteObject)
        #expect(r.stderr.contains("allocates.bpf.swift:7:15: error: a BPF program cannot do this: it allocates memory (swift_allocObject)"), "\(r.stderr)")
    }

    @Test func trapFailsTheBuildAtItsLine() throws {
        let r = try SwiftBPFCompilerTool.compile("""
        let license = License("GPL")

        @_cdecl("traps") @section("xdp")
        public func traps(_ context: UnsafeMutableRawPointer) -> Int32 {
            let index = XDPContext(context).ingressInterfaceIndex
            precondition(index != 7, "seven")
            return XDPAction.pass
        }
        """, name: "traps")
        #expect(r.status != 0)
        #expect(!r.wroteObject)
        #expect(r.stderr.contains("traps.bpf.swift:6:5: error: this code may trap"), "\(r.stderr)")
    }

    @Test func largeStackFailsTheBuildWithAFix() throws {
        let r = try SwiftBPFCompilerTool.compile("""
        let counts = ArrayMap<UInt64>(maxEntries: 4)
        let license = License("GPL")

        @_cdecl("big_stack") @section("xdp")
        public func bigStack(_ context: UnsafeMutableRawPointer) -> Int32 {
            var big = InlineArray<128, UInt64>(repeating: 0)
            big[Int(XDPContext(context).ingressInterfaceIndex & 127)] = 1
            _ = bpf_map_update_elem(counts.definition, &big, &big, 0)
            return XDPAction.pass
        }
        """, name: "stack")
        #expect(r.status != 0)
        #expect(!r.wroteObject)
        #expect(r.stderr.contains("stack limit is exceeded") && r.stderr.contains("keep large values in a PerCPUArray map"), "\(r.stderr)")
    }

    /// A map declared anywhere but at top level is not a map: the build says how to declare one.
    @Test func mapDeclaredInsideAFunctionIsExplained() throws {
        let r = try SwiftBPFCompilerTool.compile("""
        let license = License("GPL")

        @_cdecl("nested") @section("xdp")
        public func nested(_ context: UnsafeMutableRawPointer) -> Int32 {
            let counts = ArrayMap<UInt64>(maxEntries: 4)
            counts.increment(1)
            return XDPAction.pass
        }
        """, name: "nested")
        #expect(r.status != 0)
        #expect(r.stderr.contains("nested.bpf.swift:5:33: error: 'init(maxEntries:)' is unavailable: declare maps at top level, on one line starting in column 1: let NAME = ArrayMap<V>(maxEntries: N)"), "\(r.stderr)")
    }

    @Test func swiftErrorsPointAtTheUsersFile() throws {
        let r = try SwiftBPFCompilerTool.compile("""
        let license = License("GPL")
        let counts = ArrayMap<UInt64>(maxEntries: 4)

        @_cdecl("typo") @section("xdp")
        public func typo(_ context: UnsafeMutableRawPointer) -> Int32 {
            counts.incremnt(1)
            return XDPAction.pass
        }
        """, name: "typo")
        #expect(r.status != 0)
        #expect(r.stderr.contains("typo.bpf.swift:6:12: error: value of type 'ArrayMap<UInt64>' has no member 'incremnt'"), "\(r.stderr)")
    }

    /// CO-RE reads declared in Swift are checked against the build's vmlinux.h: a member it
    /// lacks, a struct it lacks and a type of another size each fail at the declaration's line.
    @Test func kernelReadsVmlinuxLacksFailAtTheirLines() throws {
        let r = try SwiftBPFCompilerTool.compile("""
        let license = License("GPL")
        let parentTGID = KernelRead<UInt64>("task_struct", "real_parent->tgid")
        let nothing = KernelRead<UInt32>("task_struct", "real_parent->no_such_member")
        let elsewhere = KernelRead<UInt32>("no_such_struct", "pid")

        @_cdecl("reads") @section("tracepoint/sched/sched_process_exec")
        public func reads(_ context: UnsafeMutableRawPointer) -> Int32 {
            Int32(truncatingIfNeeded: parentTGID() &+ UInt64(nothing()) &+ UInt64(elsewhere(nil)))
        }
        """, name: "reads")
        #expect(r.status != 0)
        #expect(!r.wroteObject)
        #expect(r.stderr.contains(#"reads.bpf.swift:2:1: error: KernelRead<UInt64>("task_struct", "real_parent->tgid"): UInt64 has 8 bytes, but task_struct.real_parent->tgid in vmlinux.h has 4 bytes"#), "\(r.stderr)")
        #expect(r.stderr.contains(#"reads.bpf.swift:3:1: error: KernelRead<UInt32>("task_struct", "real_parent->no_such_member"): no member named 'no_such_member' in 'struct task_struct' (in the build's vmlinux.h)"#), "\(r.stderr)")
        #expect(r.stderr.contains(#"reads.bpf.swift:4:1: error: KernelRead<UInt32>("no_such_struct", "pid"): the build's vmlinux.h (BPFInclude) has no struct no_such_struct"#), "\(r.stderr)")
    }

    /// A bitfield has no size in bytes: refused with what to do instead.
    @Test func kernelReadOfABitfieldIsRefused() throws {
        let r = try SwiftBPFCompilerTool.compile("""
        let license = License("GPL")
        let inExecve = KernelRead<UInt32>("task_struct", "in_execve")

        @_cdecl("reads") @section("tracepoint/sched/sched_process_exec")
        public func reads(_ context: UnsafeMutableRawPointer) -> Int32 { Int32(truncatingIfNeeded: inExecve()) }
        """, name: "bitfield")
        #expect(r.status != 0)
        #expect(r.stderr.contains(#"bitfield.bpf.swift:2:1: error: KernelRead<UInt32>("task_struct", "in_execve"): task_struct.in_execve is a bitfield"#), "\(r.stderr)")
    }
}
