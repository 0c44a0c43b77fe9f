extension BPFObject {
    /// Attaches program `programName` (a `SEC("usdt")` program written with libbpf's
    /// `<bpf/usdt.bpf.h>`, e.g. `BPF_USDT(handler, int a, long b)`) to every site of USDT probe
    /// `provider:name` in `binary` (a path, a library or an executable name, see
    /// `BinaryPathResolver`), as libbpf's `bpf_program__attach_usdt`.
    /// `pid` -1 traces every process that runs the file, 0 this process, N only process N;
    /// `cookie` is what `bpf_usdt_cookie()` returns. Probes with a semaphore have it incremented
    /// while attached. The returned link detaches every site when closed or released (it is the
    /// first site's uprobe link, owning the others). `USDTAttacher.attach` gives the same
    /// attachment as a `USDTLink` listing each site and its spec id.
    /// - Throws: `.missing` if the object lacks `__bpf_usdt_specs` (the program does not include
    ///   `<bpf/usdt.bpf.h>`), or the file or probe does not exist; see `USDTAttacher.attach`.
    package func attachUSDT(_ programName: String, binary: String, provider: String, name: String,
                           pid: Int32 = -1, cookie: UInt64 = 0) throws(BPFError) -> Link {
        let usdt = try attachUSDTSites(programName, binary: binary, provider: provider, name: name, pid: pid, cookie: cookie)
        guard let link = usdt.mergedLink() else {
            throw .invalidArgument("USDT probe \(provider):\(name) in '\(binary)' was detached while attaching")
        }
        return link
    }

    /// `attachUSDT`, returning the attachment as a `USDTLink` that lists each probe site, its file
    /// offset, semaphore and spec id.
    package func attachUSDTSites(_ programName: String, binary: String, provider: String, name: String,
                                pid: Int32 = -1, cookie: UInt64 = 0) throws(BPFError) -> USDTLink {
        let program = try program(programName)
        guard let specs = maps[USDTAttacher.specsMapName] else {
            throw .missing("map \(USDTAttacher.specsMapName) in the object: program '\(programName)' must include <bpf/usdt.bpf.h> to read USDT arguments")
        }
        return try USDTAttacher.attach(program: program, specsMap: specs, ipMap: maps[USDTAttacher.ipMapName], binary: binary,
                                       provider: provider, name: name, pid: pid, cookie: cookie)
    }
}
