import CBPF
import Glibc

extension Syscalls {
    /// Appends `text` to an existing file in one write(2) (`O_WRONLY | O_APPEND`), as control
    /// files such as tracefs `kprobe_events` expect: one command per write, and no truncation,
    /// which would remove every other probe.
    package static func appendFile(_ path: String, _ text: String) throws(BPFError) {
        let fd = try open(path, O_WRONLY | O_APPEND)
        let bytes = Array(text.utf8)
        while true {
            let n = bytes.withUnsafeBytes { Glibc.write(fd.rawValue, $0.baseAddress, $0.count) }
            if n >= 0 {
                guard n == bytes.count else { throw .invalidArgument("short write of '\(text)' to \(path): \(n) of \(bytes.count) bytes") }
                return
            }
            if BPFErrno.current == .EINTR { continue }
            throw .syscall(operation: "write('\(text)' to \(path))", errno: .current)
        }
    }
}
