import BPF
import SwiftBPFTools

enum Filesystem {
    /// mkdir -p, through the library's system-call layer; bpffs accepts directories too.
    /// Returns the directories it created, outermost first, so a failure can remove them.
    @discardableResult
    static func makeDirectory(_ path: String) throws -> [String] {
        var current = path.hasPrefix("/") ? "" : "."
        var created: [String] = []
        do {
            for part in path.split(separator: "/") {
                current += "/" + part
                if !Syscalls.exists(current) {
                    try Syscalls.mkdir(current, mode: 0o755)
                    created.append(current)
                }
            }
        } catch {
            removeDirectories(created)
            throw error
        }
        return created
    }

    /// Removes directories `makeDirectory` created (innermost first); ones no longer empty stay.
    static func removeDirectories(_ created: [String]) {
        for dir in created.reversed() { try? Syscalls.rmdir(dir) }
    }

    /// Checks that `path` is (or would be created) on bpffs before anything is pinned there.
    /// A path under /sys/fs/bpf while nothing is mounted there gets bpffs mounted first, as
    /// bpftool does, and says so on stderr.
    static func requireBPFFilesystem(for path: String, option: String) throws {
        if Syscalls.isOn(.bpf, path) { return }
        let mountPoint = PseudoFilesystem.bpf.conventionalMountPoint
        if path == mountPoint || path.hasPrefix(mountPoint + "/"), Syscalls.exists(mountPoint) {
            try Syscalls.mount(.bpf, at: mountPoint, options: "mode=0700")
            Output.error("swiftbpf: mounted bpffs at \(mountPoint) (nothing was mounted there)")
            if Syscalls.isOn(.bpf, path) { return }
        }
        throw CommandError("\(option) \(path) is not on a BPF filesystem (bpffs): pins can only be created under a bpffs mount such as \(mountPoint)")
    }
}
