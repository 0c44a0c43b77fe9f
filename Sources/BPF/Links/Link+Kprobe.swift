import Synchronization

/// How a kprobe is created.
public enum KprobeMechanism: Sendable, Equatable, CustomStringConvertible {
    /// The `kprobe` perf PMU (Linux 4.17) when it exists, else tracefs `kprobe_events`, as
    /// libbpf decides.
    case automatic
    /// The `kprobe` perf PMU: `perf_event_open` with the PMU's type, `kprobe_func` and
    /// `probe_offset`. The probe lives exactly as long as the perf event.
    case perfPMU
    /// tracefs `kprobe_events` ("legacy" kprobes): a named event is added, opened as a
    /// `PERF_TYPE_TRACEPOINT` by its id, and removed again when the link closes.
    case tracefs

    public var description: String {
        switch self {
        case .automatic: return "automatic"
        case .perfPMU: return "kprobe perf PMU"
        case .tracefs: return "tracefs kprobe_events"
        }
    }
}

/// kprobes and kretprobes on kernel functions, and ksyscall/kretsyscall on system calls.
extension Link {
    /// Attaches a `kprobe`-type program to a kprobe at `offset` bytes into kernel function
    /// `function` (or, with `retprobe`, to a kretprobe on its return; a kretprobe takes no
    /// offset). `cookie` is what `bpf_get_attach_cookie` returns (BPF perf links, Linux 5.15).
    ///
    /// The probe is created through the `kprobe` perf PMU, or through tracefs `kprobe_events`
    /// when the kernel has no such PMU (see `KprobeMechanism`). On a kernel without
    /// CONFIG_KPROBES this throws `.notSupported` with the probed reason
    /// (`Features.probe(.kprobe)`); a function the kernel cannot probe (missing, inlined,
    /// blacklisted) gives the kernel's errno.
    package static func attachKprobe(
        program: Program, function: String, offset: UInt64 = 0, retprobe: Bool = false, cookie: UInt64 = 0,
        mechanism: KprobeMechanism = .automatic
    ) throws(BPFError) -> Link {
        try KprobeTarget.validate(function: function)
        guard !(retprobe && offset != 0) else {
            throw .invalidArgument("kretprobe on \(function): kretprobes take no offset (+\(offset))")
        }
        let label = "\(retprobe ? "kretprobe" : "kprobe") \(function)\(offset == 0 ? "" : "+\(offset)")"
        let useTracefs: Bool
        switch mechanism {
        case .perfPMU: useTracefs = false
        case .tracefs: useTracefs = true
        case .automatic:
            useTracefs = !Syscalls.exists(KprobeTarget.pmuDirectory)
            if useTracefs, let reason = KprobeTarget.unavailableReason() {
                throw .notSupported(feature: label, reason: reason)
            }
        }
        guard useTracefs else {
            let perf: FileDescriptor
            do {
                perf = try PerfEvent.openProbe(pmu: "kprobe", target: function, offset: offset, retprobe: retprobe)
            } catch {
                throw KprobeTarget.explain(error, label: label)
            }
            return try attachPerfEvent(program: program, perfEvent: perf, cookie: cookie, label: label)
        }
        return try attachTracefsKprobe(program: program, function: function, offset: offset, retprobe: retprobe, cookie: cookie, label: label)
    }

    /// Attaches a `kprobe`-type program to system call `syscall` (e.g. `openat`) as libbpf's
    /// `bpf_program__attach_ksyscall` does: to the architecture's syscall wrapper
    /// (`__x64_sys_openat` on x86_64) when the kernel has such wrappers, else to
    /// `__se_sys_openat`. Programs read the arguments with libbpf's `BPF_KSYSCALL` macro, which
    /// follows the `LINUX_HAS_SYSCALL_WRAPPER` kconfig extern the loader sets to match.
    package static func attachKsyscall(program: Program, syscall: String, retprobe: Bool = false, cookie: UInt64 = 0) throws(BPFError) -> Link {
        try attachKprobe(program: program, function: KprobeTarget.syscallFunction(syscall), retprobe: retprobe, cookie: cookie)
    }

    /// The tracefs path: `p:kprobes/swiftbpf_<pid>_<n> FUNC+OFF` (or `r:kretprobes/...`) is
    /// written to `kprobe_events`, the event's id read from `events/<group>/<name>/id`, a
    /// `PERF_TYPE_TRACEPOINT` perf event opened on it, and the event removed (`-:group/name`)
    /// when the link closes, or at once if any step fails.
    static func attachTracefsKprobe(program: Program, function: String, offset: UInt64, retprobe: Bool, cookie: UInt64, label: String) throws(BPFError) -> Link {
        let event = try TracefsKprobeEvent.add(function: function, offset: offset, retprobe: retprobe)
        do {
            let id = try PerfEvent.tracepointID(category: event.group, name: event.name)
            let perf = try PerfEvent.openTracepoint(id: id, label: "\(label) (tracefs \(event.group)/\(event.name))")
            let link = try attachPerfEvent(program: program, perfEvent: perf, cookie: cookie, label: "\(label) (tracefs \(event.group)/\(event.name))")
            link.onClose { event.remove() }
            return link
        } catch {
            event.remove()
            throw error
        }
    }
}

extension Program {
    /// `Link.attachKprobe(program: self, function:offset:retprobe:cookie:mechanism:)`.
    package func attachKprobe(function: String, offset: UInt64 = 0, retprobe: Bool = false, cookie: UInt64 = 0, mechanism: KprobeMechanism = .automatic) throws(BPFError) -> Link {
        try Link.attachKprobe(program: self, function: function, offset: offset, retprobe: retprobe, cookie: cookie, mechanism: mechanism)
    }

