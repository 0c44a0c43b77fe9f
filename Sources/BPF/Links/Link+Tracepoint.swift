/// Tracepoint, raw tracepoint and BTF tracepoint attachments.
extension Link {
    /// Attaches a `tracepoint` program to `category:name` (e.g. `syscalls`, `sys_enter_getpid`):
    /// reads the tracepoint's id from tracefs, opens a `PERF_TYPE_TRACEPOINT` perf event
    /// (pid -1, cpu 0, sample_period 1), and binds the program to it with `BPF_LINK_CREATE`
    /// (`BPF_PERF_EVENT`), falling back to `PERF_EVENT_IOC_SET_BPF` on kernels without perf links.
    /// `cookie` is the value `bpf_get_attach_cookie` returns (perf links only).
    public static func attachTracepoint(program: Program, category: String, name: String, cookie: UInt64 = 0) throws(BPFError) -> Link {
        let label = "tracepoint \(category):\(name)"
        let id = try PerfEvent.tracepointID(category: category, name: name)
        let perf = try PerfEvent.openTracepoint(id: id, label: "\(category):\(name)")
        return try attachPerfEvent(program: program, perfEvent: perf, cookie: cookie, label: label)
    }

    /// Binds `program` to an open perf event (which the link then owns): a BPF perf link if the
    /// kernel has them (5.15+), else the legacy ioctl. The event is enabled either way.
    public static func attachPerfEvent(program: Program, perfEvent perf: consuming FileDescriptor, cookie: UInt64 = 0, label: String) throws(BPFError) -> Link {
        let perfFD = perf.rawValue
        let linkAttempt = Result { () throws(BPFError) in
            try BPFCommands.linkCreate(
                programFD: program.fd, targetFD: perfFD, attachType: .perfEvent, perfEventCookie: cookie,
                name: "\(program.name) on \(label)").release()
        }
        switch linkAttempt {
        case let .success(raw):
            let link = try FileDescriptor(taking: raw)
            try PerfEvent.enable(perfFD: perfFD, label: label)
            return Link(taking: link, perfEvent: perf, name: label)
        case let .failure(error):
            // Kernels before 5.15 reject BPF_PERF_EVENT links with EINVAL (unknown attach type).
            guard case let .syscall(_, e) = error, e == .EINVAL || e == .ENOTSUPP || e == .EOPNOTSUPP else { throw error }
            guard cookie == 0 else {
                throw .notSupported(feature: "BPF perf-event links (needed for a bpf_cookie)", reason: "BPF_LINK_CREATE(BPF_PERF_EVENT) failed with \(e); Linux 5.15 added them")
            }
            try PerfEvent.setBPF(perfFD: perfFD, programFD: program.fd, label: label)
            try PerfEvent.enable(perfFD: perfFD, label: label)
            return Link(legacyPerfEvent: perf, name: label)
        }
    }

    /// Attaches a `perf_event` program to a sampling event on every possible CPU (e.g. software
    /// cpu-clock: `type` 1, `config` 0) and returns one link per CPU. CPUs that are possible but
    /// offline (ENODEV) are skipped.
    public static func attachSampling(program: Program, type: UInt32, config: UInt64, frequency: UInt64 = 99) throws(BPFError) -> [Link] {
        var links: [Link] = []
        for cpu in try PossibleCPUs.list() {
            let perf: FileDescriptor
            do {
                perf = try PerfEvent.openSampling(type: type, config: config, frequency: frequency, cpu: Int32(cpu))
            } catch {
                if BPFCommands.isErrno(error, Errno(rawValue: 19)) { continue }  // ENODEV: offline CPU
                throw error
            }
            links.append(try attachPerfEvent(program: program, perfEvent: perf, label: "perf event \(type):\(config) on cpu \(cpu)"))
        }
        return links
    }

    /// Attaches a `raw_tracepoint` program to the raw tracepoint `name` (e.g. `sys_enter`) with
    /// `BPF_RAW_TRACEPOINT_OPEN`. ENOENT means no such tracepoint.
    public static func attachRawTracepoint(program: Program, name: String) throws(BPFError) -> Link {
        let label = "raw_tracepoint \(name)"
        do {
            let fd = try BPFCommands.rawTracepointOpen(programFD: program.fd, name: name, programName: program.name)
            return Link(taking: fd, name: label)
        } catch {
            if BPFCommands.isErrno(error, .ENOENT) { throw .missing("raw tracepoint '\(name)' (BPF_RAW_TRACEPOINT_OPEN(\(program.name)) returned ENOENT)") }
            throw error
        }
    }

    /// Attaches a tracing program to the target it was loaded for (its `attach_btf_id`): tp_btf
    /// (`BPF_TRACE_RAW_TP`), fentry/fexit/fmod_ret, lsm. Uses `BPF_RAW_TRACEPOINT_OPEN` with no
    /// name, which every kernel with these program types accepts.
    public static func attachTracing(program: Program, label: String? = nil) throws(BPFError) -> Link {
        let fd = try BPFCommands.rawTracepointOpen(programFD: program.fd, name: nil, programName: program.name)
        return Link(taking: fd, name: label ?? "tracing \(program.name)")
    }

    /// Attaches a tracing program with `BPF_LINK_CREATE` and an explicit attach type (e.g.
    /// `.traceRawTP` for tp_btf), the newer equivalent of `attachTracing(program:)`.
    public static func create(program: Program, targetFD: Int32 = 0, attachType: AttachType, flags: UInt32 = 0, targetBTFID: UInt32 = 0, label: String) throws(BPFError) -> Link {
        let fd = try BPFCommands.linkCreate(
            programFD: program.fd, targetFD: targetFD, attachType: attachType, flags: flags, targetBTFID: targetBTFID,
            name: "\(program.name) on \(label)")
        return Link(taking: fd, name: label)
    }
}

extension Program {
    /// `Link.attachTracepoint(program: self, category:name:)`.
    public func attachTracepoint(category: String, name: String, cookie: UInt64 = 0) throws(BPFError) -> Link {
        try Link.attachTracepoint(program: self, category: category, name: name, cookie: cookie)
    }

    /// `Link.attachRawTracepoint(program: self, name:)`.
    public func attachRawTracepoint(name: String) throws(BPFError) -> Link {
        try Link.attachRawTracepoint(program: self, name: name)
    }

    /// `Link.attachTracing(program: self)`: tp_btf, fentry/fexit, lsm.
    public func attachTracing() throws(BPFError) -> Link {
        try Link.attachTracing(program: self)
    }
}
