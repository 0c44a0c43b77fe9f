import CBPF
import Glibc

extension BPFCommands {
    /// `BPF_ITER_CREATE`: a new readable descriptor of the iterator behind `linkFD`; each one
    /// walks the iterated objects once, from the beginning.
    static func iterCreate(linkFD: Int32, name: String) throws(BPFError) -> FileDescriptor {
        var attr = bpf_attr()
        attr.iter_create.link_fd = UInt32(bitPattern: linkFD)
        return try Syscalls.bpfFD(BPF_ITER_CREATE, &attr, "BPF_ITER_CREATE(\(name))")
    }

    /// Reads `fd` to its end (EINTR retried): what an iterator's programs wrote with
    /// `bpf_seq_printf`/`bpf_seq_write`.
    static func readToEnd(_ fd: borrowing FileDescriptor, name: String) throws(BPFError) -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd.rawValue, $0.baseAddress, $0.count) }
            if n == 0 { return out }
            if n < 0 {
                if errno == EINTR { continue }
                throw .syscall(operation: "read(\(name))", errno: Errno(rawValue: errno))
            }
            out += chunk[0..<n]
        }
    }
}
