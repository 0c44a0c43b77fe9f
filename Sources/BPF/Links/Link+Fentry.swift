/// fentry, fexit, fmod_ret and LSM attachments through `BPF_LINK_CREATE`.
extension Link {
    /// Attaches a tracing program (fentry, fexit, fmod_ret, tp_btf) or an LSM program to the
    /// kernel function or hook it was loaded for (its `attach_btf_id`), as libbpf's
    /// `bpf_program__attach_trace` and `bpf_program__attach_lsm` do: `BPF_LINK_CREATE` with
    /// `attachType`, the program's expected attach type (`BPF_TRACE_FENTRY`,
    /// `BPF_TRACE_FEXIT`, `BPF_MODIFY_RETURN`, `BPF_LSM_MAC`, `BPF_TRACE_RAW_TP`). Kernels that
    /// have these programs but cannot create their links with `BPF_LINK_CREATE` answer EINVAL;
    /// they get `BPF_RAW_TRACEPOINT_OPEN` without a name instead (as libbpf falls back), unless
    /// a `cookie` is asked for (tracing cookies came in Linux 6.0).
    ///
    /// An LSM program runs on every call of its hook from now on; a non-zero return (e.g.
    /// `-EPERM`) denies the operation until the link closes.
    package static func attachTracing(program: Program, attachType: AttachType, cookie: UInt64 = 0) throws(BPFError) -> Link {
        let label = "\(Self.tracingKind(attachType)) \(program.name)"
        do {
            let fd = try BPFCommands.linkCreateTracing(programFD: program.fd, attachType: attachType, cookie: cookie, name: label)
            return Link(taking: fd, name: label).keeping(program)
        } catch {
            guard case let .syscall(_, e) = error, e == .EINVAL, cookie == 0 else {
                if case let .syscall(_, e) = error, e == .EINVAL {
                    throw .notSupported(feature: "BPF cookies on tracing links", reason: "BPF_LINK_CREATE(\(label)) with a cookie failed with EINVAL; Linux 6.0 added them")
                }
                throw error
            }
            let fd = try BPFCommands.rawTracepointOpen(programFD: program.fd, name: nil, programName: program.name)
            return Link(taking: fd, name: label).keeping(program)
        }
    }

    static func tracingKind(_ type: AttachType) -> String {
        switch type {
        case .traceFentry: return "fentry"
        case .traceFexit: return "fexit"
        case .modifyReturn: return "fmod_ret"
        case .lsmMAC: return "lsm"
        case .traceRawTP: return "tp_btf"
        default: return "tracing(\(type))"
        }
    }
}

extension Program {
    /// `Link.attachTracing(program: self, attachType:cookie:)`: fentry, fexit, fmod_ret, lsm
    /// through `BPF_LINK_CREATE`.
    package func attachTracing(attachType: AttachType, cookie: UInt64 = 0) throws(BPFError) -> Link {
        try Link.attachTracing(program: self, attachType: attachType, cookie: cookie)
    }
}
