import Foundation
import Glibc

/// The agent's own resource use, from /proc/self.
struct ProcessStats: Sendable, Equatable {
    /// Resident set size in bytes (`/proc/self/statm` field 2 × page size).
    var residentBytes: UInt64
    /// User + system CPU time in seconds (`/proc/self/stat` utime + stime).
    var cpuSeconds: Double

    static func read() -> ProcessStats? {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8) else { return nil }
        let pages = statm.split(separator: " ").dropFirst().first.flatMap { UInt64($0) } ?? 0
        // Fields after the ")" of comm: state is field 3; utime and stime are fields 14 and 15.
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let rest = stat[stat.index(after: close)...].split(separator: " ")
        guard rest.count > 12, let utime = Double(rest[11]), let stime = Double(rest[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ProcessStats(residentBytes: pages * UInt64(sysconf(Int32(_SC_PAGESIZE))), cpuSeconds: (utime + stime) / ticks)
    }
}
