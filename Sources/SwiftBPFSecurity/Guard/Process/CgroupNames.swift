import Glibc

/// cgroup v2 ids to directory paths, by walking the hierarchy (again when an id is new, at most
/// once a second, at most 100,000 directories).
final class CgroupNames {
    private var names: [UInt64: String] = [:]
    private var lastScan: Double = -1
    private let root: String?

    init(root: String? = SystemGuardResolver.cgroup2Mount()) { self.root = root }

    func path(of id: UInt64) -> String? {
        guard id != 0, let root else { return nil }
        if let name = names[id] { return name }
        let now = Self.now()
        guard now - lastScan >= 1 else { return nil }
        lastScan = now
        names = [:]
        var budget = 100_000
        scan(root, depth: 0, budget: &budget)
        return names[id]
    }

    private func scan(_ dir: String, depth: Int, budget: inout Int) {
        guard depth < 32, budget > 0 else { return }
        budget -= 1
        var st = stat()
        if stat(dir, &st) == 0 { names[UInt64(st.st_ino)] = dir }
        guard let d = opendir(dir) else { return }
        defer { closedir(d) }
        while let entry = readdir(d) {
            guard entry.pointee.d_type == UInt8(DT_DIR) else { continue }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            if name == "." || name == ".." { continue }
            scan(dir + "/" + name, depth: depth + 1, budget: &budget)
        }
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
