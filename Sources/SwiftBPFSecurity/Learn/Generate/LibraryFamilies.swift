/// A family of libraries (or a runtime) and the system calls of its error, retry and shutdown
/// paths: what a clean run of a workload linking it may never show. `guard generate --lenient`
/// adds a family's calls when one of its triggers is present (`LibraryFamilyMatch`).
public struct LibraryFamily: Sendable {
    /// What makes a family apply.
    public enum Trigger: Sendable, Equatable {
        /// Every process, static binaries included.
        case always
        /// A library whose file name starts with this (`libssl.so` matches `libssl.so.3`).
        case library(String)
        /// A program run whose file name starts with this (`python3` matches `python3.11`).
        case program(String)
        /// A system call the workload was seen making.
        case syscall(String)
        /// A file the workload was seen opening.
        case file(String)
    }

    public let name: String
    public let triggers: [Trigger]
    public let syscalls: [String]

    public init(name: String, triggers: [Trigger], syscalls: [String]) {
        self.name = name
        self.triggers = triggers
        self.syscalls = syscalls
    }
}

/// The table, in the order the generated entries take (a call appears in the first family that
/// adds it). Each family says why each call is there; names are x86_64 system calls.
public enum LibraryFamilies {
    public static let all: [LibraryFamily] = [base, glibc, musl, threads, cxx, unwinder, openssl, gnutls, resolver, python]

    /// Every process: exit and exit_group end it (or a thread); rt_sigreturn returns from any
    /// signal handler, for a signal that did not come while learning; restart_syscall resumes
    /// an interrupted sleep or wait after SIGSTOP/SIGCONT or a debugger stop; write puts a last
    /// message on stderr, which every runtime does before dying, static ones included;
    /// clock_gettime and gettimeofday are answered by the vDSO without a system call, except on
    /// a host whose clock source user space cannot read (some virtual machines), where the vDSO
    /// falls back to the call.
    static let base = LibraryFamily(name: "every process", triggers: [.always],
                                    syscalls: ["exit", "exit_group", "rt_sigreturn", "restart_syscall", "write", "clock_gettime", "gettimeofday"])

    /// glibc and its loader (libm, libdl, librt, libutil are parts of it). abort(), on an
    /// assertion or heap corruption: rt_sigprocmask and rt_sigaction (unblock, then reset
    /// SIGABRT), getpid, gettid and tgkill (raise is pthread_kill of itself). The fatal message
    /// goes to stderr with writev, into an mmap'd buffer. malloc grows and trims with brk, mmap,
    /// munmap, mremap (realloc of a large block), mprotect and madvise (heaps of other threads'
    /// arenas), sizes a clean run may never reach. stdio decides buffering with fstat and, for a
    /// terminal, ioctl(TCGETS), and at exit puts input streams back in place with lseek.
    /// strerror and perror in a non-C locale read message catalogs, and pthread_cancel,
    /// pthread_exit and backtrace load libgcc_s.so.1 on first use: openat, newfstatat, fstat,
    /// read, close. futex: lock contention (stdio, malloc arenas, once-initialisers) appears
    /// only when threads collide.
    static let glibc = LibraryFamily(
        name: "glibc",
        triggers: [.library("libc.so.6"), .library("ld-linux-x86-64.so"), .library("libm.so.6"), .library("libdl.so.2"),
                   .library("librt.so.1"), .library("libutil.so.1")],
        syscalls: ["rt_sigprocmask", "rt_sigaction", "getpid", "gettid", "tgkill", "writev", "brk", "mmap", "munmap", "mremap",
                   "mprotect", "madvise", "fstat", "ioctl", "lseek", "openat", "newfstatat", "read", "close", "futex"])

    /// musl: abort blocks signals and raises with rt_sigprocmask, tkill and rt_sigaction;
    /// stdio writes with writev and checks for a terminal with ioctl(TIOCGWINSZ); mallocng
    /// returns memory with munmap and madvise and grows with brk, mmap and mremap; futex for
    /// contended locks; membarrier when dlopen or set*id synchronise all threads.
    static let musl = LibraryFamily(
        name: "musl", triggers: [.library("ld-musl-"), .library("libc.musl-")],
        syscalls: ["rt_sigprocmask", "tkill", "rt_sigaction", "writev", "ioctl", "munmap", "madvise", "brk", "mmap", "mremap",
                   "futex", "membarrier"])

