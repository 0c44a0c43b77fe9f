/// uprobes through their perf PMU (no tracefs needed). kprobes: Link+Kprobe.swift.
extension Link {
    /// Attaches a `kprobe`-type program to a uprobe (or uretprobe) at `offset` bytes into the file
    /// `path` (a symbol's file offset, which the caller resolves from the ELF), through the
    /// `uprobe` perf PMU. `pid` -1 probes every process that maps the file.
    public static func attachUprobe(program: Program, path: String, offset: UInt64, retprobe: Bool = false, pid: Int32 = -1, cookie: UInt64 = 0) throws(BPFError) -> Link {
        let label = "\(retprobe ? "uretprobe" : "uprobe") \(path)+0x\(String(offset, radix: 16))"
        let perf = try PerfEvent.openProbe(pmu: "uprobe", target: path, offset: offset, retprobe: retprobe, pid: pid)
        return try attachPerfEvent(program: program, perfEvent: perf, cookie: cookie, label: label)
    }
}
