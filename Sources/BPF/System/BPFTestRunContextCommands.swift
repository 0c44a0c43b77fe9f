import CBPF

extension BPFCommands {
    /// `BPF_PROG_TEST_RUN` for program types that take only a context and run once: `syscall`
    /// programs (the kernel copies the context back into `ctx_in`, so `context` is updated in
    /// place) and `raw_tracepoint` programs (the context is the u64 argument array; nothing is
    /// copied back). Both refuse `data_in`, `data_out`, `ctx_out`, `repeat` and `duration`
    /// (EINVAL); raw_tp accepts `BPF_F_TEST_RUN_ON_CPU` with `cpu`. Returns `retval`.
    package static func progTestRunContext(
        fd: Int32, context: inout [UInt8], onCPU cpu: UInt32? = nil, name: String
    ) throws(BPFError) -> UInt32 {
        var attr = bpf_attr()
        try context.withUnsafeMutableBytes { ctx in
            Result { () throws(BPFError) in
                attr.test.prog_fd = UInt32(bitPattern: fd)
                if !ctx.isEmpty {
                    attr.test.ctx_in = address(ctx.baseAddress)
                    attr.test.ctx_size_in = UInt32(ctx.count)
                }
                if let cpu {
                    attr.test.flags = UInt32(BPF_F_TEST_RUN_ON_CPU)
                    attr.test.cpu = cpu
                }
                _ = try Syscalls.bpf(BPF_PROG_TEST_RUN, &attr, "BPF_PROG_TEST_RUN(\(name))")
            }
        }.get()
        return attr.test.retval
    }
}
