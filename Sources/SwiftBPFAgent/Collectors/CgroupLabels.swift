import Synchronization
import SwiftBPFTools

/// Names for cgroup ids: the path under the cgroup v2 mount, the systemd unit and the
/// container id it shows. Unknown ids (cgroups that are gone) are remembered for a minute so
/// that a burst of their events does not walk the hierarchy again and again.
final class CgroupLabels: Sendable {
    struct Names: Sendable, Equatable {
        var path: String
        /// The innermost `*.service` or `*.scope` component, "" when none.
        var unit: String
        /// A container id from `docker-<id>.scope`, `cri-containerd-<id>.scope`, `libpod-<id>.scope`
        /// or a 64-hex component; "" when none.
        var container: String
    }

    private let paths = CgroupPaths()
    private let missing = Mutex<[UInt64: Int64]>([:])
    private let names = Mutex<[UInt64: Names]>([:])

    func names(of id: UInt64) -> Names {
        if id == 0 { return Names(path: "", unit: "", container: "") }
        if let known = names.locked({ $0[id] }) { return known }
        let now = Clocks.now(CLOCK_MONOTONIC)
        if let since = missing.locked({ $0[id] }), now - since < 60_000_000_000 {
            return Names(path: "", unit: "", container: "")
        }
        guard let path = paths.path(of: id) else {
            missing.locked { $0[id] = now }
            return Names(path: "", unit: "", container: "")
        }
        let n = Self.names(path: path)
        names.locked { $0[id] = n }
        return n
    }

    /// Unit and container of a cgroup path (pure).
    static func names(path: String) -> Names {
        let parts = path.split(separator: "/")
        let unit = parts.last { $0.hasSuffix(".service") || $0.hasSuffix(".scope") }.map(String.init) ?? ""
        var container = ""
        for p in parts.reversed() {
            var s = Substring(p)
            if s.hasSuffix(".scope") { s = s.dropLast(6) }
            for prefix in ["docker-", "cri-containerd-", "libpod-", "crio-"] where s.hasPrefix(prefix) {
                container = String(s.dropFirst(prefix.count))
            }
            if container.isEmpty, s.count == 64, s.allSatisfy(\.isHexDigit) { container = String(s) }
            if !container.isEmpty { break }
        }
        return Names(path: path, unit: unit, container: container)
    }
}
import Glibc
