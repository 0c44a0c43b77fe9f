/// Linux signal names by number (x86-64 and arm64 share them), as `kill -l` prints them.
public enum SignalNames {
    static let names: [String] = [
        "", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL",
        "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT",
        "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF",
        "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
    ]

    /// The name of signal `number`: "SIGUSR1", "SIGRTMIN+3" for real-time signals, "0" for the
    /// null signal of kill(2), else nil.
    public static func name(_ number: UInt32) -> String? {
        if number == 0 { return "0" }
        if number < UInt32(names.count) { return names[Int(number)] }
        if number >= 34, number <= 64 { return number == 34 ? "SIGRTMIN" : "SIGRTMIN+\(number - 34)" }
        return nil
    }
}
