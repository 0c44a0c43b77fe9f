import BPF
import Glibc

/// Finds the shared libraries of a workload's binaries on this host, the way the dynamic loader
/// would: each binary's `DT_NEEDED` names, transitively, searched in the requesting object's
/// `DT_RPATH` (when it has no `DT_RUNPATH`), its `DT_RUNPATH` (`$ORIGIN` expanded), then the
/// usual library directories. `/etc/ld.so.cache` and `LD_LIBRARY_PATH` are not read, so a
/// library found only through them is reported as not found. A script (`#!`) stands for its
/// interpreter, through `#!/usr/bin/env NAME` too. A name is looked up once (the loader does not
/// load the same soname twice); the walk is capped in depth, libraries and binaries.
///
/// Reads files (maps them read-only); the parsing is `DynamicLinkInfo`'s.
public struct LibraryWalk: Sendable {
    /// Where libraries are looked for after the object's own paths, in order.
    public var searchDirectories = ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"]
    /// Where `#!/usr/bin/env NAME` finds NAME.
    public var programDirectories = ["/usr/local/bin", "/usr/bin", "/bin"]
    /// `DT_NEEDED` levels followed below a binary, libraries recorded, binaries read.
    public var maxDepth = 8
    public var maxLibraries = 256
    public var maxBinaries = 128
    /// `#!` interpreters followed from one script (the kernel allows 4 levels too).
    static let maxInterpreterChain = 4
    static let machineX86_64: UInt16 = 62

    public init() {}

    /// The libraries of `programs` (binaries executed, or scripts) and of `opened`, shared objects
    /// the workload opened itself (`dlopen`: Python's extension modules, NSS modules), which
    /// count as libraries with their own `DT_NEEDED`.
    public func libraries(ofPrograms programs: [String], opened: [String] = []) -> LinkedLibraries {
        var out = LinkedLibraries()
        var names = Set<String>()
        var binaries = Set<String>()
        var queue: [Pending] = []
        var pending = programs
        var index = 0
        while index < pending.count {
            let program = Self.canonical(pending[index])
            index += 1
            guard !binaries.contains(program) else { continue }
            guard binaries.count < maxBinaries else {
                out.notes.append("more than \(maxBinaries) binaries: the rest were not read")
                break
            }
            binaries.insert(program)
            // A FIFO or device would block the open or read as something else: regular files only.
            guard Self.isRegularFile(program) else {
                out.notes.append("\(program): not read (no such regular file)")
                continue
            }
            if let interpreter = Self.scriptInterpreter(program, programDirectories) {
                if pending.count < maxBinaries * Self.maxInterpreterChain { pending.append(interpreter) }
                continue
            }
            let elf: ExecutableELF
            do { elf = try ExecutableELF(path: program) } catch {
                out.notes.append("\(program): not read (\(error))")
                continue
            }
            let info = DynamicLinkInfo(elf)
            guard info.isDynamic else {
                out.staticBinaries.append(program)
                continue
            }
            out.dynamicBinaries.append(program)
            if let loader = info.interpreter, !names.contains(LinkedLibraries.fileName(loader)) {
                let name = LinkedLibraries.fileName(loader)
                names.insert(name)
                out.libraries.append(.init(name: name, path: Self.canonical(loader), neededBy: program))
            }
            queue += info.needed.map { Pending(name: $0, requester: program, info: info, depth: 1) }
        }
        follow(&queue, into: &out, names: &names)
        // Objects the workload opened that are not already among the libraries (the loader
        // opens those too, under their real names: libz.so.1.2.13 is libz.so.1), and that are
        // ELF files (not /etc/ld.so.cache).
        for path in opened where Self.isSharedObject(path) {
            let canonical = Self.canonical(path)
            let name = LinkedLibraries.fileName(path)
            guard !names.contains(name), !out.libraries.contains(where: { $0.path == canonical }), out.libraries.count < maxLibraries,
                  Self.isRegularFile(path), let elf = try? ExecutableELF(path: path) else { continue }
            names.insert(name)
            out.libraries.append(.init(name: name, path: canonical, neededBy: "opened by the workload"))
            let info = DynamicLinkInfo(elf)
            queue = info.needed.map { Pending(name: $0, requester: canonical, info: info, depth: 1) }
            follow(&queue, into: &out, names: &names)
        }
        return out
    }

