import Synchronization

extension Features {
    static let statusCache = Mutex<[KernelFeature: FeatureStatus]>([:])

    /// Probes `feature` once per process and returns the cached answer afterwards: supported,
    /// or unsupported with the reason found (a missing sysfs/tracefs/securityfs file, the
    /// errno and verifier message of a failed load, the errno of a failed attach). Probes that
    /// attach (kprobe, fentry, fexit, lsm, tp_btf) attach a `return 0` program for a moment and
    /// detach it at once: "supported" means a program of the kind really attached here.
    public static func probe(_ feature: KernelFeature) -> FeatureStatus {
        if let known = statusCache.locked({ $0[feature] }) { return known }
        let answer = run(feature)
        statusCache.locked { $0[feature] = answer }
        return answer
    }

    /// Every feature's status, in `KernelFeature.allCases` order.
    public static func probeAll() -> [(feature: KernelFeature, status: FeatureStatus)] {
        KernelFeature.allCases.map { ($0, probe($0)) }
    }

    static func run(_ feature: KernelFeature) -> FeatureStatus {
        switch feature {
        case .kernelBTF:
            return hasKernelBTF ? .supported : .unsupported(reason: "CONFIG_DEBUG_INFO_BTF is off: \(BTF.kernelPath) is missing")
        case .tracefs:
            return PerfEvent.tracefsRoot() != nil ? .supported
                : .unsupported(reason: "tracefs is not mounted at /sys/kernel/tracing or /sys/kernel/debug/tracing (mount -t tracefs tracefs /sys/kernel/tracing)")
        case .kprobe: return probeKprobe(retprobe: false)
        case .kretprobe: return probeKprobe(retprobe: true)
        case .kprobeTracefs: return probeKprobeTracefs()
        case .syscallWrapper:
            guard let prefix = KprobeTarget.syscallPrefix else { return .unsupported(reason: "this architecture has no syscall wrappers") }
            if KernelExternFacts.hasSyscallWrapper { return .supported }
            let kprobe = probe(.kprobe)
            return .unsupported(reason: kprobe.isSupported ? "no kprobe on __\(prefix)_sys_bpf through the kprobe PMU (the kernel has no syscall wrappers)" : kprobe.reason!)
        case .uprobe:
            let dir = "/sys/bus/event_source/devices/uprobe"
            return Syscalls.exists(dir) ? .supported : .unsupported(reason: "CONFIG_UPROBE_EVENTS is off: \(dir) is missing")
        case .uprobeMulti: return probeUprobeMulti()
        case .fentry: return probeTracing(.traceFentry)
        case .fexit: return probeTracing(.traceFexit)
        case .lsm: return probeLSM()
        case .tpBTF: return probeTracing(.traceRawTP)
        case .ringbuf:
            return probeMap(.ringBuf, addedIn: "5.8")
        case .bpfCookie:
            return KernelExternFacts.hasBPFCookie ? .supported
                : .unsupported(reason: "a kprobe program calling bpf_get_attach_cookie does not load (Linux 5.15 added it)")
        case .perfLink:
            return bpfLinkForPerfEvents ? .supported
                : .unsupported(reason: "BPF_LINK_CREATE with BPF_PERF_EVENT answers EINVAL (Linux 5.15 added perf links; PERF_EVENT_IOC_SET_BPF is used instead)")
        case .tcx: return probeTCX()
        }
    }

    // MARK: kprobes

    /// Kernel functions a probe may attach to for a moment, tried in order.
    static let probeFunctions = ["vfs_read", "ksys_read", "do_sys_openat2"]

    static func probeKprobe(retprobe: Bool) -> FeatureStatus {
        let kind = retprobe ? "kretprobe" : "kprobe"
        let pmu = KprobeTarget.pmuDirectory
        if !Syscalls.exists(pmu) {
            if let reason = KprobeTarget.unavailableReason() { return .unsupported(reason: reason) }
            return attachProbe(kind: kind, retprobe: retprobe, mechanism: .tracefs)
        }
        if retprobe, !Syscalls.exists(pmu + "/format/retprobe") {
            return .unsupported(reason: "the kprobe PMU has no retprobe format (\(pmu)/format/retprobe missing)")
        }
        return attachProbe(kind: kind, retprobe: retprobe, mechanism: .perfPMU)
    }

