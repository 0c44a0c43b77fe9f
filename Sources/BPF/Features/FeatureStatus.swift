/// The answer of a feature probe: supported, or not with the reason the probe found (the
/// missing file, the errno of the failed load or attach, the kernel version that added it).
public enum FeatureStatus: Sendable, Hashable, CustomStringConvertible {
    case supported
    case unsupported(reason: String)

    /// Whether the feature works here.
    public var isSupported: Bool {
        if case .supported = self { return true }
        return false
    }

    /// Why the feature is unsupported; nil when it is supported.
    public var reason: String? {
        if case let .unsupported(reason) = self { return reason }
        return nil
    }

    public var description: String {
        switch self {
        case .supported: return "supported"
        case let .unsupported(reason): return "unsupported: \(reason)"
        }
    }
}

/// Kernel features that programs and tools depend on, each with a cheap probe that
/// `Features.probe(_:)` runs once per process.
public enum KernelFeature: String, CaseIterable, Sendable, CustomStringConvertible {
    /// Kernel BTF at /sys/kernel/btf/vmlinux (CONFIG_DEBUG_INFO_BTF), needed for CO-RE.
    case kernelBTF = "btf"
    /// tracefs mounted (tracepoint ids, legacy kprobes).
    case tracefs
    /// A kprobe program attached through the `kprobe` perf PMU, or tracefs `kprobe_events`.
    case kprobe
    /// A kretprobe, as `kprobe`.
    case kretprobe
    /// tracefs `kprobe_events` (the legacy path of kprobes, before the PMU of Linux 4.17).
    case kprobeTracefs = "kprobe_tracefs"
    /// The architecture's syscall wrappers (`__x64_sys_*`) can be probed (ksyscall targets).
    case syscallWrapper = "syscall_wrapper"
    /// The `uprobe` perf PMU.
    case uprobe
    /// `BPF_TRACE_UPROBE_MULTI` links (Linux 6.6).
    case uprobeMulti = "uprobe_multi"
    /// An fentry program loaded against a kernel function and attached.
    case fentry
    /// An fexit program loaded against a kernel function and attached.
    case fexit
    /// A BPF LSM program (`lsm/file_open`) loaded and attached: CONFIG_BPF_LSM and `bpf` in the
    /// active LSM list.
    case lsm
    /// A tp_btf program loaded against `sched_switch` and attached.
    case tpBTF = "tp_btf"
    /// `BPF_MAP_TYPE_RINGBUF` (Linux 5.8).
    case ringbuf
    /// `bpf_get_attach_cookie` (Linux 5.15).
    case bpfCookie = "bpf_cookie"
    /// BPF links on perf events (`BPF_LINK_CREATE` with `BPF_PERF_EVENT`, Linux 5.15).
    case perfLink = "perf_link"
    /// tcx links (`BPF_TCX_INGRESS`/`EGRESS`, Linux 6.6).
    case tcx

    public var description: String { rawValue }
}
