import BPF

/// How this kernel lets guard enforce: the BPF LSM (refusal with EPERM before the call happens)
/// where `bpf` is among the active LSMs, otherwise SIGKILL from the call's tracepoint
/// (`bpf_send_signal`) for exec and file calls, and EPERM from the cgroup hooks for sockets.
public struct GuardEnforcement: Sendable, Equatable {
    /// True when BPF LSM programs load and attach here.
    public var lsm: Bool
    /// Why not, as probed (the active LSM list, or the kernel's refusal); nil when `lsm`.
    public var reason: String?

    /// The BPF LSM programs of guard_kernel.bpf.c (sections starting with '?', loaded on demand).
    static let lsmPrograms: Set<String> = ["guard_lsm_exec", "guard_lsm_open", "guard_lsm_unlink", "guard_lsm_rename", "guard_lsm_chmod", "guard_lsm_chown"]

    /// Probes this kernel (`Features.probe(.lsm)`: /sys/kernel/security/lsm, then a load and attach).
    public static func probe() -> GuardEnforcement {
        let status = Features.probe(.lsm)
        return GuardEnforcement(lsm: status.isSupported, reason: status.reason)
    }

    /// One line for `guard run`'s start: which enforcement runs, and the fallback with its reason.
    public var summary: String {
        if lsm {
            return "enforcement: BPF LSM (deny fails exec and file calls with EPERM before they happen), kill by bpf_send_signal, deny on sockets by cgroup hooks"
        }
        return "enforcement: kill by bpf_send_signal from tracepoints (no BPF LSM here: \(reason ?? "unknown")), deny on sockets by cgroup hooks; deny on exec/file calls and paths on unlink/rename/chmod/chown need the BPF LSM"
    }
}
