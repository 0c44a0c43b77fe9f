import BPF
import Testing

/// BPF_PROG_TEST_RUN with a context: syscall programs (the context comes back rewritten) and
/// raw_tp programs (the context is the argument array).
@Suite(.serialized, .enabled(if: isRoot, "loading BPF programs needs root"))
struct TestRunContextTests {
    /// `struct syscall_args` of testrun_ctx.bpf.c.
    struct SyscallArgs { var a: UInt32; var b: UInt32; var product: UInt64; var tag: UInt64 }

    func load() throws -> BPFObject {
        try BPFObject(ObjectSpec(bytes: EmbeddedObjects.testrunCtx.bytes, name: "testrun_ctx"))
    }

    @Test func syscallProgramRewritesItsContext() throws {
        let object = try load()
        let program = try object.program("testrun_syscall")
        #expect(program.type == .syscall)
        let (value, out) = try program.testRunSyscall(context: SyscallArgs(a: 6, b: 7, product: 0, tag: 0))
        #expect(value == 13)
        #expect(out.a == 6 && out.b == 7)
        #expect(out.product == 42)
        #expect(withUnsafeBytes(of: out.tag) { Array($0) } == Array("swiftbpf".utf8))

        var bytes = withUnsafeBytes(of: SyscallArgs(a: 100_000, b: 300_000, product: 0, tag: 0)) { Array($0) }
        #expect(try program.testRunSyscall(context: &bytes) == 400_000)
        #expect(bytes.withUnsafeBytes { $0.load(fromByteOffset: 8, as: UInt64.self) } == 30_000_000_000)
        #expect(try object.map("testrun_calls").lookup(key: UInt32(0), as: UInt64.self) == 2)

        // A context shorter than what the program touches is refused by the kernel.
        var short: [UInt8] = [1, 0, 0, 0]
        #expect { try program.testRunSyscall(context: &short) } throws: { isErrno($0, .EINVAL) }
    }

    @Test func rawTracepointProgramReadsItsArguments() throws {
        let object = try load()
        let program = try object.program("testrun_raw_tp")
        #expect(try program.testRunRawTracepoint(arguments: [1, 2, 3]) == 321)
        #expect(try program.testRunRawTracepoint(arguments: [7, 0, 5]) == 507)
        #expect(try program.testRunRawTracepoint(arguments: [4, 4, 4], cpu: 0) == 444)
        // Too few arguments for what the program reads, too many for any raw tracepoint.
        #expect { try program.testRunRawTracepoint(arguments: [1]) } throws: { isErrno($0, .EINVAL) }
        #expect { try program.testRunRawTracepoint(arguments: [UInt64](repeating: 0, count: 13)) } throws: { error in
            if case .invalidArgument = error as? BPFError { return true }
            return false
        }
        // The wrong kind of program is named.
        #expect { try object.program("testrun_syscall").testRunRawTracepoint(arguments: []) } throws: { error in
            if case .invalidArgument = error as? BPFError { return true }
            return false
        }
    }
}
