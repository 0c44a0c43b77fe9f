import BPF
import Glibc

/// Where a pinned guard lives on bpffs: `ROOT/NAME/` with three folders, `maps/` (every map by
/// its name), `programs/` (every loaded program) and `links/` (every attachment, by the name of
/// the program it runs). The links keep the programs attached after the loading process exits;
/// removing the pins (and nothing else holding them) detaches and frees everything.
public struct GuardPinLocation: Sendable, Equatable {
    /// The default root, `/sys/fs/bpf/swiftbpf/guard`.
    public static let defaultRoot = "/sys/fs/bpf/swiftbpf/guard"
    /// The folders a guard's directory holds, and nothing else.
    static let folders = ["links", "programs", "maps"]

    public let root: String
    public let name: String

    /// The location of the pinned guard `name` under `root`.
    /// - Throws: `GuardPinError` for a name bpffs cannot hold or that would leave `root`
    ///   (empty, over 64 bytes, or other than letters, digits, '-' and '_'; bpffs refuses '.').
    public init(name: String, root: String = GuardPinLocation.defaultRoot) throws(GuardPinError) {
        guard Self.isValid(name) else {
            throw GuardPinError("'\(name)' cannot name a pinned guard: use 1 to 64 letters, digits, '-' or '_'")
        }
        self.root = root
        self.name = name
    }

    static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64 && name.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x2d || c == 0x5f
        }
    }

    /// A name for a guard from a policy file's path: its base name without the extension, with
    /// every character bpffs or `init(name:)` refuses replaced by '_' ("web.yaml" -> "web").
    public static func name(forPolicyFile path: String) -> String {
        var base = path.split(separator: "/").last.map(String.init) ?? path
        if let dot = base.firstIndex(of: "."), dot != base.startIndex { base = String(base[..<dot]) }
        let cleaned = String(String.UnicodeScalarView(base.unicodeScalars.prefix(64).map { s in
            s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s) || s == "-" || s == "_") ? s : "_"
        }))
        return cleaned.isEmpty ? "guard" : cleaned
    }

    /// `ROOT/NAME`.
    public var directory: String { root + "/" + name }
    var mapsDirectory: String { directory + "/maps" }
    var programsDirectory: String { directory + "/programs" }
    var linksDirectory: String { directory + "/links" }

    func mapPin(_ map: String) -> String { mapsDirectory + "/" + Self.pinName(map) }
    func programPin(_ program: String) -> String { programsDirectory + "/" + Self.pinName(program) }
    func linkPin(_ program: String) -> String { linksDirectory + "/" + Self.pinName(program) }

    /// bpffs refuses '.' in names (an internal map such as `.rodata`).
    static func pinName(_ name: String) -> String { String(name.map { $0 == "." ? "_" : $0 }) }

    /// Whether anything exists at `ROOT/NAME`.
    public var exists: Bool { Syscalls.exists(directory) }

    /// Whether `ROOT/NAME` is a guard's: a directory holding only the three folders, with guard's
    /// exec program pinned. Anything else there belongs to someone else and is never touched.
    public var holdsGuard: Bool {
        guard let entries = try? Syscalls.listDirectory(directory), !entries.isEmpty,
              entries.allSatisfy({ $0.isDirectory && Self.folders.contains($0.name) }) else { return false }
        return Syscalls.exists(programPin("guard_exec"))
    }

    /// The pinned guards under `root`, by name (directories that hold a guard; others are left out).
    public static func installed(root: String = GuardPinLocation.defaultRoot) -> [GuardPinLocation] {
        let entries = (try? Syscalls.listDirectory(root)) ?? []
        return entries.filter(\.isDirectory).compactMap { try? GuardPinLocation(name: $0.name, root: root) }
            .filter(\.holdsGuard).sorted { $0.name < $1.name }
    }

    /// The ids of the programs pinned here (each opened for its id and closed at once).
    func pinnedProgramIDs() -> Set<UInt32> {
        var ids: Set<UInt32> = []
        for entry in (try? Syscalls.listDirectory(programsDirectory)) ?? [] where !entry.isDirectory {
            if let id = try? Program.open(pinned: programsDirectory + "/" + entry.name).id { ids.insert(id) }
        }
        return ids
    }

    /// Checks that pins can be made under `root`: it must be on a bpffs mount.
    func requireBPFFilesystem() throws(GuardPinError) {
        guard Syscalls.isOn(.bpf, root) else {
            throw GuardPinError("\(root) is not on a BPF filesystem (bpffs): pins can only be made under a bpffs mount; mount one with 'mount -t bpf bpf /sys/fs/bpf' (or pass a root on bpffs)")
        }
    }

    /// Makes `ROOT/NAME` and its folders. `ROOT/NAME` itself must not exist yet (mkdir(2) without
    /// EEXIST tolerance), so that two loads of the same name cannot share it.
    func makeDirectories() throws(BPFError) {
        var current = ""
        for part in root.split(separator: "/") {
            current += "/" + part
            try Syscalls.mkdir(current, mode: 0o700)
        }
        guard Glibc.mkdir(directory, 0o700) == 0 else {
            throw .syscall(operation: "mkdir(\(directory))", errno: .current)
        }
        for folder in Self.folders { try Syscalls.mkdir(directory + "/" + folder, mode: 0o700) }
    }

    /// Removes the pins of the three folders (links first, so enforcement stops before anything
    /// else goes), the folders and the directory, then `root` and its parent when they are left
    /// empty. Entries that are not guard's are left where they are. Returns the pins removed.
    @discardableResult
    func removeAll() -> [String] {
        var removed: [String] = []
        for folder in Self.folders {
            let path = directory + "/" + folder
            for entry in (try? Syscalls.listDirectory(path)) ?? [] where !entry.isDirectory {
                if (try? Syscalls.unlink(path + "/" + entry.name)) != nil { removed.append(folder + "/" + entry.name) }
            }
            try? Syscalls.rmdir(path)
        }
        try? Syscalls.rmdir(directory)
        // Only empty directories go: another guard, or another tool's pins, keep them.
        try? Syscalls.rmdir(root)
        if root == Self.defaultRoot { try? Syscalls.rmdir("/sys/fs/bpf/swiftbpf") }
        return removed
    }
}

/// Why a pinned guard could not be loaded, read or removed; the text names the cause.
public struct GuardPinError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