    /// `Link.attachKsyscall(program: self, syscall:retprobe:cookie:)`.
    package func attachKsyscall(_ syscall: String, retprobe: Bool = false, cookie: UInt64 = 0) throws(BPFError) -> Link {
        try Link.attachKsyscall(program: self, syscall: syscall, retprobe: retprobe, cookie: cookie)
    }
}

/// Names and checks around kprobe targets.
public enum KprobeTarget {
    /// Where the `kprobe` perf PMU appears in sysfs.
    public static let pmuDirectory = "/sys/bus/event_source/devices/kprobe"

    /// The architecture's syscall-wrapper prefix (`x64` on x86_64), as libbpf's
    /// `arch_specific_syscall_pfx()`; nil on architectures without wrappers.
    public static var syscallPrefix: String? {
        #if arch(x86_64)
        return "x64"
        #elseif arch(arm64)
        return "arm64"
        #elseif arch(s390x)
        return "s390x"
        #elseif arch(riscv64)
        return "riscv"
        #else
        return nil
        #endif
    }

    /// Why no kprobe can be created here, or nil if the `kprobe` PMU or tracefs
    /// `kprobe_events` exists.
    public static func unavailableReason() -> String? {
        if Syscalls.exists(pmuDirectory) { return nil }
        guard let root = PerfEvent.tracefsRoot() else {
            return "\(pmuDirectory) is missing (CONFIG_KPROBES is off, or the kernel predates 4.17) and tracefs is not mounted to try kprobe_events"
        }
        if Syscalls.exists(root + "/kprobe_events") { return nil }
        return "CONFIG_KPROBES is off: \(pmuDirectory) missing, and no \(root)/kprobe_events"
    }

    /// The kernel function behind system call `name`: `__x64_sys_NAME` when the kernel has
    /// syscall wrappers (`LINUX_HAS_SYSCALL_WRAPPER`), else `__se_sys_NAME`.
    public static func syscallFunction(_ name: String) -> String {
        if let prefix = syscallPrefix, KernelExternFacts.hasSyscallWrapper { return "__\(prefix)_sys_\(name)" }
        return "__se_sys_\(name)"
    }

    /// A kernel function name as libbpf accepts it in `kprobe/FUNC`: letters, digits, `_`, `.`.
    /// Anything else (spaces, newlines, `:`) would be read by tracefs as more of its syntax.
    static func validate(function: String) throws(BPFError) {
        guard !function.isEmpty, function.utf8.count < 256,
              function.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5a) || ($0 >= 0x61 && $0 <= 0x7a) || $0 == 0x5f || $0 == 0x2e })
        else {
            throw .invalidArgument("kprobe function name '\(function)' must be 1-255 letters, digits, '_' or '.'")
        }
    }

    /// Turns a failed probe creation into an error that names the cause.
    static func explain(_ error: BPFError, label: String) -> BPFError {
        switch error {
        case .notSupported:
            return .notSupported(feature: label, reason: unavailableReason() ?? "\(error)")
        case let .syscall(_, errno) where errno == .ENOENT || errno == .EINVAL:
            return .missing("\(label): the kernel cannot probe this function (\(errno): no such function, or it is inlined, notrace or blacklisted in /sys/kernel/debug/kprobes/blacklist)")
        default:
            return error
        }
    }
}

/// One kprobe event added through tracefs `kprobe_events`, removed by `remove()`.
struct TracefsKprobeEvent: Sendable {
    let controlFile: String
    let group: String
    let name: String

    static let counter = Atomic<Int>(0)

    /// Adds the event. An event of the same name left by an earlier process with our pid is
    /// removed first and the add retried once (EEXIST).
    static func add(function: String, offset: UInt64, retprobe: Bool) throws(BPFError) -> TracefsKprobeEvent {
        guard let root = PerfEvent.tracefsRoot() else {
            throw .notSupported(
                feature: "kprobes through tracefs",
                reason: "tracefs is not mounted at /sys/kernel/tracing or /sys/kernel/debug/tracing; mount it with `mount -t tracefs tracefs /sys/kernel/tracing`")
        }
        let control = root + "/kprobe_events"
        guard Syscalls.exists(control) else {
            throw .notSupported(feature: "kprobes through tracefs", reason: "CONFIG_KPROBE_EVENTS is off: \(control) is missing")
        }
        let n = counter.add(1, ordering: .relaxed).newValue
        let event = TracefsKprobeEvent(controlFile: control, group: retprobe ? "kretprobes" : "kprobes", name: "swiftbpf_\(Syscalls.processID)_\(n)")
        let command = "\(retprobe ? "r" : "p"):\(event.group)/\(event.name) \(function)\(offset == 0 ? "" : "+\(offset)")\n"
        do {
            try Syscalls.appendFile(control, command)
        } catch {
            if BPFCommands.isErrno(error, BPFErrno(rawValue: 17)) {  // EEXIST
                event.remove()
                try Syscalls.appendFile(control, command)
            } else if case let .syscall(_, e) = error, e == .ENOENT || e == .EINVAL {
                throw .missing("\(retprobe ? "kretprobe" : "kprobe") \(function): tracefs refused '\(command.dropLast())' (\(e): no such function, or it cannot be probed)")
            } else {
                throw error
            }
        }
        return event
    }

    /// Removes the event (`-:group/name`). Errors are ignored: the event may already be gone.
    func remove() {
        try? Syscalls.appendFile(controlFile, "-:\(group)/\(name)\n")
    }
}
