import Synchronization

/// The symbol tables of binaries, read once each and shared by every `ProcessSymbolizer` that
/// uses the cache (one binary, such as libc, serves every process that maps it). A binary that
/// cannot be read is remembered too, so it is not tried again for each address.
public final class BinarySymbolCache: Sendable {
    /// What identifies a binary: the path opened and the device and inode a maps line names.
    struct Key: Hashable, Sendable {
        var path: String
        var device: UInt64
        var inode: UInt64
    }

    private let tables = Mutex<[Key: Result<BinarySymbols, BPFError>]>([:])

    /// An empty cache.
    public init() {}

    /// A cache shared by the whole process.
    public static let shared = BinarySymbolCache()

    /// The symbols of the binary at `path` (opened as given: for another process, a path under
    /// /proc/PID/root or /proc/PID/map_files). `device` and `inode` tell apart files that
    /// replaced each other at one path.
    public func symbols(path: String, displayPath: String? = nil, device: UInt64 = 0, inode: UInt64 = 0) -> Result<BinarySymbols, BPFError> {
        let key = Key(path: path, device: device, inode: inode)
        if let known = tables.withLock({ $0[key] }) { return known }
        let loaded = Result { () throws(BPFError) in try BinarySymbols(path: path, displayPath: displayPath) }
        return tables.withLock { table in
            if let raced = table[key] { return raced }
            table[key] = loaded
            return loaded
        }
    }

    /// The number of binaries read (or tried).
    public var count: Int { tables.withLock { $0.count } }

    /// Forgets every binary.
    public func removeAll() { tables.withLock { $0.removeAll() } }
}
