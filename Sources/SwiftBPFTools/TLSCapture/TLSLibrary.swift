import BPF
import Glibc

/// A file whose TLS functions the uprobes attach to: a shared TLS library, or a program that
/// links one statically (found by its symbols).
public struct TLSLibrary: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// OpenSSL 1.1 or 3 (and libraries with its API, such as BoringSSL).
        case openssl
        case gnutls
    }

    /// The file's path, as this process can open it (under /proc/PID/root for a process in
    /// another mount namespace).
    public var path: String
    public var kind: Kind
    /// True when the file is a program with the library linked in.
    public var isStatic: Bool

    public var description: String { "\(path) (\(kind.rawValue)\(isStatic ? ", static" : ""))" }

    /// The functions probed, in the order of `TLSProbes`: (symbol, entry program role).
    public var functions: [(symbol: String, role: TLSProbes.Role)] {
        switch kind {
        case .openssl:
            [("SSL_write", .opensslWrite), ("SSL_read", .opensslRead), ("SSL_write_ex", .opensslWriteEx),
             ("SSL_read_ex", .opensslReadEx), ("SSL_do_handshake", .opensslHandshake)]
        case .gnutls:
            [("gnutls_record_send", .gnutlsSend), ("gnutls_record_recv", .gnutlsRecv), ("gnutls_handshake", .gnutlsHandshake)]
        }
    }
}

/// Finds the TLS libraries to probe: in the running processes' mappings (/proc/PID/maps), in
/// the dynamic linker's cache (so processes that start later are covered: a uprobe on a file
/// fires in every process that maps it), and in programs that link one statically.
public enum TLSLibraryFinder {
    /// File names of the shared TLS libraries (`libssl.so.3`, `libssl.so.1.1`, `libgnutls.so.30`).
    public static func kind(ofLibraryNamed name: Substring) -> TLSLibrary.Kind? {
        if name.hasPrefix("libssl.so") || name.hasPrefix("libssl3.so") { return .openssl }
        if name.hasPrefix("libgnutls.so") { return .gnutls }
        return nil
    }

    /// The TLS libraries among the mapped files of a /proc/PID/maps text. Pure.
    public static func libraries(inMaps text: [UInt8], root: String = "") -> [TLSLibrary] {
        BinaryPathResolver.mappedFilePaths(maps: text).compactMap { path in
            guard !path.hasSuffix(" (deleted)"), let name = path.split(separator: "/").last, let kind = kind(ofLibraryNamed: name) else { return nil }
            return TLSLibrary(path: root + path, kind: kind, isStatic: false)
        }
    }

    /// What `path` links statically: the TLS library whose functions it defines itself, if any.
    /// Files larger than `maxStaticScanBytes` are not searched (a compiler's 100 MB symbol table
    /// would slow the start down for nothing); name them with --binary instead.
    public static func staticKind(of path: String, maxStaticScanBytes: Int = 64 << 20) -> TLSLibrary.Kind? {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, Int(st.st_size) <= maxStaticScanBytes else { return nil }
        guard let elf = try? ExecutableELF(path: path) else { return nil }
        for (symbol, kind) in [("SSL_write", TLSLibrary.Kind.openssl), ("gnutls_record_send", .gnutls)] {
            if let found = try? elf.symbols(named: symbol), found.contains(where: { $0.isDefined && $0.type == .function }) {
                return kind
            }
        }
        return nil
    }

    /// The libraries of process `pid`: its mapped TLS libraries, and its program if it links
    /// one statically.
    public static func libraries(ofProcess pid: Int32) throws(BPFError) -> [TLSLibrary] {
        let maps = try Syscalls.readFile("/proc/\(pid)/maps")
        return libraries(inMaps: maps, root: "/proc/\(pid)/root") + (staticLibrary(ofProcess: pid).map { [$0] } ?? [])
    }

    /// Process `pid`'s program, if it links a TLS library statically.
    public static func staticLibrary(ofProcess pid: Int32) -> TLSLibrary? {
        let exe = "/proc/\(pid)/exe"
        guard let kind = staticKind(of: exe), let target = try? Syscalls.readLink(exe) else { return nil }
        return TLSLibrary(path: "/proc/\(pid)/root" + target, kind: kind, isStatic: true)
    }

    /// The shared TLS libraries the dynamic linker would load (from ld.so.cache and the usual
    /// folders), and those mapped by running processes.
    public static func systemLibraries() -> [TLSLibrary] {
        var out: [TLSLibrary] = []
        for (name, kind) in [("libssl.so.3", TLSLibrary.Kind.openssl), ("libssl.so.1.1", .openssl), ("libgnutls.so.30", .gnutls)] {
            if let path = try? BinaryPathResolver.system.resolve(name) { out.append(TLSLibrary(path: path, kind: kind, isStatic: false)) }
        }
        for pid in processIDs() {
            guard let maps = try? Syscalls.readFile("/proc/\(pid)/maps") else { continue }
            out += libraries(inMaps: maps, root: "/proc/\(pid)/root")
        }
        return out
    }

    /// The pids in /proc.
    public static func processIDs() -> [Int32] {
        guard let dir = opendir("/proc") else { return [] }
        defer { closedir(dir) }
        var pids: [Int32] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if let pid = Int32(name) { pids.append(pid) }
        }
        return pids
    }
}

/// One file, identified by device and inode: the same library reached through different paths
/// (symlinks, /proc/PID/root of processes in the same mount namespace) is probed once.
struct FileIdentity: Hashable {
    var device: UInt64
    var inode: UInt64

    init?(path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
    }
}
