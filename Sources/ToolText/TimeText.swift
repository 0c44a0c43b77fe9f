import Glibc

/// Times and durations as the tools print them, without Foundation.
public enum TimeText {
    /// Seconds with three decimals ("1.250"): BCC's TIME(s) column and the JSON `time` fields.
    public static func seconds(_ t: Double) -> String { decimal(t, places: 3) }

    /// `t` with a fixed number of decimals, rounded.
    public static func decimal(_ t: Double, places: Int) -> String {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let negative = t < 0
        let scaled = Int64((abs(t) * scale).rounded())
        let unit = Int64(scale)
        let frac = String(scaled % unit)
        let body = places == 0 ? "\(scaled)" : "\(scaled / unit)." + String(repeating: "0", count: places - frac.count) + frac
        return negative ? "-" + body : body
    }

    /// Nanoseconds as milliseconds with two decimals, rounded half up (BCC tcplife's MS column).
    public static func milliseconds(nanoseconds ns: UInt64) -> String {
        let hundredths = (ns + 5_000) / 10_000
        let frac = String(hundredths % 100)
        return "\(hundredths / 100)." + (frac.count < 2 ? "0" : "") + frac
    }

    /// The wall clock's local time as "HH:MM:SS" (BCC's TIME column and interval headers).
    public static func wallClock() -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
    }

    /// Seconds of CLOCK_MONOTONIC: what the tools measure their run time and intervals with.
    public static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
