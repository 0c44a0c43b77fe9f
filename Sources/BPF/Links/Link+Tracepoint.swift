/// Tracepoint, raw tracepoint and tracing (tp_btf, fentry...) attachments.
extension Link {
    /// Attaches a `tracepoint` program to `category:name` (e.g. `syscalls`, `sys_enter_getpid`):
    /// reads the tracepoint's id from tracefs, opens a `PERF_TYPE_TRACEPOINT` perf event
    /// (pid -1, cpu 0, sample_period 1), and binds the program to it with `BPF_LINK_CREATE`
    /// (`BPF_PERF_EVENT`), falling back to `PERF_EVENT_IOC_SET_BPF` on kernels without perf links.
    /// `cookie` is the value `bpf_get_attach_cookie` returns (perf links only).
    package static func attachTracepoint(program: Program, category: String, name: String, cookie: UInt64 = 0) throws(BPFError) -> Link {
        let label = "tracepoint \(category):\(name)"
        let id = try PerfEvent.tracepointID(category: category, name: name)
        let perf = try PerfEvent.openTracepoint(id: id, label: "\(category):\(name)")
        return try attachPerfEvent(program: program, perfEvent: perf, cookie: cookie, label: label)
    }

    /// Attaches a `raw_tracepoint` program to the raw tracepoint `name` (e.g. `sys_enter`) with
    /// `BPF_RAW_TRACEPOINT_OPEN`. ENOENT means no such tracepoint.
    package static func attachRawTracepoint(program: Program, name: String) throws(BPFError) -> Link {
        let label = "raw_tracepoint \(name)"
        do {
            let fd = try BPFCommands.rawTracepointOpen(programFD: program.fd, name: name, programName: program.name)
            return Link(taking: fd, name: label).keeping(program)
        } catch {
            if BPFCommands.isErrno(error, .ENOENT) { throw .missing("raw tracepoint '\(name)' (BPF_RAW_TRACEPOINT_OPEN(\(program.name)) returned ENOENT)") }
            throw error
        }
    }

    /// Attaches a tracing program to the target it was loaded for (its `attach_btf_id`): tp_btf
    /// (`BPF_TRACE_RAW_TP`), fentry/fexit/fmod_ret, lsm. Uses `BPF_RAW_TRACEPOINT_OPEN` with no
    /// name, which every kernel with these program types accepts.
    package static func attachTracing(program: Program, label: String? = nil) throws(BPFError) -> Link {
        let fd = try BPFCommands.rawTracepointOpen(programFD: program.fd, name: nil, programName: program.name)
        return Link(taking: fd, name: label ?? "tracing \(program.name)").keeping(program)
    }

    /// Attaches a tracing program with `BPF_LINK_CREATE` and an explicit attach type (e.g.
    /// `.traceRawTP` for tp_btf), the newer equivalent of `attachTracing(program:)`.
    package static func create(program: Program, targetFD: Int32 = 0, attachType: AttachType, flags: UInt32 = 0, targetBTFID: UInt32 = 0, label: String) throws(BPFError) -> Link {
        let fd = try BPFCommands.linkCreate(
            programFD: program.fd, targetFD: targetFD, attachType: attachType, flags: flags, targetBTFID: targetBTFID,
            name: "\(program.name) on \(label)")
        return Link(taking: fd, name: label).keeping(program)
    }
}

extension Program {
    /// `Link.attachTracepoint(program: self, category:name:)`.
    package func attachTracepoint(category: String, name: String, cookie: UInt64 = 0) throws(BPFError) -> Link {
        try Link.attachTracepoint(program: self, category: category, name: name, cookie: cookie)
    }

    /// `Link.attachRawTracepoint(program: self, name:)`.
    package func attachRawTracepoint(name: String) throws(BPFError) -> Link {
        try Link.attachRawTracepoint(program: self, name: name)
    }

    /// `Link.attachTracing(program: self)`: tp_btf, fentry/fexit, lsm.
    package func attachTracing() throws(BPFError) -> Link {
        try Link.attachTracing(program: self)
    }
}
