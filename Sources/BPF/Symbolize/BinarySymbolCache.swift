import Synchronization

/// The symbol tables of binaries, read once each and shared by every `ProcessSymbolizer` that
/// uses the cache (one binary, such as libc, serves every process that maps it). A binary that
/// cannot be read is remembered too, so it is not tried again for each address.
///
/// A binary read successfully is found again by its file identity (the device and inode the
/// maps line names) whatever path it is opened at: each process opens its binaries through its
/// own /proc/PID/root, so a path key alone read a 200 MB compiler once per process sampled.
/// A failure is remembered by path only (the same file may still be readable at another path,
/// e.g. once /proc/PID/root is gone with its process).
public final class BinarySymbolCache: Sendable {
    /// What identifies an attempt: the path opened and the device and inode a maps line names.
    struct Key: Hashable, Sendable {
        var path: String
        var device: UInt64
        var inode: UInt64
    }

    /// A file, whatever path it is reached at.
    struct FileIdentity: Hashable, Sendable {
        var device: UInt64
        var inode: UInt64
    }

    struct Tables {
        var attempts: [Key: Result<BinarySymbols, BPFError>] = [:]
        var files: [FileIdentity: BinarySymbols] = [:]
    }

    private let tables = Mutex<Tables>(Tables())

    /// An empty cache.
    public init() {}

    /// A cache shared by the whole process.
    public static let shared = BinarySymbolCache()

    /// The symbols of the binary at `path` (opened as given: for another process, a path under
    /// /proc/PID/root or /proc/PID/map_files). `device` and `inode` tell apart files that
    /// replaced each other at one path and, when `inode` is not 0, let a binary read through one
    /// process's path serve another's (its `displayPath` is then the first reader's).
    public func symbols(path: String, displayPath: String? = nil, device: UInt64 = 0, inode: UInt64 = 0) -> Result<BinarySymbols, BPFError> {
        let key = Key(path: path, device: device, inode: inode)
        let file = inode != 0 ? FileIdentity(device: device, inode: inode) : nil
        if let known = tables.locked({ t in file.flatMap { t.files[$0] }.map { .success($0) } ?? t.attempts[key] }) { return known }
        let loaded = Result { () throws(BPFError) in try BinarySymbols(path: path, displayPath: displayPath) }
        return tables.locked { t in
            if let raced = file.flatMap({ t.files[$0] }) { return .success(raced) }
            if let raced = t.attempts[key] { return raced }
            t.attempts[key] = loaded
            if let file, case let .success(symbols) = loaded { t.files[file] = symbols }
            return loaded
        }
    }

    /// The number of binaries read (or tried).
    public var count: Int { tables.locked { $0.attempts.count } }

    /// Forgets every binary.
    public func removeAll() { tables.locked { $0 = Tables() } }
}
