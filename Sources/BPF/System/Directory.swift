import Glibc

extension Syscalls {
    /// The entries of a directory (without "." and ".."), with whether each is a directory.
    package static func listDirectory(_ path: String) throws(BPFError) -> [(name: String, isDirectory: Bool)] {
        guard let dir = opendir(path) else { throw .syscall(operation: "opendir(\(path))", errno: .current) }
        defer { closedir(dir) }
        var out: [(String, Bool)] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            if name == "." || name == ".." { continue }
            out.append((name, entry.pointee.d_type == UInt8(DT_DIR)))
        }
        return out
    }

    /// The inode number of a path (stat(2)); a cgroup v2 directory's inode is its cgroup id.
    package static func inode(of path: String) throws(BPFError) -> UInt64 {
        var st = stat()
        guard stat(path, &st) == 0 else { throw .syscall(operation: "stat(\(path))", errno: .current) }
        return UInt64(st.st_ino)
    }
}
