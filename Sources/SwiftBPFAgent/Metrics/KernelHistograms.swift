import Synchronization

/// Histograms the kernel builds (log2 slots: slot 0 counts 0, slot i counts 2^(i-1) to 2^i-1),
/// kept as running totals and rendered as Prometheus histograms. They are rendered here and
/// not through swift-prometheus's Histogram, which takes one observation per call: the kernel
/// has already aggregated millions of observations into 64 counts, and this keeps them exact.
final class KernelHistograms: Sendable {
    /// The buckets exposed: le = 2^i - 1 for i in 0...maxExponent (2^26 µs ≈ 67 s), then +Inf.
    static let maxExponent = 26

    private struct Series {
        var labels: [(String, String)]
        var slots: [UInt64]
    }
    private struct Family {
        var unit: String
        var series: [String: Series] = [:]
    }
    private let families = Mutex<[String: Family]>([:])

    /// Adds a read of the kernel's slots to the family's totals.
    func add(_ name: String, labels: [(String, String)], slots: [UInt64], unit: String) {
        let key = labels.map { "\($0.0)=\($0.1)" }.joined(separator: ",")
        families.locked { all in
            var f = all[name] ?? Family(unit: unit)
            var s = f.series[key] ?? Series(labels: labels, slots: [UInt64](repeating: 0, count: 64))
            for (i, n) in slots.prefix(64).enumerated() { s.slots[i] &+= n }
            f.series[key] = s
            all[name] = f
        }
    }

    /// Observations so far in `name` (all series).
    func count(_ name: String) -> UInt64 {
        families.locked { all in all[name]?.series.values.reduce(0) { $0 + $1.slots.reduce(0, +) } ?? 0 }
    }

    func emit(into buffer: inout [UInt8]) {
        let snapshot = families.locked { $0 }
        var text = ""
        for (name, f) in snapshot.sorted(by: { $0.key < $1.key }) {
            text += "# HELP \(name) Kernel-side log2 histogram, in \(f.unit) (_sum estimated from bucket midpoints).\n"
            text += "# TYPE \(name) histogram\n"
            for (_, s) in f.series.sorted(by: { $0.key < $1.key }) {
                let base = s.labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",")
                let prefix = base.isEmpty ? "" : base + ","
                var cumulative: UInt64 = 0
                var sum: Double = 0
                for (i, n) in s.slots.enumerated() where n > 0 {
                    sum += Double(n) * Self.midpoint(slot: i)
                }
                for i in 0...Self.maxExponent {
                    cumulative += s.slots[i]
                    let le = (UInt64(1) << UInt64(i)) - 1
                    text += "\(name)_bucket{\(prefix)le=\"\(le)\"} \(cumulative)\n"
                }
                let total = s.slots.reduce(0, +)
                text += "\(name)_bucket{\(prefix)le=\"+Inf\"} \(total)\n"
                let labelText = base.isEmpty ? "" : "{\(base)}"
                text += "\(name)_sum\(labelText) \(sum)\n"
                text += "\(name)_count\(labelText) \(total)\n"
            }
        }
        buffer.append(contentsOf: Array(text.utf8))
    }

    /// The middle of slot i's range [2^(i-1), 2^i - 1]; 0 for slot 0.
    static func midpoint(slot i: Int) -> Double {
        guard i > 0 else { return 0 }
        let low = Double(UInt64(1) << UInt64(i - 1))
        let high = i >= 64 ? Double(UInt64.max) : Double((UInt64(1) << UInt64(i)) - 1)
        return (low + high) / 2
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}

import Foundation
