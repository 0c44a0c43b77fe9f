import CBPF
import Glibc

extension Syscalls {
    /// unlink(2): removes a pin from bpffs (or any file).
    package static func unlink(_ path: String) throws(BPFError) {
        guard Glibc.unlink(path) == 0 else { throw .syscall(operation: "unlink(\(path))", errno: .current) }
    }

    /// mkdir(2). An existing directory is not an error.
    package static func mkdir(_ path: String, mode: UInt32 = 0o700) throws(BPFError) {
        if Glibc.mkdir(path, mode) == 0 { return }
        let e = BPFErrno.current
        if e.rawValue == EEXIST { return }
        throw .syscall(operation: "mkdir(\(path))", errno: e)
    }

    /// rmdir(2).
    package static func rmdir(_ path: String) throws(BPFError) {
        guard Glibc.rmdir(path) == 0 else { throw .syscall(operation: "rmdir(\(path))", errno: .current) }
    }

    /// Whether a path exists (access(2) F_OK).
    package static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Number of entries in /proc/self/fd: the process's open descriptors (used by leak checks).
    package static func openDescriptorCount() -> Int {
        guard let dir = opendir("/proc/self/fd") else { return -1 }
        defer { closedir(dir) }
        var n = 0
        while readdir(dir) != nil { n += 1 }
        return n - 3  // ".", ".." and the directory's own descriptor
    }
}
