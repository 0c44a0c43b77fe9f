import Glibc

extension Syscalls {
    /// getpid(2): this process's id (used in names of tracefs events the process creates).
    package static var processID: Int32 { getpid() }
}
