import Synchronization

/// What the running kernel supports, probed lazily (a trivial program or a tiny map, once) and
/// cached for the life of the process. Thread-safe. Probes need the privileges loads need; as an
/// unprivileged user every probe answers false.
public enum Features {
    enum Key: Hashable, Sendable {
        case programType(UInt32)
        case mapType(UInt32)
        case helper(Int32, UInt32)
        case perfLink
    }

    static let cache = Mutex<[Key: Bool]>([:])

    static func cached(_ key: Key, _ probe: () -> Bool) -> Bool {
        if let known = cache.locked({ $0[key] }) { return known }
        // Probing outside the lock: two threads may probe at once; both get the same answer.
        let answer = probe()
        cache.locked { $0[key] = answer }
        return answer
    }

    /// Whether the kernel has BTF for itself (`/sys/kernel/btf/vmlinux`), needed for CO-RE,
    /// tp_btf, fentry and friends.
    public static var hasKernelBTF: Bool { Syscalls.exists("/sys/kernel/btf/vmlinux") }

    /// Whether programs of `type` can be loaded: a `r0 = 0; exit` program is loaded once.
    /// Types that need an attach target (tracing, ext, lsm, struct_ops) count as supported when
    /// the kernel rejects only the bogus target. `tracing` is probed as tp_btf (`BPF_TRACE_RAW_TP`).
    public static func isSupported(programType type: ProgramType) -> Bool {
        cached(.programType(type.rawValue)) { probeProgramType(type) }
    }

    /// Whether maps of `type` can be created: a tiny map of the type is created once.
    /// Local-storage and struct_ops maps need BTF and are reported unsupported by this probe.
    public static func isSupported(mapType type: MapType) -> Bool {
        cached(.mapType(type.rawValue)) { probeMapType(type) }
    }

    /// Whether `helper` may be called from programs of `type` (the verifier does not answer
    /// "unknown func", "invalid func" or "program of this type cannot use helper").
    public static func isSupported(helper: BPFHelper, in type: ProgramType) -> Bool {
        cached(.helper(helper.rawValue, type.rawValue)) { probeHelper(helper, type) }
    }

    /// `BPF_MAP_TYPE_RINGBUF` (Linux 5.8).
    public static var ringBuffer: Bool { isSupported(mapType: .ringBuf) }

    /// BPF links on perf events (`BPF_LINK_CREATE` with `BPF_PERF_EVENT`, Linux 5.15). Without
    /// them tracepoints attach with `PERF_EVENT_IOC_SET_BPF`.
    public static var bpfLinkForPerfEvents: Bool {
        cached(.perfLink) { probePerfLink() }
    }

    // MARK: Probes

    static func trivialProgram(_ type: ProgramType, attach: AttachType = .none, flags: ProgramFlags = [], logLevel: UInt32? = nil, body: [Instruction] = Instruction.returning(0)) -> ProgramLoadAttributes {
        ProgramLoadAttributes(name: "probe", type: type, expectedAttachType: attach, instructions: body, license: "GPL", flags: flags, logLevel: logLevel, logSize: 4096)
    }

    static func probeProgramType(_ type: ProgramType) -> Bool {
        var attrs = trivialProgram(type)
        switch type {
        case .cgroupSockAddr: attrs.expectedAttachType = .cgroupInet4Connect
        case .skLookup: attrs.expectedAttachType = .skLookup
        case .cgroupSockopt: attrs.expectedAttachType = .cgroupGetsockopt
        case .netfilter: attrs.expectedAttachType = .netfilter
        case .syscall: attrs.flags = .sleepable
        case .tracing, .ext, .lsm, .structOps:
            // Target BTF id 1 (never a valid target): a kernel that can load the type complains
            // about the target ("attach_btf_id 1 is not a typedef"); one that cannot says EPERM
            // or EINVAL with no such message (fentry/LSM under lockdown, for example).
            attrs.attachBTFID = 1
            attrs.logLevel = 1
            attrs.expectedAttachType = type == .lsm ? .lsmMAC : (type == .tracing ? .traceRawTP : .none)
            do {
                _ = try Program.load(attrs)
                return true
            } catch {
                if case let .verifier(_, _, log, _) = error {
                    return log.contains("attach_btf_id")
                }
                return false
            }
        default: break
        }
        return (try? Program.load(attrs)) != nil
    }

    static func probeMapType(_ type: MapType) -> Bool {
        let page = UInt32(Syscalls.pageSize)
        var a = MapCreateAttributes(name: "probe", type: type, keySize: 4, valueSize: 4, maxEntries: 1)
        var inner: Map? = nil
        switch type {
        case .ringBuf, .userRingBuf:
            a.keySize = 0; a.valueSize = 0; a.maxEntries = page
        case .queue, .stack, .bloomFilter:
            a.keySize = 0
        case .lpmTrie:
            a.keySize = 8; a.flags = .noPrealloc
        case .stackTrace:
            a.valueSize = 8
        case .cgroupStorage, .perCPUCgroupStorage:
            a.keySize = 16; a.maxEntries = 0
        case .arena:
            a.keySize = 0; a.valueSize = 0; a.flags = .mmapable
        case .arrayOfMaps, .hashOfMaps:
            guard let template = try? Map.create(MapCreateAttributes(name: "probe_inner", type: .array, keySize: 4, valueSize: 4, maxEntries: 1)) else { return false }
            inner = template
            a.innerMapFD = template.fd
        default:
            break
        }
        let created = (try? Map.create(a)) != nil
        withExtendedLifetime(inner) {}
        return created
    }

    static func probeHelper(_ helper: BPFHelper, _ type: ProgramType) -> Bool {
        // Zeroed arguments make most helpers fail verification for other reasons; only the
        // "unknown/invalid func" messages mean the helper itself is missing.
        var body: [Instruction] = [.call(helper: helper)]
        body += Instruction.returning(0)
        let attrs = trivialProgram(type, logLevel: 1, body: body)
        do {
            _ = try Program.load(attrs)
            return true
        } catch {
            if case let .verifier(_, _, log, _) = error {
                return !log.contains("invalid func ") && !log.contains("unknown func ") && !log.contains("cannot use helper") && !log.isEmpty
            }
            return false
        }
    }

    static func probePerfLink() -> Bool {
        guard let program = try? Program.load(trivialProgram(.tracepoint)) else { return false }
        // A kernel with perf links looks up target_fd (-1) and answers EBADF; without, EINVAL.
        do {
            _ = try BPFCommands.linkCreate(programFD: program.fd, targetFD: -1, attachType: .perfEvent, name: "probe")
            return true
        } catch {
            return BPFCommands.isErrno(error, BPFErrno(rawValue: 9))  // EBADF
        }
    }
}
