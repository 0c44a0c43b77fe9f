/// How `guard generate` turns a profile into policies.
public struct GenerateOptions: Sendable {
    /// Strict: exactly what was seen (files by name, seccomp argument filters). Lenient: the
    /// directories of the files seen and common library locations, no argument filters, and the
    /// system calls of libc's error and shutdown paths, so rarely taken branches keep working.
    public var strict: Bool = true
    /// What the guard policy does to the rest: kill or alert.
    public var guardAction: GuardAction = .kill
    /// The seccomp default for calls not seen: fail with EPERM (`SCMP_ACT_ERRNO`) or log (`SCMP_ACT_LOG`).
    public var seccompLog: Bool = false
    /// Where the profile came from, for the header comments.
    public var source: String = "<profile>"

    public init() {}

    /// Calls of libc's error and shutdown paths (writing a message, unwinding, signals, exit):
    /// what a run that never failed does not show. Added in lenient mode.
    public static let errorAndShutdownSyscalls = [
        "read", "write", "writev", "close", "exit", "exit_group", "rt_sigreturn", "rt_sigaction", "rt_sigprocmask",
        "sigaltstack", "restart_syscall", "tgkill", "kill", "getpid", "gettid", "munmap", "mmap", "mprotect", "brk",
        "madvise", "futex", "nanosleep", "clock_nanosleep", "clock_gettime", "wait4", "fstat", "newfstatat", "lseek",
        "openat", "getrandom", "sched_yield", "set_robust_list", "rseq",
    ]

    /// Locations every dynamically linked program reads: the loader's cache, libraries, locale and /proc.
    public static let lenientReadDirectories = ["/etc", "/lib", "/lib64", "/usr/lib", "/usr/lib64", "/usr/share/locale",
                                                "/usr/share/zoneinfo", "/proc", "/sys/devices/system/cpu", "/dev"]
}
