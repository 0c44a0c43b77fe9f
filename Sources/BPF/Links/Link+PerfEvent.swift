/// Attachments to perf events: the common path of tracepoints, probes and sampling events.
extension Link {
    /// Binds `program` to an open perf event (which the link then owns): a BPF perf link if the
    /// kernel has them (5.15+), else the legacy ioctl. The event is enabled either way.
    package static func attachPerfEvent(program: Program, perfEvent perf: consuming FileDescriptor, cookie: UInt64 = 0, label: String) throws(BPFError) -> Link {
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
            return Link(taking: link, perfEvent: perf, name: label).keeping(program)
        case let .failure(error):
            // Kernels before 5.15 reject BPF_PERF_EVENT links with EINVAL (unknown attach type).
            guard case let .syscall(_, e) = error, e == .EINVAL || e == .ENOTSUPP || e == .EOPNOTSUPP else { throw error }
            guard cookie == 0 else {
                throw .notSupported(feature: "BPF perf-event links (needed for a bpf_cookie)", reason: "BPF_LINK_CREATE(BPF_PERF_EVENT) failed with \(e); Linux 5.15 added them")
            }
            try PerfEvent.setBPF(perfFD: perfFD, programFD: program.fd, label: label)
            try PerfEvent.enable(perfFD: perfFD, label: label)
            return Link(legacyPerfEvent: perf, name: label).keeping(program)
        }
    }

    /// Attaches a `perf_event` program to a sampling event on every possible CPU (e.g. software
    /// cpu-clock: `type` 1, `config` 0) and returns one link per CPU. CPUs that are possible but
    /// offline (ENODEV) are skipped.
    package static func attachSampling(program: Program, type: UInt32, config: UInt64, frequency: UInt64 = 99) throws(BPFError) -> [Link] {
        var links: [Link] = []
        for cpu in try PossibleCPUs.list() {
            let perf: FileDescriptor
            do {
                perf = try PerfEvent.openSampling(type: type, config: config, frequency: frequency, cpu: Int32(cpu))
            } catch {
                if BPFCommands.isErrno(error, BPFErrno(rawValue: 19)) { continue }  // ENODEV: offline CPU
                throw error
            }
            links.append(try attachPerfEvent(program: program, perfEvent: perf, label: "perf event \(type):\(config) on cpu \(cpu)"))
        }
        return links
    }
}
