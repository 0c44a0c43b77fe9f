import BPF
import ToolText

/// How the latency tools (syscount, runqlat, biolatency) slot their values: the unit (µs or
/// ms) and log2 (BCC's default) or linear buckets. The BPF programs read these as
/// `unit_msecs` and `linear_step` globals and fill the slots in the kernel.
public struct HistogramOptions: Sendable, Equatable {
    /// Milliseconds instead of microseconds.
    public var milliseconds: Bool
    /// Linear buckets of this width (in the unit); nil for log2 buckets.
    public var linearStep: UInt64?

    public init(milliseconds: Bool = false, linearStep: UInt64? = nil) {
        self.milliseconds = milliseconds
        self.linearStep = linearStep
    }

    /// "usecs" or "msecs", as BCC labels the value column.
    public var unit: String { milliseconds ? "msecs" : "usecs" }

    /// Writes `unit_msecs` and `linear_step` into the program's globals before load.
    public func apply(to options: inout LoadOptions) throws(BPFError) {
        if let linearStep, linearStep == 0 { throw .invalidArgument("--linear needs a bucket width of at least 1") }
        options.set("unit_msecs", to: UInt8(milliseconds ? 1 : 0))
        options.set("linear_step", to: linearStep ?? 0)
    }

    /// The histogram as BCC prints it (`print_log2_hist` or `print_linear_hist`).
    public func render(_ slots: [UInt64]) -> String {
        if let linearStep { return Histogram.linear(slots, unit: unit, base: 0, step: linearStep) }
        return Histogram.log2(slots, unit: unit)
    }

    /// The histogram as JSON `[{"low":L,"high":H,"count":C},...]`, bounds inclusive, in `unit`.
    /// Linear buckets cover [i*step, (i+1)*step - 1]; the last slot also counts every larger value.
    public func json(_ slots: [UInt64]) -> String {
        guard let linearStep else { return Histogram.log2JSON(slots) }
        guard let first = slots.firstIndex(where: { $0 > 0 }), let last = slots.lastIndex(where: { $0 > 0 }) else { return "[]" }
        return "[" + (first...last).map { i in
            let low = UInt64(i) &* linearStep
            return "{\"low\":\(low),\"high\":\(low &+ linearStep &- 1),\"count\":\(slots[i])}"
        }.joined(separator: ",") + "]"
    }

    /// The slot a value lands in, as the BPF programs compute it (`tool_log2l` or value/step,
    /// capped at the last slot): for tests and for readers of the JSON.
    public func slot(of value: UInt64) -> Int {
        let s: UInt64
        if let linearStep, linearStep > 0 {
            s = value / linearStep
        } else {
            s = value == 0 ? 1 : UInt64(64 - value.leadingZeroBitCount)
        }
        return Int(min(s, UInt64(toolMaxSlots - 1)))
    }
}

/// `TOOL_MAX_SLOTS` of swiftbpf_tool.h.
let toolMaxSlots = 64
