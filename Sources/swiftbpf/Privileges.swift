import BPF

/// The capabilities BPF work needs and whether this process has them in its effective set
/// (`CapEff` in /proc/self/status), for commands whose answers depend on them.
struct Privileges {
    /// The capabilities the probes need: loading (CAP_BPF, or CAP_SYS_ADMIN before 5.8),
    /// tracing programs and perf events (CAP_PERFMON), network programs (CAP_NET_ADMIN).
    static let needed: [(name: String, bit: Int)] = [
        ("CAP_SYS_ADMIN", 21), ("CAP_NET_ADMIN", 12), ("CAP_PERFMON", 38), ("CAP_BPF", 39),
    ]

    /// The effective capability mask, or nil if /proc/self/status cannot be read.
    let effective: UInt64?

    init() {
        let text = (try? Syscalls.readFile("/proc/self/status")).map { String(decoding: $0, as: UTF8.self) } ?? ""
        effective = Self.effectiveMask(status: text)
    }

    /// `CapEff:` of a /proc/PID/status text (hex).
    static func effectiveMask(status: String) -> UInt64? {
        for line in status.split(separator: "\n") where line.hasPrefix("CapEff:") {
            return UInt64(line.dropFirst("CapEff:".count).filter { !$0.isWhitespace }, radix: 16)
        }
        return nil
    }

    /// The needed capabilities this process lacks (all of them when the mask is unknown).
    var missing: [String] {
        Self.needed.filter { cap in
            guard let effective else { return true }
            return effective & (UInt64(1) << UInt64(cap.bit)) == 0
        }.map(\.name)
    }
}
