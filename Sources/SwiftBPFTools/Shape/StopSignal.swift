import Glibc
import Synchronization

/// Set by SIGINT and SIGTERM; the tools' event loops check it between waits.
package let stopRequested = Atomic<Bool>(false)

/// Installs handlers that ask the running tool to stop. The tool then returns normally, so
/// every link, program and map is released by its owner before the process exits.
package func installStopHandlers() {
    for sig in [SIGINT, SIGTERM] {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in stopRequested.store(true, ordering: .relaxed) }
        sigemptyset(&action.sa_mask)
        // SA_RESTART: a write to a full stdout pipe resumes instead of failing and losing
        // buffered events. epoll_wait is never restarted (signal(7)), so the wait still
        // returns at once with EINTR.
        action.sa_flags = SA_RESTART
        sigaction(sig, &action, nil)
    }
    // A parent may start us with these blocked (the mask is inherited across exec), which
    // would leave SIGTERM pending forever.
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    sigaddset(&set, SIGTERM)
    sigprocmask(SIG_UNBLOCK, &set, nil)
}
