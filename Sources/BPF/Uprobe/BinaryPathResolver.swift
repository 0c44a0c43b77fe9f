/// Finds the file a uprobe attaches to from what the user wrote: an absolute or relative path,
/// a library name (`libc.so.6`, `libssl.so`, or short: `libc`, `c`), or an executable's name
/// (`bash`). As libbpf's `resolve_full_path`, with the dynamic linker's cache and, for a process,
/// its own mappings:
///
/// 1. A name with a '/' is a path. It must exist; with a pid, a path that exists only inside
///    the process's mount namespace is reached through `/proc/PID/root`.
/// 2. With a pid, a file the process has mapped whose base name is the name, or starts with the
///    name followed by '.' or '-' (`libc` → `libc.so.6`, `libc-2.31.so`), with or without `lib`.
/// 3. A library name (`*.so`, `*.so.*`): `LD_LIBRARY_PATH`, then `/etc/ld.so.cache`, then
///    `/usr/lib64`, `/usr/lib` and the architecture's directories (`/lib/x86_64-linux-gnu`, ...).
/// 4. Any other name: an executable in `PATH`, then `/usr/bin`, `/usr/sbin`; last, a short library
///    name in `/etc/ld.so.cache`.
///
/// The file system is reached only through the closures, so the rules are testable without files.
public struct BinaryPathResolver: Sendable {
    /// Whether a path exists.
    public var fileExists: @Sendable (String) -> Bool
    /// Whether a path is an executable file.
    public var isExecutable: @Sendable (String) -> Bool
    /// The paths of the files process `pid` has mapped, in /proc/PID/maps order.
    public var mappedFiles: @Sendable (Int32) throws(BPFError) -> [String]
    /// The dynamic linker's cache, if one could be read.
    public var ldCache: @Sendable () -> LdSoCache?
    /// `LD_LIBRARY_PATH`.
    public var libraryPath: String?
    /// `PATH`.
    public var executablePath: String?

    /// The architecture's library directories (libbpf's `arch_specific_lib_paths`).
    public static var architectureLibraryDirectories: [String] {
        #if arch(x86_64)
        ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu"]
        #elseif arch(arm64)
        ["/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu"]
        #else
        []
        #endif
    }

    /// A resolver over these file-system queries (tests pass fakes).
    public init(fileExists: @escaping @Sendable (String) -> Bool,
                isExecutable: @escaping @Sendable (String) -> Bool,
                mappedFiles: @escaping @Sendable (Int32) throws(BPFError) -> [String],
                ldCache: @escaping @Sendable () -> LdSoCache?,
                libraryPath: String?, executablePath: String?) {
        self.fileExists = fileExists
        self.isExecutable = isExecutable
        self.mappedFiles = mappedFiles
        self.ldCache = ldCache
        self.libraryPath = libraryPath
        self.executablePath = executablePath
    }

    /// The resolver of this process: the real file system, /proc, /etc/ld.so.cache and environment.
    public static var system: BinaryPathResolver {
        BinaryPathResolver(
            fileExists: { Syscalls.exists($0) },
            isExecutable: { Syscalls.isExecutable($0) },
            mappedFiles: { (pid) throws(BPFError) in try mappedFilePaths(maps: Syscalls.readFile("/proc/\(pid)/maps")) },
            ldCache: { try? LdSoCache.load() },
            libraryPath: Syscalls.environment("LD_LIBRARY_PATH"),
            executablePath: Syscalls.environment("PATH"))
    }

