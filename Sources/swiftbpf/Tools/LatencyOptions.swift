import ArgumentParser
import Glibc
import SwiftBPFTools

/// The options of the histogram tools (syscount -L, runqlat, biolatency): the interval, the
/// unit and linear buckets.
struct LatencyOptions: ParsableArguments {
    @Option(name: [.short, .long], parsing: .unconditional, help: "Print (and reset) the histograms every this many seconds; default: once at the end.")
    var interval: Double?

    @Flag(name: [.customShort("m"), .customLong("milliseconds")], help: "Histograms in milliseconds instead of microseconds.")
    var milliseconds = false

    @Option(parsing: .unconditional, help: "Linear buckets of this width (in the unit) instead of log2 buckets.")
    var linear: UInt64?

    var histogram: HistogramOptions { HistogramOptions(milliseconds: milliseconds, linearStep: linear) }

    func validate() throws {
        if let interval, !(interval > 0) { throw ValidationError("--interval must be positive") }
        if let linear, linear == 0 { throw ValidationError("--linear needs a bucket width of at least 1") }
    }
}

/// "HH:MM:SS" of the wall clock, as BCC's interval headers print it.
enum WallClock {
    static func hms() -> String {
        var t = time(nil)
        var tmv = tm()
        localtime_r(&t, &tmv)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(two(tmv.tm_hour)):\(two(tmv.tm_min)):\(two(tmv.tm_sec))"
    }
}
