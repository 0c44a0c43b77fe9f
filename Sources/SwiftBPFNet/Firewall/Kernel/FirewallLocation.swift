import BPF
import Glibc

/// Where a firewall's kernel objects are pinned: one bpffs directory per interface,
/// `ROOT/IFACE/`, holding the program, the XDP link and every map (pinned by name). The pins
/// keep the firewall running after the command that loaded it exits.
public struct FirewallLocation: Sendable, Equatable {
    /// The default root, `/sys/fs/bpf/swiftbpf/firewall`.
    public static let defaultRoot = "/sys/fs/bpf/swiftbpf/firewall"

    public let root: String
    public let interface: String

    /// The location of the firewall of `interface` under `root`.
    /// - Throws: `FirewallError` for a name that cannot be an interface's (empty, over 15
    ///   bytes, or with '/' or whitespace).
    public init(interface: String, root: String = FirewallLocation.defaultRoot) throws(FirewallError) {
        guard !interface.isEmpty, interface.utf8.count < Int(IF_NAMESIZE), interface != ".", interface != "..",
              !interface.contains(where: { $0 == "/" || $0.isWhitespace }) else {
            throw FirewallError("'\(interface)' is not an interface name")
        }
        self.root = root
        self.interface = interface
    }

    /// `ROOT/IFACE`: the maps' pin root.
    public var directory: String { root + "/" + interface }
    /// The pinned XDP link.
    public var linkPin: String { directory + "/link" }
    /// The pinned program.
    public var programPin: String { directory + "/program" }

    /// Whether a firewall is pinned here.
    public var isInstalled: Bool { Syscalls.exists(directory) }

    /// The interfaces with a firewall under `root`.
    public static func installed(root: String = FirewallLocation.defaultRoot) -> [String] {
        Directory.entries(root).sorted()
    }

    /// mkdir -p of the directory.
    func makeDirectory() throws(BPFError) {
        var current = ""
        for part in directory.split(separator: "/") {
            current += "/" + part
            try Syscalls.mkdir(current, mode: 0o700)
        }
    }

    /// Removes every pin in the directory and the directory, then the root and its parent if
    /// they are left empty. Returns the pins removed.
    @discardableResult
    func removeAll() -> [String] {
        var removed: [String] = []
        for name in Directory.entries(directory) {
            if (try? Syscalls.unlink(directory + "/" + name)) != nil { removed.append(name) }
        }
        try? Syscalls.rmdir(directory)
        // Only empty directories go; another interface's firewall keeps the root.
        try? Syscalls.rmdir(root)
        if root == Self.defaultRoot { try? Syscalls.rmdir("/sys/fs/bpf/swiftbpf") }
        return removed
    }
}

/// Directory listing (readdir), without "." and "..".
enum Directory {
    static func entries(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var out: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { out.append(name) }
        }
        return out
    }
}
