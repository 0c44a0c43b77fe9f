import Foundation
import Glibc

/// `kernel.bpf_stats_enabled`: while set, the kernel counts every program's runs and run time
/// (`bpf_prog_info.run_cnt`, `run_time_ns`). The agent sets it when configured and puts back
/// the value it found at exit.
enum BPFStatsSwitch {
    static let path = "/proc/sys/kernel/bpf_stats_enabled"

    static func read() -> Bool? {
        (try? String(contentsOfFile: path, encoding: .utf8)).map { $0.hasPrefix("1") }
    }

    /// Writes the sysctl in place (a sysctl file cannot be replaced by rename).
    @discardableResult
    static func write(_ on: Bool) -> Bool {
        let fd = open(path, O_WRONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return Glibc.write(fd, on ? "1\n" : "0\n", 2) == 2
    }
}
