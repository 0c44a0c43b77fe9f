import Glibc

/// Monotonic time and small statistics for the benchmarks.
enum Clock {
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.isEmpty ? 0 : s[s.count / 2]
    }

    static func json(_ fields: [(String, String)]) -> String {
        "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    static func fixed(_ x: Double, _ digits: Int = 3) -> String {
        var p = 1.0
        for _ in 0..<digits { p *= 10 }
        return String(Double(Int((x * p).rounded())) / p)
    }
}
