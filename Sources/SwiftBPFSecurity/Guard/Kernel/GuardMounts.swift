import BPF
import Glibc

/// The pseudo-filesystems guard's attachments need.
enum GuardMounts {
    /// Mounts tracefs at its usual place when none is mounted: the syscall tracepoints need it.
    static func prepare() throws(BPFError) {
        guard PerfEvent.tracefsRoot() == nil else { return }
        let target = PseudoFilesystem.tracefs.conventionalMountPoint
        do {
            try Syscalls.mount(.tracefs, at: target)
        } catch {
            throw .missing("tracefs: it is not mounted at \(target), and mounting it there failed (\(error)); guard's tracepoints need it")
        }
        let message = "swiftbpf guard: mounted tracefs at \(target) (nothing was mounted there)\n"
        _ = message.utf8CString.withUnsafeBytes { write(2, $0.baseAddress, $0.count - 1) }
    }
}
