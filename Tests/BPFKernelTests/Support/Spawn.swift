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
    if rc == 0 { waitpid(pid, &status, 0) }
    return (pid, rc, status)
}
