import SwiftBPFTools

extension ToolFilter {
    /// The common kernel-side filters of a collector's config.
    init(_ c: CollectorConfig) {
        self.init(pid: c.pid, comm: c.comm, uid: c.uid, cgroupPath: c.cgroup)
    }
}

extension CollectorConfig {
    /// A boolean option ("true"/"false"), `fallback` when absent.
    func flag(_ key: String, _ fallback: Bool = false) -> Bool {
        guard let v = options[key] else { return fallback }
        return v == "true" || v == "1" || v == "yes"
    }
}
