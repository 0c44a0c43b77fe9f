import Glibc

/// Turns the names in a policy into identities: files to inodes, cgroup directories to ids.
/// The real one asks the file system; pure tests pass their own.
public protocol GuardResolver: Sendable {
    /// The identity of the file at `path`, symlinks followed; nil when it does not exist.
    func fileID(_ path: String) -> FileID?
    /// The cgroup v2 id of the directory at `path` and its level below the root (root = 0).
    func cgroup(_ path: String) -> (id: UInt64, level: Int)?
}

/// The running system's file system and cgroup v2 hierarchy.
public struct SystemGuardResolver: GuardResolver {
    public init() {}

    public func fileID(_ path: String) -> FileID? { FileID.of(path: path) }

    public func cgroup(_ path: String) -> (id: UInt64, level: Int)? {
        guard let root = Self.cgroup2Mount() else { return nil }
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { return nil }
        // The id of a cgroup v2 directory is its kernfs node id, which is its inode number.
        let trimmedRoot = root.hasSuffix("/") ? String(root.dropLast()) : root
        guard path == trimmedRoot || path.hasPrefix(trimmedRoot + "/") else { return nil }
        let below = path.dropFirst(trimmedRoot.count).split(separator: "/").count
        return (UInt64(st.st_ino), below)
    }

    /// Where cgroup v2 is mounted (from /proc/mounts: /sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid systems).
    public static func cgroup2Mount() -> String? {
        guard let text = ProcFiles.read("/proc/mounts") else { return nil }
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ")
            if f.count >= 3, f[2] == "cgroup2" { return String(f[1]) }
        }
        return nil
    }
}