    /// Loads a `return 0` kprobe program and attaches it to the first probe function that
    /// takes a probe, then detaches.
    static func attachProbe(kind: String, retprobe: Bool, mechanism: KprobeMechanism) -> FeatureStatus {
        let program: Program
        do {
            program = try Program.load(trivialProgram(.kprobe))
        } catch {
            return .unsupported(reason: "BPF_PROG_LOAD of a kprobe program fails: \(error)")
        }
        var failures: [String] = []
        for function in probeFunctions {
            do {
                let link = try Link.attachKprobe(program: program, function: function, retprobe: retprobe, mechanism: mechanism)
                link.close()
                return .supported
            } catch {
                failures.append("\(function): \(error)")
            }
        }
        return .unsupported(reason: "no \(kind) attaches through the \(mechanism): " + failures.joined(separator: "; "))
    }

    static func probeKprobeTracefs() -> FeatureStatus {
        guard let root = PerfEvent.tracefsRoot() else {
            return .unsupported(reason: "tracefs is not mounted (mount -t tracefs tracefs /sys/kernel/tracing)")
        }
        guard Syscalls.exists(root + "/kprobe_events") else {
            return .unsupported(reason: "CONFIG_KPROBE_EVENTS is off: \(root)/kprobe_events is missing")
        }
        do {
            let event = try TracefsKprobeEvent.add(function: probeFunctions[0], offset: 0, retprobe: false)
            event.remove()
            return .supported
        } catch {
            return .unsupported(reason: "adding a kprobe to \(root)/kprobe_events fails: \(error)")
        }
    }

    // MARK: tracing and LSM

    /// The kernel-function target of the fentry/fexit probes, and its BTF id.
    static func tracingTarget(_ attach: AttachType) -> Result<(name: String, id: UInt32), FeatureStatusError> {
        let btf: BTF
        do {
            btf = try BTF.kernel()
        } catch {
            return .failure(FeatureStatusError(reason: "kernel BTF is needed to name the target and cannot be read: \(error)"))
        }
        let (name, kind): (String, BTFKind)
        switch attach {
        case .traceRawTP: (name, kind) = ("btf_trace_sched_switch", .typedef)
        case .lsmMAC: (name, kind) = ("bpf_lsm_file_open", .func)
        default: (name, kind) = ("vfs_read", .func)
        }
        guard let id = btf.typeID(named: name, kind: kind) else {
            if attach == .lsmMAC { return .failure(FeatureStatusError(reason: "CONFIG_BPF_LSM is off: kernel BTF has no bpf_lsm_file_open")) }
            return .failure(FeatureStatusError(reason: "kernel BTF has no \(kind) '\(name)' to attach to"))
        }
        return .success((name, id))
    }

    struct FeatureStatusError: Error { var reason: String }

    /// Loads a `return 0` tracing (or LSM) program against its target and attaches it for a
    /// moment through `BPF_LINK_CREATE`.
    static func probeTracing(_ attach: AttachType, programType: ProgramType = .tracing) -> FeatureStatus {
        let kind = Link.tracingKind(attach)
        let target: (name: String, id: UInt32)
        switch tracingTarget(attach) {
        case let .success(t): target = t
        case let .failure(f): return .unsupported(reason: f.reason)
        }
        var attrs = trivialProgram(programType, attach: attach)
        attrs.attachBTFID = target.id
        let program: Program
        do {
            program = try Program.load(attrs)
        } catch {
            return .unsupported(reason: loadFailureReason(kind: kind, target: target.name, error))
        }
        do {
            let link = try Link.attachTracing(program: program, attachType: attach)
            link.close()
            return .supported
        } catch {
            return .unsupported(reason: "a \(kind) program on \(target.name) loads, but attaching it fails: \(error)")
        }
    }

    static func loadFailureReason(kind: String, target: String, _ error: BPFError) -> String {
        let programKind = kind == "lsm" ? "an LSM" : "a tracing"
        switch error {
        case let .verifier(_, errno, log, _):
            var text = "BPF_PROG_LOAD of \(programKind) program (\(kind) on \(target)) returns \(errno)"
            if errno == .EPERM {
                text += " (this kernel refuses \(kind == "lsm" ? "LSM" : "tracing") programs even to root"
                if let lockdown = lockdownMode() { text += "; lockdown is '\(lockdown)'" }
                text += ")"
            }
            let lastLine = log.split(separator: "\n").last.map(String.init) ?? ""
            if !lastLine.isEmpty { text += "; verifier: \(lastLine)" }
            return text
        default:
            return "BPF_PROG_LOAD of \(programKind) program (\(kind) on \(target)) fails: \(error)"
        }
    }

