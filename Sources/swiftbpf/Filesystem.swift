import BPF

enum Filesystem {
    /// mkdir -p, through the library's system-call layer; bpffs accepts directories too.
    static func makeDirectory(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            try Syscalls.mkdir(current, mode: 0o755)
        }
    }
}
