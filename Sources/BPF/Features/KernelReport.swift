/// What the running kernel offers BPF programs, as `swiftbpf doctor` prints it: release, BTF,
/// the file systems the library needs and where they are mounted, the active LSMs, and each
/// feature, program type, map type and helper of interest with its status and reason.
public struct KernelReport: Sendable {
    /// A file system the library uses and its mount point (nil: not mounted).
    public struct Mount: Sendable, Equatable {
        /// What it is called in the report.
        public var name: String
        /// The file system type.
        public var fileSystem: String
        /// Where it is mounted, nil if it is not.
        public var path: String?
    }

    /// One probed item: a feature, a program type, a map type or a helper in a program type.
    public struct Entry: Sendable, Equatable {
        /// `feature`, `program_type`, `map_type` or `helper`.
        public var group: String
        /// What it is called in the report.
        public var name: String
        /// Whether it works here, and why not.
        public var status: FeatureStatus
    }

    /// The kernel release, as uname(2) gives it.
    public var release: String
    /// The release's version numbers.
    public var version: LinuxVersion
    /// Size of /sys/kernel/btf/vmlinux, nil if absent.
    public var btfSize: Int?
    /// The file systems BPF uses and where they are mounted.
    public var mounts: [Mount]
    /// From /sys/kernel/security/lsm; nil if securityfs is not mounted.
    public var lsms: [String]?
    /// The selected mode of /sys/kernel/security/lockdown, if readable.
    public var lockdown: String?
    /// Each probe's result.
    public var entries: [Entry]

    /// Program types listed by the report.
    public static let programTypes: [ProgramType] = [
        .socketFilter, .kprobe, .schedCLS, .schedACT, .tracepoint, .xdp, .perfEvent, .cgroupSKB, .cgroupSock,
        .sockOps, .skSKB, .cgroupDevice, .skMsg, .rawTracepoint, .cgroupSockAddr, .cgroupSysctl,
        .rawTracepointWritable, .cgroupSockopt, .tracing, .structOps, .ext, .lsm, .skLookup, .syscall, .netfilter,
    ]

    /// Map types listed by the report.
    public static let mapTypes: [MapType] = [
        .hash, .array, .progArray, .perfEventArray, .perCPUHash, .perCPUArray, .stackTrace, .lruHash,
        .lruPerCPUHash, .lpmTrie, .arrayOfMaps, .hashOfMaps, .devMap, .sockMap, .cpuMap, .xskMap, .sockHash,
        .queue, .stack, .ringBuf, .bloomFilter, .userRingBuf, .arena,
    ]

    /// Helpers listed by the report, each probed in a program type that may call it.
    public static let helpers: [(BPFHelper, ProgramType)] = [
        (.probeReadKernel, .kprobe), (.probeReadUserStr, .kprobe), (.getCurrentCgroupId, .tracepoint),
        (.ringbufOutput, .tracepoint), (.ringbufReserve, .tracepoint), (.getCurrentTaskBtf, .tracepoint),
        (.getFuncIp, .kprobe), (.getAttachCookie, .kprobe), (.sendSignal, .kprobe), (.overrideReturn, .kprobe),
        (.loop, .tracepoint), (.snprintf, .tracepoint), (.ktimeGetBootNs, .tracepoint),
        // Recent kernels only: 6.1 offers cgroup_skb no current-task helper (its packets may be
        // handled in softirq), so a program there cannot name the sending process.
        (.getCurrentPidTgid, .cgroupSKB),
    ]

    /// Probes everything (each probe once per process; see `Features.probe(_:)`).
    public static func probe() -> KernelReport {
        let release = Syscalls.kernelRelease()
        var btfSize: Int? = nil
        if Syscalls.exists(BTF.kernelPath) { btfSize = (try? Syscalls.readFile(BTF.kernelPath))?.count }
        let mountsText = (try? Syscalls.readFile("/proc/mounts")).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let mounts = [("tracefs", "tracefs"), ("bpffs", "bpf"), ("securityfs", "securityfs"), ("cgroup2", "cgroup2"), ("debugfs", "debugfs")]
            .map { Mount(name: $0.0, fileSystem: $0.1, path: mountPoint(of: $0.1, in: mountsText)) }
        var entries = Features.probeAll().map { Entry(group: "feature", name: $0.feature.rawValue, status: $0.status) }
        for type in programTypes {
            entries.append(Entry(group: "program_type", name: "\(type)", status: programTypeStatus(type)))
        }
        for type in mapTypes {
            entries.append(Entry(group: "map_type", name: "\(type)", status: Features.isSupported(mapType: type) ? .supported
                : .unsupported(reason: "BPF_MAP_CREATE of a small \(type) map is refused")))
        }
        for (helper, type) in helpers {
            entries.append(Entry(group: "helper", name: "\(helperName(helper)) in \(type)", status: Features.isSupported(helper: helper, in: type) ? .supported
                : .unsupported(reason: "the verifier rejects a \(type) program calling helper \(helper.rawValue)")))
        }
        return KernelReport(release: release, version: LinuxVersion(release: release), btfSize: btfSize, mounts: mounts,
                            lsms: Features.activeLSMs(), lockdown: Features.lockdownMode(), entries: entries)
    }

    static func programTypeStatus(_ type: ProgramType) -> FeatureStatus {
        switch type {
        case .tracing:
            let fentry = Features.probe(.fentry)
            if !fentry.isSupported, Features.isSupported(programType: .tracing) {
                return .unsupported(reason: "tp_btf loads, but fentry does not: \(fentry.reason!)")
            }
            return fentry
        case .lsm:
            return Features.probe(.lsm)
        default:
            return Features.isSupported(programType: type) ? .supported
                : .unsupported(reason: "BPF_PROG_LOAD of a minimal \(type) program is refused")
        }
    }

    /// The helper's UAPI name (`bpf_get_attach_cookie`), without its number.
    static func helperName(_ helper: BPFHelper) -> String {
        String("\(helper)".prefix { $0 != "#" })
    }

    /// The first mount point of `fileSystem` in /proc/mounts text (pure).
    public static func mountPoint(of fileSystem: String, in mounts: String) -> String? {
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count >= 3, fields[2] == fileSystem { return String(fields[1]).replacingOctalEscapes() }
        }
        return nil
    }
}

extension String {
    /// /proc/mounts writes space, tab, newline and backslash in paths as `\040`-style escapes.
    func replacingOctalEscapes() -> String {
        guard contains("\\") else { return self }
        var out: [UInt8] = []
        let b = Array(utf8)
        var i = 0
        while i < b.count {
            if b[i] == 0x5c, i + 4 <= b.count, let v = UInt8(String(decoding: b[(i + 1)..<(i + 4)], as: UTF8.self), radix: 8) {
                out.append(v)
                i += 4
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
