/// Attaches a `kprobe`-type program to every site of a USDT probe so that the program's
/// `BPF_USDT(...)` / `bpf_usdt_arg()` from libbpf's `<bpf/usdt.bpf.h>` work unchanged
/// (libbpf's `usdt_manager_attach_usdt`):
///
/// 1. the binary's `.note.stapsdt` notes give each site's address, semaphore and argument
///    string; addresses become file offsets through the `PT_LOAD` segments;
/// 2. each distinct argument string gets a spec id, a key of the object's `__bpf_usdt_specs`
///    array map, whose value (`struct __bpf_usdt_spec`) tells the BPF side where each argument is;
/// 3. a program loaded with `BPF_TRACE_UPROBE_MULTI` (what object loading does for `SEC("usdt")`
///    where the kernel has uprobe_multi links, Linux 6.6) is attached to every site through ONE
///    uprobe_multi link, with each site's spec id as its cookie and its semaphore as its
///    `ref_ctr_offset`;
/// 4. otherwise each site gets a uprobe perf event (with the semaphore as `ref_ctr_offset`), and
///    the program is attached to it with the spec id as BPF cookie, which `bpf_get_attach_cookie()`
///    returns. On kernels without BPF cookies (before 5.15) the site's address is mapped to the
///    spec id in `__bpf_usdt_ip_to_spec_id` instead, which works for `ET_EXEC` binaries only.
public enum USDTAttacher {
    /// Whether USDT programs of objects are loaded for uprobe_multi links: the kernel has them
    /// and they filter by process (`Features.uprobeMultiFiltersProcesses`). Probed once.
    public static let usesUprobeMulti: Bool = Features.uprobeMultiFiltersProcesses()

    /// The spec map `<bpf/usdt.bpf.h>` declares.
    public static let specsMapName = "__bpf_usdt_specs"
    /// The address-to-spec-id map `<bpf/usdt.bpf.h>` declares (for kernels without BPF cookies).
    public static let ipMapName = "__bpf_usdt_ip_to_spec_id"

