import Glibc

/// Starts a program with an exact argv (copied to the heap, see platform notes on argv in
/// read-only data) and waits for it. Returns the child's pid and the posix_spawn result.
@discardableResult
func spawnAndWait(_ path: String, _ args: [String]) -> (pid: pid_t, spawnError: Int32) {
    let r = spawnAndWaitForStatus(path, args)
    return (r.pid, r.spawnError)
}

/// As `spawnAndWait`, and also the child's wait status (0 when the spawn failed).
@discardableResult
func spawnAndWaitForStatus(_ path: String, _ args: [String]) -> (pid: pid_t, spawnError: Int32, status: Int32) {
    var cArgs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) }
    cArgs.append(nil)
    defer { for p in cArgs { free(p) } }
    var pid: pid_t = 0
    let devnull = open("/dev/null", O_WRONLY)
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_adddup2(&actions, devnull, 1)
    posix_spawn_file_actions_adddup2(&actions, devnull, 2)
    let rc = posix_spawn(&pid, path, &actions, nil, cArgs, environ)
    posix_spawn_file_actions_destroy(&actions)
    close(devnull)
    var status: Int32 = 0
    if rc == 0 { status = waitBounded(pid) }
    return (pid, rc, status)
}

/// Waits for a child, at most `seconds`: a child still running then is killed (SIGKILL) and
/// reaped, so a test whose child hangs fails (its status says SIGKILL) instead of hanging the
/// run. Returns the wait status.
func waitBounded(_ pid: pid_t, seconds: Double = 120) -> Int32 {
    var status: Int32 = 0
    var waited = 0.0
    var step: UInt32 = 200
    while waited < seconds {
        let r = waitpid(pid, &status, WNOHANG)
        if r == pid || (r < 0 && errno != EINTR) { return status }
        usleep(step)
        waited += Double(step) / 1_000_000
        step = min(step * 2, 20_000)
    }
    kill(pid, SIGKILL)
    waitpid(pid, &status, 0)
    return status
}
