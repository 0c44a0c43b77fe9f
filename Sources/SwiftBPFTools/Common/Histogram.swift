import ToolText
/// Histograms printed as BCC prints them (`print_log2_hist`, `print_linear_hist`), from slots
/// that the BPF program fills in a map.
public enum Histogram {
    /// BCC's log2 histogram. `slots[i]` counts values in [2^(i-1), 2^i - 1] (`tool_log2l`), so
    /// slot 1 is "0 -> 1". Prints nothing when every slot is 0.
    public static func log2(_ slots: [UInt64], unit: String) -> String {
        guard let last = slots.lastIndex(where: { $0 > 0 }) else { return "" }
        let wide = last > 32
        let maxCount = slots.max() ?? 0
        var lines = [wide ? "               \(Columns.pad(unit, 29)) : count     distribution"
                          : "     \(Columns.pad(unit, 19)) : count     distribution"]
        for i in 1...max(1, last) {
            var low: UInt64 = (i >= 64 ? 0 : (1 << UInt64(i))) >> 1
            let high: UInt64 = i >= 64 ? UInt64.max : (1 << UInt64(i)) - 1
            if low == high { low -= 1 }
            let count = i < slots.count ? slots[i] : 0
            let width = wide ? 20 : 10
            let stars = starBar(count, maxCount, wide ? 20 : 40)
            lines.append("\(Columns.leftPad(String(low), width)) -> \(Columns.pad(String(high), width)) : \(Columns.pad(String(count), 8)) |\(stars)|")
        }
        return lines.joined(separator: "\n")
    }

    /// BCC's linear histogram: `slots[i]` counts values in [base + i*step, base + (i+1)*step).
    public static func linear(_ slots: [UInt64], unit: String, base: UInt64 = 0, step: UInt64 = 1) -> String {
        guard let first = slots.firstIndex(where: { $0 > 0 }), let last = slots.lastIndex(where: { $0 > 0 }) else { return "" }
        let maxCount = slots.max() ?? 0
        var lines = ["     \(Columns.pad(unit, 13)) : count     distribution"]
        for i in first...last {
            lines.append("        \(Columns.pad(String(base + UInt64(i) * step), 10)) : \(Columns.pad(String(slots[i]), 8)) |\(starBar(slots[i], maxCount, 40))|")
        }
        return lines.joined(separator: "\n")
    }

    /// The histogram as JSON: `[{"low":L,"high":H,"count":C},...]` over the non-empty range.
    public static func log2JSON(_ slots: [UInt64]) -> String {
        guard let last = slots.lastIndex(where: { $0 > 0 }) else { return "[]" }
        var items: [String] = []
        for i in 1...max(1, last) {
            var low: UInt64 = (i >= 64 ? 0 : (1 << UInt64(i))) >> 1
            let high: UInt64 = i >= 64 ? UInt64.max : (1 << UInt64(i)) - 1
            if low == high { low -= 1 }
            items.append("{\"low\":\(low),\"high\":\(high),\"count\":\(i < slots.count ? slots[i] : 0)}")
        }
        return "[" + items.joined(separator: ",") + "]"
    }

    /// BCC's `_stars`: `width * count / max` stars, the last one '+' when count exceeds max.
    static func starBar(_ count: UInt64, _ maxCount: UInt64, _ width: Int) -> String {
        guard maxCount > 0 else { return String(repeating: " ", count: width) }
        let n = min(width, Int(Double(width) * Double(count) / Double(maxCount)))
        var bar = String(repeating: "*", count: n)
        if count > maxCount, !bar.isEmpty { bar.removeLast(); bar += "+" }
        return bar + String(repeating: " ", count: width - bar.count)
    }
}
