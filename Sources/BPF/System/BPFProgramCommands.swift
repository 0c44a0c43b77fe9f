import CBPF

/// The result of `BPF_PROG_TEST_RUN`.
public struct ProgramTestRunResult: Sendable {
    /// The program's return value (`retval`).
    public var returnValue: UInt32
    /// The mean run time in nanoseconds over `repeat` runs (`duration`).
    public var duration: UInt32
    /// The packet data after the run (`data_out`, truncated to the requested size).
    public var dataOut: [UInt8]
    /// The context after the run (`ctx_out`).
    public var contextOut: [UInt8]
}

extension BPFCommands {
    /// One `BPF_PROG_LOAD` attempt with the given log buffer (nil: no log, `log_level` 0).
    /// Returns the raw descriptor; `Program.load` adds the retry and log strategy.
    package static func progLoad(_ a: ProgramLoadAttributes, logLevel: UInt32, log: UnsafeMutableRawBufferPointer?) throws(BPFError) -> Int32 {
        let code = Instruction.encode(a.instructions)
        let funcInfo = a.funcInfo?.bytes ?? []
        let lineInfo = a.lineInfo?.bytes ?? []
        let fdArray = a.fdArray.flatMap { fd in withUnsafeBytes(of: fd) { Array($0) } }
        return try withBytes(code) { (insns) throws(BPFError) in
          try withBytes(fdArray) { (fds) throws(BPFError) in
            try withCString(a.license) { (license) throws(BPFError) in
                try withBytes(funcInfo) { (fi) throws(BPFError) in
                    try withBytes(lineInfo) { (li) throws(BPFError) in
                        var attr = bpf_attr()
                        attr.prog_type = a.type.rawValue
                        attr.insn_cnt = UInt32(a.instructions.count)
                        attr.insns = address(insns.baseAddress)
                        attr.license = address(license)
                        attr.kern_version = a.kernelVersion
                        attr.prog_flags = a.flags.rawValue
                        attr.expected_attach_type = a.expectedAttachType.rawValue
                        attr.prog_ifindex = a.ifindex
                        setObjectName(&attr.prog_name, a.name)
                        if let btf = a.btfFD { attr.prog_btf_fd = UInt32(bitPattern: btf) }
                        if let f = a.funcInfo, f.count > 0 {
                            attr.func_info = address(fi.baseAddress)
                            attr.func_info_rec_size = f.recordSize
                            attr.func_info_cnt = f.count
                        }
                        if let l = a.lineInfo, l.count > 0 {
                            attr.line_info = address(li.baseAddress)
                            attr.line_info_rec_size = l.recordSize
                            attr.line_info_cnt = l.count
                        }
                        attr.attach_btf_id = a.attachBTFID
                        if let fd = a.attachProgFD {
                            attr.attach_prog_fd = UInt32(bitPattern: fd)
                        } else if let fd = a.attachBTFObjFD {
                            attr.attach_btf_obj_fd = UInt32(bitPattern: fd)
                        }
                        if let log, logLevel > 0 {
                            attr.log_level = logLevel
                            attr.log_buf = address(log.baseAddress)
                            attr.log_size = UInt32(log.count)
                        }
                        if !a.fdArray.isEmpty { attr.fd_array = address(fds.baseAddress) }
                        return try Syscalls.bpf(BPF_PROG_LOAD, &attr, "BPF_PROG_LOAD(\(a.name))")
                    }
                }
            }
          }
        }
    }

    /// `BPF_PROG_TEST_RUN`: runs the program once or `repeat` times on `data` and `context`.
    /// `dataOutSize`/`contextOutSize` are the sizes of the output buffers (0: no output).
    package static func progTestRun(
        fd: Int32, data: [UInt8], dataOutSize: Int, context: [UInt8], contextOutSize: Int,
        repeat count: UInt32, flags: UInt32 = 0, cpu: UInt32 = 0, name: String
    ) throws(BPFError) -> ProgramTestRunResult {
        var dataOut = [UInt8](repeating: 0, count: dataOutSize)
        var ctxOut = [UInt8](repeating: 0, count: contextOutSize)
        var attr = bpf_attr()
        _ = try withBytes(data) { (din) throws(BPFError) in
            try withBytes(context) { (cin) throws(BPFError) in
                try dataOut.withUnsafeMutableBytes { dout in
                    ctxOut.withUnsafeMutableBytes { cout in
                        attr.test.prog_fd = UInt32(bitPattern: fd)
                        if !din.isEmpty {
                            attr.test.data_in = address(din.baseAddress)
                            attr.test.data_size_in = UInt32(din.count)
                        }
                        if !dout.isEmpty {
                            attr.test.data_out = address(dout.baseAddress)
                            attr.test.data_size_out = UInt32(dout.count)
                        }
                        if !cin.isEmpty {
                            attr.test.ctx_in = address(cin.baseAddress)
                            attr.test.ctx_size_in = UInt32(cin.count)
                        }
                        if !cout.isEmpty {
                            attr.test.ctx_out = address(cout.baseAddress)
                            attr.test.ctx_size_out = UInt32(cout.count)
                        }
                        attr.test.repeat = count
                        attr.test.flags = flags
                        attr.test.cpu = cpu
                        return Result { () throws(BPFError) in try Syscalls.bpf(BPF_PROG_TEST_RUN, &attr, "BPF_PROG_TEST_RUN(\(name))") }
                    }
                }.get()
            }
        }
        let outCount = min(Int(attr.test.data_size_out), dataOut.count)
        let ctxCount = min(Int(attr.test.ctx_size_out), ctxOut.count)
        return ProgramTestRunResult(
            returnValue: attr.test.retval, duration: attr.test.duration,
            dataOut: Array(dataOut.prefix(outCount)), contextOut: Array(ctxOut.prefix(ctxCount)))
    }
}