    /// Looks up the names in `queue` breadth first, adding what they need in turn; empties it.
    func follow(_ queue: inout [Pending], into out: inout LinkedLibraries, names: inout Set<String>) {
        var head = 0
        while head < queue.count {
            let item = queue[head]
            head += 1
            guard !names.contains(item.name) else { continue }
            guard out.libraries.count < maxLibraries else {
                let note = "more than \(maxLibraries) libraries: the rest were not resolved"
                if !out.notes.contains(note) { out.notes.append(note) }
                break
            }
            guard item.depth <= maxDepth else {
                out.notes.append("\(item.name) (needed by \(item.requester)): deeper than \(maxDepth) levels, not followed")
                names.insert(item.name)
                continue
            }
            names.insert(item.name)
            guard let (path, elf) = resolve(item) else {
                out.libraries.append(.init(name: item.name, path: nil, neededBy: item.requester))
                out.notes.append("\(item.name) (needed by \(item.requester)): not found in the library directories")
                continue
            }
            guard !out.libraries.contains(where: { $0.path == path }) else { continue }  // opened under its real name
            out.libraries.append(.init(name: item.name, path: path, neededBy: item.requester))
            let info = DynamicLinkInfo(elf)
            queue += info.needed.map { Pending(name: $0, requester: path, info: info, depth: item.depth + 1) }
        }
        queue = []
    }

    /// A library name waiting to be looked up, with the object that asked for it.
    struct Pending {
        var name: String
        var requester: String
        var info: DynamicLinkInfo
        var depth: Int
    }

    /// The first x86_64 ELF file named `item.name` along the search order.
    func resolve(_ item: Pending) -> (String, ExecutableELF)? {
        var candidates: [String]
        if item.name.contains("/") {
            candidates = [item.name]
        } else {
            let origin = LinkedLibraries.directory(item.requester)
            let own = (item.info.runpath.isEmpty ? item.info.rpath : []) + item.info.runpath
            let directories = own.map { $0.replacingOrigin(with: origin) } + searchDirectories
            candidates = directories.map { $0 + "/" + item.name }
        }
        for path in candidates {
            guard Self.isRegularFile(path), let elf = try? ExecutableELF(path: path), elf.machine == Self.machineX86_64 else { continue }
            return (Self.canonical(path), elf)
        }
        return nil
    }

    /// A file name of a shared object: `libfoo.so`, `libfoo.so.1.2`, `_ssl.cpython-311-x86_64-linux-gnu.so`.
    static func isSharedObject(_ path: String) -> Bool {
        let name = LinkedLibraries.fileName(path)
        return name.hasSuffix(".so") || name.contains(".so.")
    }

    /// The interpreter of a `#!` script (the program `env` starts, for `#!/usr/bin/env NAME`),
    /// nil if `path` is not a script.
    static func scriptInterpreter(_ path: String, _ programDirectories: [String]) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 2 else { return nil }
        return ScriptLine.interpreter(Array(buffer[..<n]), programDirectories: programDirectories) { access($0, X_OK) == 0 }
    }

    /// Whether `path` is (or links to) a regular file.
    static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// `realpath`, or the path itself if it cannot be resolved.
    static func canonical(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

extension String {
    /// `$ORIGIN` and `${ORIGIN}` in a run path replaced by the object's directory.
    func replacingOrigin(with origin: String) -> String {
        var out = ""
        var rest = Substring(self)
        while let dollar = rest.firstIndex(of: "$") {
            out += rest[..<dollar]
            let after = rest[dollar...]
            let token = ["${ORIGIN}", "$ORIGIN"].first { after.hasPrefix($0) }
            out += token == nil ? "$" : origin
            rest = after.dropFirst(token?.count ?? 1)
        }
        return out + rest
    }
}