    /// Attaches `program` to probe `provider:name` of `binary`: a path, a library name
    /// (`libfoo.so.1`, `libfoo`) or an executable's name, found as `BinaryPathResolver` does.
    /// `pid` -1 traces every process that runs the file, 0 this process, and N only process N.
    /// `cookie` is what `bpf_usdt_cookie()` returns.
    /// - Throws: `.missing` for a missing file, a file without USDT notes or without that probe
    ///   (naming the probes it has); `.malformedObject` for malformed notes; `.invalidArgument`
    ///   for an argument string that cannot be read or a spec map of the wrong shape;
    ///   `.notSupported` for what the kernel or the BPF-side header lacks. Nothing stays attached
    ///   when it throws.
    package static func attach(program: Program, specsMap: Map, ipMap: Map?, binary: String, provider: String, name: String,
                              pid: Int32 = -1, cookie: UInt64 = 0) throws(BPFError) -> USDTLink {
        guard program.type == .kprobe else {
            throw .invalidArgument("program '\(program.name)' is \(program.type); USDT attaches kprobe-type programs (SEC(\"usdt\"))")
        }
        guard specsMap.type == .array, specsMap.keySize == 4, specsMap.valueSize == USDTSpec.encodedSize else {
            throw .invalidArgument(
                "map '\(specsMap.name)' is \(specsMap.type) with \(specsMap.keySize)-byte keys and \(specsMap.valueSize)-byte values; <bpf/usdt.bpf.h>'s \(specsMapName) is an array of \(USDTSpec.encodedSize)-byte struct __bpf_usdt_spec")
        }
        let pid = try normalizedPID(pid)
        let binary = try BinaryPathResolver.system.resolve(binary, pid: pid)

        let elf = try ExecutableELF(path: binary)
        guard elf.machine == ELF.machineX86_64 else {
            throw .notSupported(feature: "USDT probes of e_machine \(elf.machine) in '\(binary)'", reason: "only x86-64 argument specifications are understood")
        }
        let table = try USDTProbeTable(elf: elf, path: binary)
        let sites = try table.sites(provider: provider, name: name)

        // One spec per distinct argument string (libbpf's de-duplication within one attachment).
        var specIndex: [String: Int] = [:]
        var encodedSpecs: [[UInt8]] = []
        for site in sites where specIndex[site.note.arguments] == nil {
            let spec: USDTSpec
            do throws(BPFError) {
                spec = try USDTSpec(argumentString: site.note.arguments, cookie: cookie)
            } catch {
                if case let .invalidArgument(why) = error { throw .invalidArgument("USDT probe \(provider):\(name) in '\(binary)': \(why)") }
                throw error
            }
            specIndex[site.note.arguments] = encodedSpecs.count
            encodedSpecs.append(try spec.encoded())
        }

        let multi = program.expectedAttachType == .traceUprobeMulti
        let hasCookie = multi || KernelExternFacts.hasBPFCookie
        if !hasCookie {
            guard ipMap != nil else {
                throw .missing("map \(ipMapName), which USDT needs on kernels without BPF cookies (include <bpf/usdt.bpf.h>)")
            }
            guard table.fileType == .executable else {
                throw .notSupported(feature: "USDT in '\(binary)' (\(table.fileType)) without BPF cookies",
                                    reason: "bpf_get_attach_cookie() is missing (Linux 5.15 added it) and only ET_EXEC sites have fixed addresses")
            }
        }
        let shift = !multi && sites.contains { $0.semaphoreOffset != 0 } ? try USDTUprobeEvent.referenceCounterShift() : nil

        let ids = try USDTSpecIDPool.allocate(encodedSpecs.count, mapID: specsMap.id, capacity: specsMap.maxEntries)
        var links: [Link] = []
        var ipKeys: [UInt64] = []
        func undo() {
            for link in links { link.close() }
            for key in ipKeys { _ = try? ipMap?.delete(key: littleEndianBytes(key)) }
            USDTSpecIDPool.release(ids, mapID: specsMap.id)
        }
        do throws(BPFError) {
            for (i, bytes) in encodedSpecs.enumerated() {
                try specsMap.update(key: littleEndianBytes(UInt32(ids[i])), value: bytes)
            }
            if multi {
                links.append(try attachMulti(program: program, binary: binary, provider: provider, name: name, sites: sites,
                                             specIDs: sites.map { UInt64(ids[specIndex[$0.note.arguments]!]) }, pid: pid))
            }
            for site in sites where !multi {
                let specID = ids[specIndex[site.note.arguments]!]
                if !hasCookie, let ipMap {
                    do throws(BPFError) {
                        try ipMap.update(key: littleEndianBytes(site.address), value: littleEndianBytes(UInt32(specID)), flags: .noExist)
                    } catch {
                        if BPFCommands.isErrno(error, .EEXIST) {
                            throw .invalidArgument("USDT probe \(provider):\(name) at 0x\(String(site.address, radix: 16)) in '\(binary)' is already attached through this object (address collision in \(ipMapName))")
                        }
                        throw error
                    }
                    ipKeys.append(site.address)
                }
                let perf = try USDTUprobeEvent.open(path: binary, offset: site.fileOffset, semaphoreOffset: site.semaphoreOffset,
                                                    referenceCounterShift: shift, pid: pid)
                let label = "usdt \(provider):\(name) \(binary)+0x\(String(site.fileOffset, radix: 16))"
                links.append(try Link.attachPerfEvent(program: program, perfEvent: perf, cookie: hasCookie ? UInt64(specID) : 0, label: label))
            }
        } catch {
            undo()
            throw error
        }
        return USDTLink(binary: binary, provider: provider, name: name, sites: sites,
                        siteSpecIDs: sites.map { ids[specIndex[$0.note.arguments]!] },
                        links: links, specIDs: ids, specsMapID: specsMap.id, ipMap: hasCookie ? nil : ipMap, ipKeys: ipKeys)
    }

    /// One uprobe_multi link over every site (`BPF_LINK_CREATE`, `BPF_TRACE_UPROBE_MULTI`): the
    /// sites' file offsets, their semaphores as reference counter offsets (the kernel counts
    /// each attached site in it, as for perf-event uprobes) and their spec ids as cookies.
    static func attachMulti(program: Program, binary: String, provider: String, name: String, sites: [USDTProbeSite],
                            specIDs: [UInt64], pid: Int32) throws(BPFError) -> Link {
        let semaphores = sites.contains { $0.semaphoreOffset != 0 } ? sites.map(\.semaphoreOffset) : nil
        let label = "usdt \(provider):\(name) \(binary) (\(sites.count) site\(sites.count == 1 ? "" : "s"), uprobe_multi)"
        let fd = try BPFCommands.linkCreateUprobeMulti(programFD: program.fd, path: binary, offsets: sites.map(\.fileOffset),
                                                       referenceCounterOffsets: semaphores, cookies: specIDs,
                                                       pid: pid < 0 ? 0 : UInt32(pid), name: label)
        return Link(taking: fd, name: label)
    }

    /// libbpf's PID filter: negative → -1 (every process), 0 → this process.
    static func normalizedPID(_ pid: Int32) throws(BPFError) -> Int32 {
        if pid < 0 { return -1 }
        if pid > 0 { return pid }
        let stat = String(decoding: try Syscalls.readFile("/proc/self/stat"), as: UTF8.self)
        guard let first = stat.split(separator: " ").first, let own = Int32(first) else {
            throw .invalidArgument("cannot read this process's pid from /proc/self/stat")
        }
        return own
    }

    static func littleEndianBytes<T: FixedWidthInteger>(_ v: T) -> [UInt8] {
        withUnsafeBytes(of: v.littleEndian) { Array($0) }
    }
}
