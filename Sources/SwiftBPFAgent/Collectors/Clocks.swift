import Glibc

/// Converts the kernel's `bpf_ktime_get_ns()` (CLOCK_MONOTONIC) to wall-clock time.
enum Clocks {
    static func now(_ clock: clockid_t) -> Int64 {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// Nanoseconds to add to a monotonic time to get Unix time (read now; NTP steps move it).
    static func monotonicToWallOffset() -> Int64 { now(CLOCK_REALTIME) - now(CLOCK_MONOTONIC) }

    static func wallNanoseconds() -> Int64 { now(CLOCK_REALTIME) }
}