    static func probeLSM() -> FeatureStatus {
        let file = "/sys/kernel/security/lsm"
        if let active = activeLSMs() {
            guard active.contains("bpf") else {
                return .unsupported(reason: "the BPF LSM is not active: \(file) lists \(active.joined(separator: ",")); boot with lsm=\(active.joined(separator: ",")),bpf")
            }
        }
        // Without securityfs mounted, the load-and-attach test alone answers.
        return probeTracing(.lsmMAC, programType: .lsm)
    }

    /// The active LSMs from `/sys/kernel/security/lsm`, or nil if securityfs is not mounted.
    public static func activeLSMs() -> [String]? {
        guard let bytes = try? Syscalls.readFile("/sys/kernel/security/lsm") else { return nil }
        return String(decoding: bytes, as: UTF8.self).strippingCharacters(" \n").split(separator: ",").map(String.init)
    }

    /// The selected lockdown mode (`none`, `integrity`, `confidentiality`) from
    /// `/sys/kernel/security/lockdown`, or nil if that file cannot be read.
    public static func lockdownMode() -> String? {
        guard let bytes = try? Syscalls.readFile("/sys/kernel/security/lockdown") else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let open = text.firstIndex(of: "["), let close = text[open...].firstIndex(of: "]") else { return nil }
        return String(text[text.index(after: open)..<close])
    }

    // MARK: maps, links

    static func probeMap(_ type: MapType, addedIn version: String) -> FeatureStatus {
        isSupported(mapType: type) ? .supported
            : .unsupported(reason: "BPF_MAP_CREATE of a \(type) map fails (Linux \(version) added it)")
    }

    static func probeUprobeMulti() -> FeatureStatus {
        guard let program = try? Program.load(trivialProgram(.kprobe, attach: .traceUprobeMulti)) else {
            return .unsupported(reason: "BPF_PROG_LOAD of a kprobe program with BPF_TRACE_UPROBE_MULTI fails")
        }
        do {
            _ = try BPFCommands.linkCreateUprobeMulti(programFD: program.fd, path: "/", offsets: [0], name: "uprobe_multi probe")
            return .supported  // not expected: "/" is no binary
        } catch {
            if BPFCommands.isErrno(error, BPFErrno(rawValue: 9)) { return .supported }  // EBADF: the kernel looked at the path
            return .unsupported(reason: "BPF_LINK_CREATE with BPF_TRACE_UPROBE_MULTI fails with \(errnoText(error)) (Linux 6.6 added uprobe_multi links)")
        }
    }

    /// Whether uprobe_multi links filter by process: the first kernels with them filtered by
    /// thread (fixed in Linux 6.9 and stable releases). A fixed kernel refuses pid -1 with EINVAL
    /// before it looks at the path; an unfixed one answers EBADF for "/". libbpf uses
    /// uprobe-multi for USDT only on fixed kernels, since the load-time choice cannot know the
    /// pid that a later attach gives.
    static func uprobeMultiFiltersProcesses() -> Bool {
        guard probe(.uprobeMulti).isSupported,
              let program = try? Program.load(trivialProgram(.kprobe, attach: .traceUprobeMulti)) else { return false }
        do {
            _ = try BPFCommands.linkCreateUprobeMulti(programFD: program.fd, path: "/", offsets: [0], pid: UInt32.max, name: "uprobe_multi pid probe")
            return false
        } catch {
            return BPFCommands.isErrno(error, .EINVAL)
        }
    }

    static func probeTCX() -> FeatureStatus {
        guard let program = try? Program.load(trivialProgram(.schedCLS)) else {
            return .unsupported(reason: "BPF_PROG_LOAD of a sched_cls program fails")
        }
        do {
            // ifindex 0xffffffff names no device: a kernel with tcx answers ENODEV.
            _ = try BPFCommands.linkCreate(programFD: program.fd, targetFD: -1, attachType: .tcxIngress, name: "tcx probe")
            return .supported
        } catch {
            if BPFCommands.isErrno(error, BPFErrno(rawValue: 19)) { return .supported }  // ENODEV
            return .unsupported(reason: "BPF_LINK_CREATE with BPF_TCX_INGRESS fails with \(errnoText(error)) (Linux 6.6 added tcx; TC attaches through netlink clsact instead)")
        }
    }

    static func errnoText(_ error: BPFError) -> String {
        if case let .syscall(_, e) = error { return "\(e)" }
        return "\(error)"
    }
}
