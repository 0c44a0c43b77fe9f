extension BPFObject {
    /// Attaches a program to the hook its `SEC()` name gives, as libbpf's auto-attach does:
    /// `tracepoint/CAT/NAME` and `tp/CAT/NAME` to a tracepoint, `raw_tp/NAME` and
    /// `raw_tracepoint/NAME` to a raw tracepoint, `tp_btf/NAME` (and fentry, fexit, lsm) through
    /// `BPF_LINK_CREATE`; kprobe-type sections (`kprobe/`, `uprobe/`, `usdt/`, ...) by their
    /// section prefix. The link detaches when released.
    public func attach(_ programName: String) throws(BPFError) -> Link {
        let program = try program(programName)
        guard let spec = spec.program(named: programName) else { throw .missing("program '\(programName)'") }
        let target = spec.attachTarget ?? ""
        switch spec.type {
        case .tracepoint:
            let parts = target.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2 else {
                throw .invalidArgument("section '\(spec.sectionName)' of program '\(programName)' names no tracepoint CATEGORY/NAME")
            }
            return try program.attachTracepoint(category: parts[0], name: parts[1])
        case .rawTracepoint, .rawTracepointWritable:
            guard !target.isEmpty else {
                throw .invalidArgument("section '\(spec.sectionName)' of program '\(programName)' names no raw tracepoint")
            }
            return try program.attachRawTracepoint(name: target)
        case .tracing, .lsm:
            return try program.attachTracing()
        case .kprobe:
            return try attachProbeSection(program: program, spec: spec)
        default:
            throw .invalidArgument("program '\(programName)' (section '\(spec.sectionName)', type \(spec.type)) has no automatic attachment; attach it explicitly")
        }
    }

    /// Attaches every loaded program that has an automatic attachment, then registers every
    /// created struct_ops map (`attachStructOps(_:)`), as libbpf's skeleton attach does; returns
    /// the links. Programs whose section names no target (e.g. a bare `SEC("uprobe")`) are
    /// skipped, as libbpf skips them. If one attachment fails, the links made so far are
    /// released before the error is thrown.
    public func attachAll() throws(BPFError) -> [Link] {
        var links: [Link] = []
        for p in spec.mainPrograms where programs[p.name] != nil {
            switch p.type {
            case .tracepoint, .rawTracepoint, .rawTracepointWritable, .tracing, .lsm:
                links.append(try attach(p.name))
            case .kprobe where (p.attachTarget ?? "").isEmpty == false:
                links.append(try attach(p.name))
            default:
                continue
            }
        }
        for m in spec.structOpsMaps where structOpsMaps[m.name] != nil {
            links.append(try attachStructOps(m.name))
        }
        return links
    }

    /// Pins every loaded program at `directory/<program name>` on bpffs, as
    /// `bpftool prog loadall` does. bpffs rejects names containing '.'.
    public func pinPrograms(in directory: String) throws(BPFError) {
        for name in programs.keys.sorted() {
            try programs[name]!.pin(directory + "/" + name)
        }
    }

    /// Dispatches a kprobe-type program by its section prefix, as libbpf's per-section
    /// `attach_fn` does. Each family's parser lives with its link code.
    func attachProbeSection(program: Program, spec: ProgramSpec) throws(BPFError) -> Link {
        let prefix = spec.sectionName.split(separator: "/", maxSplits: 1).first.map(String.init) ?? spec.sectionName
        switch prefix {
        case "uprobe", "uretprobe", "uprobe.s", "uretprobe.s":
            return try attachUprobeSection(program: program, spec: spec)
        case "usdt", "usdt.s":
            return try attachUSDTSection(program: program, spec: spec)
        case "kprobe", "kretprobe", "ksyscall", "kretsyscall":
            return try attachKprobeSection(program: program, spec: spec)
        default:
            throw .invalidArgument("program '\(spec.name)' (section '\(spec.sectionName)') has no automatic attachment; attach it explicitly")
        }
    }
}
