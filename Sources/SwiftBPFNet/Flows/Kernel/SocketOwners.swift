import BPF

/// Socket inode → owning process, from /proc/PID/fd links ("socket:[INODE]"): the owner of a
/// connection that predates the tool. The first process found holding the socket wins.
enum SocketOwners {
    static func scan() -> [UInt64: Flow.Owner] {
        var out: [UInt64: Flow.Owner] = [:]
        guard let procs = try? Syscalls.listDirectory("/proc") else { return out }
        for p in procs where p.isDirectory {
            guard let pid = UInt32(p.name) else { continue }
            guard let fds = try? Syscalls.listDirectory("/proc/\(pid)/fd") else { continue }
            var comm: String?
            for fd in fds {
                guard let target = try? Syscalls.readLink("/proc/\(pid)/fd/\(fd.name)"),
                      target.hasPrefix("socket:["), target.hasSuffix("]"),
                      let inode = UInt64(target.dropFirst(8).dropLast()), out[inode] == nil else { continue }
                if comm == nil {
                    comm = (try? Syscalls.readFile("/proc/\(pid)/comm")).map {
                        String(decoding: $0, as: UTF8.self).trimmingSuffix("\n")
                    } ?? "?"
                }
                out[inode] = Flow.Owner(pid: pid, uid: 0, comm: comm ?? "?", cgroupID: 0)
            }
        }
        return out
    }
}

extension String {
    func trimmingSuffix(_ s: String) -> String { hasSuffix(s) ? String(dropLast(s.count)) : self }
}
