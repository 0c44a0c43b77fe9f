import Glibc
import Synchronization

/// Set by SIGINT and SIGTERM; the tools' event loops check it between waits.
let stopRequested = Atomic<Bool>(false)

/// Installs handlers that ask the running tool to stop. The tool then returns normally, so
/// every link, program and map is released by its owner before the process exits.
func installStopHandlers() {
    for sig in [SIGINT, SIGTERM] {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in stopRequested.store(true, ordering: .relaxed) }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0  // no SA_RESTART: a blocked epoll_wait returns EINTR at once
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