    /// Threads (glibc 2.34+ has libpthread inside libc, so clone3, which pthread_create uses
    /// and fork does not, shows them): a pool that grows later starts threads that register
    /// set_robust_list and rseq, get a stack and guard page (mmap, mprotect) with signals
    /// blocked (rt_sigprocmask); a thread ends with exit (not exit_group), its stack is given
    /// back with madvise or munmap, and the joiner is woken through futex.
    static let threads = LibraryFamily(
        name: "threads", triggers: [.library("libpthread.so"), .library("libgomp.so"), .syscall("clone3")],
        syscalls: ["set_robust_list", "rseq", "mmap", "mprotect", "rt_sigprocmask", "exit", "madvise", "munmap", "futex"])

    /// libstdc++: std::terminate's verbose handler prints the uncaught exception's type to
    /// stderr (write, writev) before abort; std::mutex, condition_variable, call_once and
    /// atomic wait block in futex after spinning with sched_yield; std::random_device reads
    /// getrandom on first use; this_thread::sleep_for in retry loops is clock_nanosleep.
    static let cxx = LibraryFamily(
        name: "libstdc++", triggers: [.library("libstdc++.so"), .library("libc++.so")],
        syscalls: ["writev", "futex", "sched_yield", "getrandom", "clock_nanosleep"])

    /// libgcc_s, linked by C++ programs and by Rust programs (whose standard library is static,
    /// so this is what shows): Rust sets up an alternate signal stack per thread for its
    /// stack-overflow report and removes it at thread exit (sigaltstack, mmap, mprotect, munmap).
    static let unwinder = LibraryFamily(
        name: "libgcc_s", triggers: [.library("libgcc_s.so")],
        syscalls: ["sigaltstack", "mmap", "mprotect", "munmap"])

    /// OpenSSL: the random generator reseeds from getrandom after its interval or a fork
    /// (1.1.1 checks getpid for the fork); verifying a peer whose issuer is not loaded yet looks
    /// it up in the certificate directory (newfstatat, openat, read, close); the secure heap is
    /// mmap'd, guarded with mprotect, kept out of core dumps with madvise and pinned with mlock;
    /// contended locks wait in futex. The close_notify alert at shutdown is a plain write.
    static let openssl = LibraryFamily(
        name: "openssl", triggers: [.library("libssl.so"), .library("libcrypto.so")],
        syscalls: ["getrandom", "getpid", "newfstatat", "openat", "read", "close", "mmap", "mprotect", "madvise", "mlock", "futex"])

    /// GnuTLS: reseeding from getrandom, a reload of the system priority file and trust store
    /// (openat, read, newfstatat, close), futex for contended locks.
    static let gnutls = LibraryFamily(
        name: "gnutls", triggers: [.library("libgnutls.so")],
        syscalls: ["getrandom", "openat", "read", "newfstatat", "close", "futex"])

    /// The DNS resolver and NSS: libresolv and the NSS modules (dlopen'd, so seen as opened),
    /// or a workload that read the resolver's configuration (getaddrinfo is in libc). When the
    /// first name server times out it retries the next (socket, connect, sendto or sendmmsg,
    /// poll, recvfrom, ioctl(FIONREAD)), a truncated answer is asked again over TCP (writev,
    /// read), AI_ADDRCONFIG asks the kernel's addresses over netlink (bind, getsockname,
    /// sendto, recvmsg), and resolv.conf and /etc/hosts are checked for changes and reread
    /// (newfstatat, openat, fstat, read, close).
    static let resolver = LibraryFamily(
        name: "resolver",
        triggers: [.library("libresolv.so"), .library("libnss_"), .file("/etc/resolv.conf"), .file("/etc/nsswitch.conf")],
        syscalls: ["socket", "connect", "sendto", "sendmmsg", "poll", "recvfrom", "ioctl", "writev", "read", "bind", "getsockname",
                   "recvmsg", "newfstatat", "openat", "fstat", "close"])

    /// CPython (libpython, or a python3 binary with it built in): a traceback reads the source
    /// lines of every frame (openat, newfstatat, fstat, ioctl(TCGETS) from io.open, lseek,
    /// read, close) and may import modules not imported yet (getdents64 to refresh a directory
    /// cache, getcwd, readlink); faulthandler, when enabled, installs its alternate signal stack
    /// (sigaltstack, rt_sigaction); subprocess waits with a timeout by polling (wait4,
    /// clock_nanosleep) and kills a child that overruns (kill); shutdown joins threads (futex)
    /// and frees arenas (munmap, madvise).
    static let python = LibraryFamily(
        name: "python", triggers: [.library("libpython3"), .program("python3")],
        syscalls: ["openat", "newfstatat", "fstat", "ioctl", "lseek", "read", "close", "getdents64", "getcwd", "readlink",
                   "sigaltstack", "rt_sigaction", "wait4", "clock_nanosleep", "kill", "futex", "munmap", "madvise"])
}
