import Glibc

/// Socket filters: a `socket_filter` program attached to one socket with `SO_ATTACH_BPF`. The
/// program sees each packet the socket would receive; it returns how many bytes to keep (0
/// drops the packet). The attachment lives as long as the socket (it is not a link), and a
/// second attach replaces the first.
public enum SocketFilter {
    /// `SO_ATTACH_BPF` (<asm-generic/socket.h>).
    static let attachOption: Int32 = 50
    /// `SO_DETACH_BPF` (= `SO_DETACH_FILTER`).
    static let detachOption: Int32 = 27
    /// `SO_LOCK_FILTER`.
    static let lockOption: Int32 = 44

    /// Attaches `program` (a `socket_filter` program) to the socket `socket` (a descriptor the
    /// caller owns), replacing any filter it had.
    package static func attach(program: Program, socket: Int32) throws(BPFError) {
        guard program.type == .socketFilter else {
            throw .invalidArgument("socket filter: program '\(program.name)' is \(program.type), not socket_filter")
        }
        try Syscalls.setSocketOption(socket, level: SOL_SOCKET, option: attachOption, value: program.fd,
                                     "SO_ATTACH_BPF(\(program.name) on socket \(socket))")
    }

    /// Removes the socket's filter. A socket without one answers ENOENT.
    public static func detach(socket: Int32) throws(BPFError) {
        try Syscalls.setSocketOption(socket, level: SOL_SOCKET, option: detachOption, value: Int32(0), "SO_DETACH_BPF(socket \(socket))")
    }

    /// Locks the socket's filter (`SO_LOCK_FILTER`): it can no longer be replaced or removed,
    /// even by root, for the life of the socket.
    public static func lock(socket: Int32) throws(BPFError) {
        try Syscalls.setSocketOption(socket, level: SOL_SOCKET, option: lockOption, value: Int32(1), "SO_LOCK_FILTER(socket \(socket))")
    }
}
