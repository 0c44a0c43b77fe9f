import BPF
import Glibc

/// The pseudo-filesystems a tool needs, mounted when missing (as bpftool mounts bpffs): a tool
/// with tracepoint programs needs tracefs for their ids. Each mount is announced on stderr.
enum ToolMounts {
    /// Mounts tracefs at /sys/kernel/tracing if `spec` has tracepoint programs and no tracefs
    /// is mounted; if that fails, the error names the missing mount.
    static func prepare(for spec: ObjectSpec) throws(BPFError) {
        guard spec.mainPrograms.contains(where: { $0.type == .tracepoint }), PerfEvent.tracefsRoot() == nil else { return }
        let target = PseudoFilesystem.tracefs.conventionalMountPoint
        do {
            try Syscalls.mount(.tracefs, at: target)
        } catch {
            throw .missing("tracefs: it is not mounted at \(target), and mounting it there failed (\(error)); the tool's tracepoints need it")
        }
        let message = "swiftbpf: mounted tracefs at \(target) (nothing was mounted there)\n"
        _ = message.utf8CString.withUnsafeBytes { write(2, $0.baseAddress, $0.count - 1) }
    }
}
