/// `BPF_PROG_TEST_RUN` for programs whose input is a context rather than a packet.
extension Program {
    /// Runs a `syscall` program (`SEC("syscall")`) once on `context`, the bytes its `ctx`
    /// pointer sees. The kernel copies the context back after the run, so what the program
    /// wrote to it is in `context` afterwards. Returns the program's return value.
    ///
    /// The context must be at least as large as the furthest offset the program accesses
    /// (EINVAL otherwise) and at most a page.
    public func testRunSyscall(context: inout [UInt8]) throws(BPFError) -> UInt32 {
        guard type == .syscall else {
            throw .invalidArgument("program '\(name)' is \(type), not a syscall program")
        }
        return try BPFCommands.progTestRunContext(fd: fd, context: &context, name: name)
    }

    /// Runs a `syscall` program with a typed context (a padding-free C-layout struct), and
    /// returns the return value and the context as the program left it.
    public func testRunSyscall<Context: BitwiseCopyable>(context: Context) throws(BPFError) -> (returnValue: UInt32, context: Context) {
        var bytes = withUnsafeBytes(of: context) { Array($0) }
        let r = try testRunSyscall(context: &bytes)
        return (r, bytes.withUnsafeBytes { $0.loadUnaligned(as: Context.self) })
    }

    /// Runs a `raw_tp` program once with `arguments` as its `ctx->args[]` (at most 12, the
    /// kernel's `MAX_BPF_FUNC_ARGS`), optionally on one CPU (`BPF_F_TEST_RUN_ON_CPU`). The
    /// kernel refuses `repeat` for raw tracepoints, so the program runs exactly once.
    public func testRunRawTracepoint(arguments: [UInt64], cpu: UInt32? = nil) throws(BPFError) -> UInt32 {
        guard type == .rawTracepoint || type == .rawTracepointWritable else {
            throw .invalidArgument("program '\(name)' is \(type), not a raw tracepoint program")
        }
        guard arguments.count <= 12 else {
            throw .invalidArgument("program '\(name)': \(arguments.count) raw tracepoint arguments, at most 12")
        }
        var bytes = arguments.flatMap { v in withUnsafeBytes(of: v) { Array($0) } }
        return try BPFCommands.progTestRunContext(fd: fd, context: &bytes, onCPU: cpu, name: name)
    }
}
