import CBPF
import Glibc

extension Syscalls {
    /// The largest input file `readRegularFile` accepts by default: far above any BPF object or
    /// BTF blob (vmlinux BTF is a few MiB), far below what would exhaust memory.
    package static let maximumInputFileSize = 1 << 30

    /// Reads a whole file given by a user (an object file, a BTF file): only a regular file of at
    /// most `maximumSize` bytes. A character device (`/dev/zero`), a FIFO, a socket or a
    /// directory is refused with its kind named, before anything is read; a FIFO is opened
    /// `O_NONBLOCK` so that the open itself cannot wait for a writer. Reads stop at the size
    /// `fstat` reported plus one byte, so a file that grows while read is refused too.
    package static func readRegularFile(_ path: String, maximumSize: Int = maximumInputFileSize) throws(BPFError) -> [UInt8] {
        let fd = try open(path, O_RDONLY | O_NONBLOCK)
        var st = stat()
        guard fstat(fd.rawValue, &st) == 0 else { throw .syscall(operation: "fstat(\(path))", errno: .current) }
        let kind = st.st_mode & S_IFMT
        guard kind == S_IFREG else {
            throw .invalidArgument("\(path) is \(fileKindName(kind)), not a regular file")
        }
        let size = Int(st.st_size)
        guard size <= maximumSize else {
            throw .invalidArgument("\(path) is \(size) bytes, more than the \(maximumSize) bytes accepted")
        }
        // Clear O_NONBLOCK again: it only mattered for the open.
        _ = fcntl(fd.rawValue, F_SETFL, 0)
        return try readToEnd(fd, expecting: size, path: path)
    }

    /// Reads `fd` to its end when `fstat` reported `size` bytes. One byte more is asked for, so
    /// that a file that grew while it was read is refused rather than cut short.
    static func readToEnd(_ fd: borrowing FileDescriptor, expecting size: Int, path: String) throws(BPFError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: size + 1)
        var done = 0
        while done < out.count {
            let n = out.withUnsafeMutableBytes { Glibc.read(fd.rawValue, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if BPFErrno.current == .EINTR { continue }
                throw .syscall(operation: "read(\(path))", errno: .current)
            }
            if n == 0 { break }
            done += n
        }
        guard done <= size else {
            throw .invalidArgument("\(path) grew while it was read (more than the \(size) bytes fstat reported)")
        }
        out.removeLast(out.count - done)
        return out
    }

    private static func fileKindName(_ kind: mode_t) -> String {
        switch kind {
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFIFO: return "a FIFO"
        case S_IFSOCK: return "a socket"
        case S_IFDIR: return "a directory"
        default: return "of file type 0o\(String(kind, radix: 8))"
        }
    }
}
