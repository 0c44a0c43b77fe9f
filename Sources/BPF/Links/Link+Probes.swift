/// uprobes and kprobes through their perf PMUs (no tracefs needed).
extension Link {
    /// Attaches a `kprobe`-type program to a uprobe (or uretprobe) at `offset` bytes into the file
    /// `path` (a symbol's file offset, which the caller resolves from the ELF), through the
    /// `uprobe` perf PMU. `pid` -1 probes every process that maps the file.
    public static func attachUprobe(program: Program, path: String, offset: UInt64, retprobe: Bool = false, pid: Int32 = -1, cookie: UInt64 = 0) throws(BPFError) -> Link {
        let label = "\(retprobe ? "uretprobe" : "uprobe") \(path)+0x\(String(offset, radix: 16))"
        let perf = try PerfEvent.openProbe(pmu: "uprobe", target: path, offset: offset, retprobe: retprobe, pid: pid)
        return try attachPerfEvent(program: program, perfEvent: perf, cookie: cookie, label: label)
    }

    /// Attaches a `kprobe`-type program to a kprobe (or kretprobe) on kernel function `function`
    /// through the `kprobe` perf PMU. (Not exercised on kernels without CONFIG_KPROBES, such as
    /// the development machine: there it fails with `.notSupported`.)
    public static func attachKprobe(program: Program, function: String, offset: UInt64 = 0, retprobe: Bool = false, cookie: UInt64 = 0) throws(BPFError) -> Link {
        let label = "\(retprobe ? "kretprobe" : "kprobe") \(function)+\(offset)"
        let perf = try PerfEvent.openProbe(pmu: "kprobe", target: function, offset: offset, retprobe: retprobe)
        return try attachPerfEvent(program: program, perfEvent: perf, cookie: cookie, label: label)
    }
}
