/// uprobes and uretprobes by function name, through the `uprobe` perf PMU (no tracefs needed).
extension Link {
    /// Attaches a `kprobe`-type program (`SEC("uprobe")`, `SEC("uretprobe")`) to a user-space
    /// function, as libbpf's `bpf_program__attach_uprobe_opts` with `func_name`:
    ///
    /// - `binary`: a path, or a name resolved by `BinaryPathResolver` (`libc.so.6`, `libc`,
    ///   `bash`; with a `pid`, the files that process has mapped come first).
    /// - `symbol`: the function (`malloc`, `malloc@@GLIBC_2.2.5`, a static function from
    ///   `.symtab`), resolved by `UprobeFunctionResolver`; `offset` is added to its file offset.
    ///   With `symbol` nil, `offset` is the file offset itself.
    /// - `retprobe`: fire on return (a uretprobe; `offset` must then be 0 with a symbol).
    /// - `pid`: only this process (nil: every process that maps the file).
    /// - `cookie`: the value `bpf_get_attach_cookie()` returns in the program (needs
    ///   `BPF_LINK_CREATE` on perf events, Linux 5.15).
    ///
    /// - Throws: `.missing` (no such binary or function), `.invalidArgument` (not an ELF file,
    ///   ambiguous or indirect function, ...), `.syscall` from `perf_event_open` or the link.
    ///   Nothing stays open on failure.
    package static func attachUprobe(program: Program, binary: String, symbol: String?, offset: UInt64 = 0, retprobe: Bool = false, pid: Int32? = nil, cookie: UInt64 = 0) throws(BPFError) -> Link {
        let target = try UprobeTarget.resolve(binary: binary, symbol: symbol, offset: offset, retprobe: retprobe, pid: pid)
        return try attachUprobe(program: program, target: target, retprobe: retprobe, pid: pid, cookie: cookie)
    }

    /// Attaches a `kprobe`-type program to a uprobe (or uretprobe) at `offset` bytes into the file
    /// `path` (a file offset, e.g. from `ExecutableELF.fileOffset(ofVirtualAddress:)`), through
    /// the `uprobe` perf PMU. `pid` -1 probes every process that maps the file.
    package static func attachUprobe(program: Program, path: String, offset: UInt64, retprobe: Bool = false, pid: Int32 = -1, cookie: UInt64 = 0) throws(BPFError) -> Link {
        try attachUprobe(program: program, target: UprobeTarget(path: path, fileOffset: offset), retprobe: retprobe,
                         pid: pid == -1 ? nil : pid, cookie: cookie)
    }

    /// Attaches to a target resolved beforehand (`UprobeTarget.resolve`), e.g. to attach one
    /// resolution many times.
    package static func attachUprobe(program: Program, target: UprobeTarget, retprobe: Bool = false, pid: Int32? = nil, cookie: UInt64 = 0) throws(BPFError) -> Link {
        let label = "\(retprobe ? "uretprobe" : "uprobe") \(target.description)" + (pid.map { " pid \($0)" } ?? "")
        let perf = try PerfEvent.openProbe(pmu: "uprobe", target: target.path, offset: target.fileOffset, retprobe: retprobe, pid: pid ?? -1)
        return try attachPerfEvent(program: program, perfEvent: perf, cookie: cookie, label: label)
    }
}

/// Where a uprobe goes: a file and an offset in it, with the function it was resolved from.
public struct UprobeTarget: Hashable, Sendable, CustomStringConvertible {
    /// The resolved path of the binary.
    public var path: String
    /// The file offset the uprobe is placed at.
    public var fileOffset: UInt64
    /// The function it lies in, if it was resolved from a name.
    public var symbol: ExecutableELFSymbol?
    /// The offset into `symbol`.
    public var offsetInSymbol: UInt64

    /// A probe at `fileOffset` of the file at `path`.
    public init(path: String, fileOffset: UInt64, symbol: ExecutableELFSymbol? = nil, offsetInSymbol: UInt64 = 0) {
        self.path = path
        self.fileOffset = fileOffset
        self.symbol = symbol
        self.offsetInSymbol = offsetInSymbol
    }

    public var description: String {
        if let symbol {
            return "\(path):\(symbol.versionedName)" + (offsetInSymbol != 0 ? "+0x\(String(offsetInSymbol, radix: 16))" : "")
        }
        return "\(path)+0x\(String(fileOffset, radix: 16))"
    }

    /// Resolves the binary (`BinaryPathResolver.system`) and, if given, the function
    /// (`UprobeFunctionResolver`); see `Link.attachUprobe(program:binary:symbol:...)`.
    public static func resolve(binary: String, symbol: String?, offset: UInt64 = 0, retprobe: Bool = false, pid: Int32? = nil,
                               resolver: BinaryPathResolver = .system) throws(BPFError) -> UprobeTarget {
        let path = try resolver.resolve(binary, pid: pid)
        let elf = try ExecutableELF(path: path)
        guard let symbol, !symbol.isEmpty else { return UprobeTarget(path: path, fileOffset: offset) }
        if retprobe && offset != 0 {
            throw .invalidArgument("uretprobe on '\(symbol)' in \(path): a uretprobe fires on return and takes no offset into the function")
        }
        let function = try UprobeFunctionResolver.resolve(symbol, in: elf, path: path)
        if offset != 0, function.symbol.size != 0, offset >= function.symbol.size {
            throw .invalidArgument("offset 0x\(String(offset, radix: 16)) is past the end of '\(function.symbol.versionedName)' (\(function.symbol.size) bytes) in \(path)")
        }
        return UprobeTarget(path: path, fileOffset: function.fileOffset + offset, symbol: function.symbol, offsetInSymbol: offset)
    }

    /// Resolves the binary and converts virtual address `address` (as linked, e.g. from `nm`)
    /// to its file offset through the `PT_LOAD` segments.
    public static func resolve(binary: String, address: UInt64, pid: Int32? = nil, resolver: BinaryPathResolver = .system) throws(BPFError) -> UprobeTarget {
        let path = try resolver.resolve(binary, pid: pid)
        let elf = try ExecutableELF(path: path)
        guard let offset = elf.fileOffset(ofVirtualAddress: address) else {
            throw .invalidArgument("address 0x\(String(address, radix: 16)) lies in no PT_LOAD segment of \(path)")
        }
        return UprobeTarget(path: path, fileOffset: offset)
    }
}