    /// Resolves `binary` (see the type's rules) for process `pid` (nil or -1: any process).
    /// - Throws: `.invalidArgument` for an empty name, `.missing` naming where it looked.
    public func resolve(_ binary: String, pid: Int32? = nil) throws(BPFError) -> String {
        guard !binary.isEmpty else { throw .invalidArgument("empty binary path") }
        guard !binary.utf8.contains(0) else { throw .invalidArgument("binary path '\(binary)' contains a NUL byte") }
        let pid = pid.flatMap { $0 > 0 ? $0 : nil }
        if binary.contains("/") {
            if fileExists(binary) { return binary }
            if let pid, binary.hasPrefix("/"), fileExists("/proc/\(pid)/root" + binary) { return "/proc/\(pid)/root" + binary }
            throw .missing("binary '\(binary)': no such file")
        }
        var looked: [String] = []
        if let pid {
            looked.append("the files mapped by process \(pid)")
            let mapped: [String]
            do {
                mapped = try mappedFiles(pid)
            } catch {
                if case let .syscall(_, errno) = error, errno == .ENOENT { throw .missing("process \(pid) (no /proc/\(pid)/maps)") }
                throw error
            }
            if let path = Self.bestMapped(binary, in: mapped) {
                if fileExists(path) { return path }
                if fileExists("/proc/\(pid)/root" + path) { return "/proc/\(pid)/root" + path }
            }
        }
        let isLibrary = binary.hasSuffix(".so") || binary.contains(".so.")
        if isLibrary {
            for dir in Self.split(libraryPath) where fileExists(dir + "/" + binary) { return dir + "/" + binary }
            looked.append("LD_LIBRARY_PATH")
            if let path = ldCache()?.path(of: binary), fileExists(path) { return path }
            looked.append("/etc/ld.so.cache")
            for dir in ["/usr/lib64", "/usr/lib"] + Self.architectureLibraryDirectories where fileExists(dir + "/" + binary) {
                return dir + "/" + binary
            }
            looked.append((["/usr/lib64", "/usr/lib"] + Self.architectureLibraryDirectories).joined(separator: ", "))
        } else {
            for dir in Self.split(executablePath) + ["/usr/bin", "/usr/sbin"] where isExecutable(dir + "/" + binary) {
                return dir + "/" + binary
            }
            looked.append("PATH, /usr/bin, /usr/sbin")
            if let path = ldCache()?.path(of: binary), fileExists(path) { return path }
            looked.append("/etc/ld.so.cache (as a short library name)")
        }
        throw .missing("binary '\(binary)': not found in \(looked.joined(separator: "; ")); give its path")
    }

    /// The mapped file that best matches `name`: base name equal, else base name starting with
    /// `name.` or `name-` (also with `lib` in front).
    static func bestMapped(_ name: String, in paths: [String]) -> String? {
        func base(_ p: String) -> Substring { p.split(separator: "/").last ?? Substring(p) }
        if let exact = paths.first(where: { base($0) == name }) { return exact }
        let stems = name.hasPrefix("lib") ? [name] : [name, "lib" + name]
        return paths.first { p in
            let b = base(p)
            return stems.contains { b.hasPrefix($0 + ".") || b.hasPrefix($0 + "-") }
        }
    }

    static func split(_ list: String?) -> [String] {
        (list ?? "").split(separator: ":").map(String.init).filter { !$0.isEmpty }
    }

    /// The distinct file paths of /proc/PID/maps text, in order (anonymous and `[pseudo]`
    /// mappings left out, ` (deleted)` kept). Pure.
    public static func mappedFilePaths(maps text: [UInt8]) -> [String] {
        var seen: Set<String> = []
        var out: [String] = []
        for line in text.split(separator: UInt8(ascii: "\n")) {
            // start-end perms offset dev inode path: the path is what follows the fifth field.
            var fields = 0
            var i = line.startIndex
            while i < line.endIndex, fields < 5 {
                while i < line.endIndex, line[i] != UInt8(ascii: " ") { i += 1 }
                while i < line.endIndex, line[i] == UInt8(ascii: " ") { i += 1 }
                fields += 1
            }
            guard fields == 5, i < line.endIndex, line[i] == UInt8(ascii: "/") else { continue }
            let path = String(decoding: line[i...], as: UTF8.self)
            if seen.insert(path).inserted { out.append(path) }
        }
        return out
    }
}
