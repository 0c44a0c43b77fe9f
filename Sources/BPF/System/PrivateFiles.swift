import CBPF
import Glibc
import Synchronization

/// Files only this user may write: the directories and files of a cache kept under /run.
/// A directory or file that another user owns, that others may write, or that is a symbolic
/// link is refused, so that such a cache never reads what someone else could have planted.
extension Syscalls {
    private static let replaceCounter = Atomic<Int>(0)

    /// The effective user id.
    package static var effectiveUserID: UInt32 { geteuid() }

    /// The size of the file at `path` (stat(2), following links), nil if it cannot be read.
    package static func fileSize(_ path: String) -> UInt64? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return UInt64(st.st_size)
    }

    /// Creates `path` and its missing parents with mode 0700 and checks that `path` is a
    /// directory owned by this user that no one else may write or enter. Parents that already
    /// exist are left as they are.
    package static func makePrivateDirectory(_ path: String) throws(BPFError) {
        var prefix = ""
        for part in path.split(separator: "/") {
            prefix += "/" + part
            try mkdir(prefix, mode: 0o700)
        }
        var st = stat()
        guard lstat(path, &st) == 0 else { throw .syscall(operation: "lstat(\(path))", errno: .current) }
        guard st.st_mode & S_IFMT == S_IFDIR, st.st_uid == geteuid(), st.st_mode & 0o077 == 0 else {
            throw .invalidArgument("\(path) is not a directory of user \(geteuid()) with mode 0700")
        }
    }

    /// Reads the regular file at `path` if this user owns it, others cannot write it, it is not
    /// a symbolic link and it has at most `maximumSize` bytes.
    package static func readPrivateFile(_ path: String, maximumSize: Int) throws(BPFError) -> [UInt8] {
        let fd = try open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK)
        var st = stat()
        guard fstat(fd.rawValue, &st) == 0 else { throw .syscall(operation: "fstat(\(path))", errno: .current) }
        guard st.st_mode & S_IFMT == S_IFREG, st.st_uid == geteuid(), st.st_mode & 0o022 == 0 else {
            throw .invalidArgument("\(path) is not a regular file of user \(geteuid()) that only it may write")
        }
        guard st.st_size >= 0, Int(st.st_size) <= maximumSize else {
            throw .invalidArgument("\(path) is \(st.st_size) bytes, more than the \(maximumSize) accepted")
        }
        return try readToEnd(fd, expecting: Int(st.st_size), path: path)
    }

    /// Replaces the file at `path` with `bytes` atomically: written to a new file beside it
    /// (mode 0600), then renamed over it, so a reader sees the old file or the new one, whole.
    package static func replaceFile(_ path: String, with bytes: [UInt8]) throws(BPFError) {
        // Unique per process and call: two writers of the same file never share a temporary.
        let temporary = "\(path).\(getpid()).\(replaceCounter.add(1, ordering: .relaxed).newValue).tmp"
        do throws(BPFError) {
            let fd = try open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: 0o600)
            try writeAll(fd, bytes, path: temporary)
            guard Glibc.rename(temporary, path) == 0 else {
                throw .syscall(operation: "rename(\(temporary), \(path))", errno: .current)
            }
        } catch {
            _ = Glibc.unlink(temporary)
            throw error
        }
    }
}
