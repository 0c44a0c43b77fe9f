import BPF
import Synchronization

/// Cgroup v2 paths and ids. An event's cgroup id is the inode of its cgroup directory; the
/// path of a container's cgroup names the container (e.g. `/system.slice/docker-<id>.scope`).
public final class CgroupPaths: Sendable {
    private let cache = Mutex<[UInt64: String]>([:])

    public init() {}

    /// The cgroup v2 mount point (hybrid hierarchies mount it at /sys/fs/cgroup/unified).
    public static func mountPoint() throws(BPFError) -> String { try Link.cgroup2MountPoint() }

    /// A cgroup given as an absolute directory or relative to the cgroup v2 mount.
    public static func absolute(_ path: String) throws(BPFError) -> String {
        let mount = try mountPoint()
        if path.hasPrefix(mount) { return path }
        return mount + (path.hasPrefix("/") ? "" : "/") + path
    }

    /// The path of cgroup `id` relative to the mount ("/" for the root), found by walking the
    /// hierarchy once per unknown id; nil if no directory has that id (the cgroup is gone).
    public func path(of id: UInt64) -> String? {
        if let known = cache.locked({ $0[id] }) { return known }
        guard let mount = try? Self.mountPoint() else { return nil }
        var found: String?
        var stack = [""]
        var seen: [UInt64: String] = [:]
        while let rel = stack.popLast() {
            let dir = mount + rel
            guard let ino = try? Syscalls.inode(of: dir) else { continue }
            seen[ino] = rel.isEmpty ? "/" : rel
            if ino == id { found = seen[ino]; break }
            for e in (try? Syscalls.listDirectory(dir)) ?? [] where e.isDirectory { stack.append(rel + "/" + e.name) }
        }
        cache.locked { $0.merge(seen) { a, _ in a } }
        return found
    }
}
