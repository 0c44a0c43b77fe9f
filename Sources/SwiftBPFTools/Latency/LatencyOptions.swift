import ArgumentParser
import Glibc

/// The options of the histogram tools (syscount -L, runqlat, biolatency): the interval, the
/// unit and linear buckets.
public struct LatencyOptions: ParsableArguments, Sendable {
    @Option(name: [.short, .long], parsing: .unconditional, help: "Print (and reset) the histograms every this many seconds; default: once at the end.")
    public var interval: Double?

    @Flag(name: [.customShort("m"), .customLong("milliseconds")], help: "Histograms in milliseconds instead of microseconds.")
    public var milliseconds = false

    @Option(parsing: .unconditional, help: "Linear buckets of this width (in the unit) instead of log2 buckets.")
    public var linear: UInt64?

    public init() {}

    /// The unit and buckets, for the tool's kernel side.
    public var histogram: HistogramOptions { HistogramOptions(milliseconds: milliseconds, linearStep: linear) }

    public func validate() throws {
        if let interval, !(interval > 0) { throw ValidationError("--interval must be positive") }
        if let linear, linear == 0 { throw ValidationError("--linear needs a bucket width of at least 1") }
    }
}
