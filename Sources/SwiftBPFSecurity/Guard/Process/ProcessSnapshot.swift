import Glibc

/// One process as /proc shows it when guard starts: the seed of the process caches.
public struct ProcessSnapshot: Sendable, Equatable {
    public var pid: UInt32
    public var ppid: UInt32
    public var comm: String
    public var uid: UInt32
    public var binary: FileID?
    public var binaryPath: String?
    /// True when the binary has no name left (memfd, deleted).
    public var fileless: Bool
    /// Start, nanoseconds since boot (clock ticks of /proc/PID/stat scaled: 10 ms precision).
    public var startNanoseconds: UInt64
    public var argv: [String]

    /// Every process in /proc; those that exit while being read are skipped.
    public static func all() -> [ProcessSnapshot] {
        ProcFiles.pids().compactMap(read(pid:))
    }

    public static func read(pid: UInt32) -> ProcessSnapshot? {
        guard let stat = ProcFiles.read("/proc/\(pid)/stat"),
              let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { return nil }
        let comm = String(stat[stat.index(after: open)..<close])
        // Fields after the comm: state(3) ppid(4) ... starttime(22).
        let rest = stat[stat.index(after: close)...].split(separator: " ")
        guard rest.count > 19, let ppid = UInt32(rest[1]), let ticks = UInt64(rest[19]) else { return nil }
        let hz = UInt64(max(1, sysconf(Int32(_SC_CLK_TCK))))
        var uid: UInt32 = 0
        if let status = ProcFiles.read("/proc/\(pid)/status") {
            for line in status.split(separator: "\n") where line.hasPrefix("Uid:") {
                uid = line.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().first.flatMap { UInt32($0) } ?? 0
            }
        }
        let link = ProcFiles.readlink("/proc/\(pid)/exe")
        let binary = FileID.of(path: "/proc/\(pid)/exe")
        let fileless = link.map { $0.hasSuffix(" (deleted)") || $0.hasPrefix("/memfd:") } ?? false
        let argv = ProcFiles.readBytes("/proc/\(pid)/cmdline", limit: 4096).map { bytes in
            bytes.split(separator: 0, omittingEmptySubsequences: false).dropLast(bytes.last == 0 ? 1 : 0).map { String(decoding: $0, as: UTF8.self) }
        } ?? []
        return ProcessSnapshot(pid: pid, ppid: ppid, comm: comm, uid: uid, binary: binary, binaryPath: link, fileless: fileless,
                               startNanoseconds: ticks * (1_000_000_000 / hz), argv: argv)
    }
}
