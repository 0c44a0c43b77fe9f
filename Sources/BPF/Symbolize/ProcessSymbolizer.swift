import Synchronization

/// Turns user-space addresses of one process into symbols: the executable mapping of
/// /proc/PID/maps that holds the address gives the binary and the file offset, the binary's
/// `PT_LOAD` segments give the virtual address as linked, and its `.symtab`/`.dynsym` give the
/// function (demangled for Swift and C++).
///
/// Binaries are opened through /proc/PID/root (so a process in another mount namespace, such
/// as a container, resolves against its own files) and, once deleted or replaced on disk,
/// through /proc/PID/map_files; once the process is gone, at the path the maps named if the
/// file there still has the mapped inode. The maps are read when the symbolizer is made, and once more
/// on the first address that no mapping holds (a library loaded later); call `refresh()` to
/// read them again.
public final class ProcessSymbolizer: Sendable {
    /// The process id.
    public let pid: Int32
    private let cache: BinarySymbolCache
    private let state: Mutex<State>

    struct State {
        var mappings: [ProcessMapping]
        var refreshedOnMiss = false
    }

    /// Reads the process's maps.
    /// - Throws: `.syscall` (ENOENT) if the process does not exist.
    public init(pid: Int32, cache: BinarySymbolCache = .shared) throws(BPFError) {
        self.pid = pid
        self.cache = cache
        state = Mutex(State(mappings: try Self.executableMappings(pid: pid)))
    }

    /// Builds a symbolizer from maps read earlier (e.g. while the process was alive).
    public init(pid: Int32, mappings: [ProcessMapping], cache: BinarySymbolCache = .shared) {
        self.pid = pid
        self.cache = cache
        state = Mutex(State(mappings: mappings.filter { $0.isExecutable }, refreshedOnMiss: true))
    }

    /// The executable mappings in use (file-backed or not), in address order.
    public var mappings: [ProcessMapping] { state.locked { $0.mappings } }

    /// Reads /proc/PID/maps again.
    public func refresh() throws(BPFError) {
        let fresh = try Self.executableMappings(pid: pid)
        state.locked { $0.mappings = fresh }
    }

    /// The symbol that contains `address`, or nil: no executable file-backed mapping holds it,
    /// the binary cannot be read, or its symbol tables do not cover the address (stripped code).
    public func symbolize(_ address: UInt64) -> Symbol? {
        var mapping = state.locked { s in s.mappings.first { $0.contains(address) } }
        if mapping == nil {
            let retry = state.locked { s -> Bool in
                defer { s.refreshedOnMiss = true }
                return !s.refreshedOnMiss
            }
            if retry, (try? refresh()) != nil {
                mapping = state.locked { s in s.mappings.first { $0.contains(address) } }
            }
        }
        guard let mapping, mapping.isFileBacked,
              let symbols = try? binary(of: mapping).get() else { return nil }
        return symbols.symbolize(fileOffset: mapping.fileOffset(of: address))
    }

    /// The binary that backs an executable mapping, read (once) through the process's view.
    public func binary(of mapping: ProcessMapping) -> Result<BinarySymbols, BPFError> {
        let device = UInt64(mapping.deviceMajor) << 32 | UInt64(mapping.deviceMinor)
        let path: String
        if mapping.isDeleted {
            path = "/proc/\(pid)/map_files/\(String(mapping.start, radix: 16))-\(String(mapping.end, radix: 16))"
        } else {
            path = "/proc/\(pid)/root" + mapping.path
        }
        let display = mapping.isDeleted ? String(mapping.path.dropLast(" (deleted)".count)) : mapping.path
        let viaProc = cache.symbols(path: path, displayPath: display, device: device, inode: mapping.inode)
        if case .success = viaProc { return viaProc }
        // /proc/PID/root needs the process to be alive; the same file may still be at its path
        // (the same inode: not a file that replaced it, nor another mount namespace's file).
        guard !mapping.isDeleted, (try? Syscalls.inode(of: mapping.path)) == mapping.inode else { return viaProc }
        return cache.symbols(path: mapping.path, displayPath: display, device: device, inode: mapping.inode)
    }

    static func executableMappings(pid: Int32) throws(BPFError) -> [ProcessMapping] {
        try ProcessMaps.read(pid: pid).filter { $0.isExecutable }
    }
}
