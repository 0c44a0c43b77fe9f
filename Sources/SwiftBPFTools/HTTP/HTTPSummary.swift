import ToolText
/// The periodic summary of `swiftbpf http`: per (service, method, route, status class), the
/// request count, bytes both ways and a log2 histogram of latencies in microseconds. Pure.
public struct HTTPSummary: Sendable {
    public struct Key: Hashable, Sendable, Comparable {
        /// The process's command name.
        public var service: String
        public var role: HTTPRole
        public var method: String
        public var route: String
        /// "2xx", "4xx", ...
        public var statusClass: String

        public static func < (a: Key, b: Key) -> Bool {
            (a.service, a.role.rawValue, a.route, a.method, a.statusClass) < (b.service, b.role.rawValue, b.route, b.method, b.statusClass)
        }
    }

    public struct Row: Sendable {
        public var count: UInt64 = 0
        public var requestBytes: UInt64 = 0
        public var responseBytes: UInt64 = 0
        /// `slots[i]` counts latencies in [2^(i-1), 2^i - 1] µs, as `Histogram.log2` prints.
        public var slots = [UInt64](repeating: 0, count: 64)
        public var maxMicroseconds: UInt64 = 0
        public var totalMicroseconds: UInt64 = 0

        /// The latency below which `fraction` of the requests fell, as the upper bound of its slot.
        public func percentile(_ fraction: Double) -> UInt64 {
            guard count > 0 else { return 0 }
            let wanted = UInt64((Double(count) * fraction).rounded(.up))
            var seen: UInt64 = 0
            for (i, n) in slots.enumerated() {
                seen += n
                if seen >= wanted { return min(maxMicroseconds, i == 0 ? 0 : (1 << UInt64(min(i, 63))) - 1) }
            }
            return maxMicroseconds
        }
    }

    public let routes: RouteTemplates
    public private(set) var rows: [Key: Row] = [:]
    /// Keys at most; further keys are counted under route `{other}`.
    public let maxKeys: Int

    public init(routes: RouteTemplates, maxKeys: Int = 10_000) {
        self.routes = routes
        self.maxKeys = maxKeys
    }

    public mutating func add(_ e: HTTPExchange) {
        var key = Key(service: e.comm, role: e.role, method: e.method, route: routes.route(for: e.target),
                      statusClass: "\(e.status / 100)xx")
        if rows[key] == nil, rows.count >= maxKeys { key.route = "{other}" }
        var row = rows[key] ?? Row()
        row.count += 1
        row.requestBytes += UInt64(e.request.totalBytes)
        row.responseBytes += UInt64(e.response.totalBytes)
        let us = e.latencyNanoseconds / 1000
        row.slots[Int(min(63, us == 0 ? 1 : UInt64(64 - us.leadingZeroBitCount)))] += 1
        row.maxMicroseconds = max(row.maxMicroseconds, us)
        row.totalMicroseconds += us
        rows[key] = row
    }

    public mutating func reset() { rows.removeAll(keepingCapacity: true) }

    /// The summary as a table, sorted by service and route; with `histograms`, each row's
    /// latency histogram under it.
    public func table(histograms: Bool = false) -> String {
        var lines = [pad("SERVICE", 16) + pad("ROLE", 7) + pad("METHOD", 8) + pad("ROUTE", 32) + pad("STATUS", 7)
            + leftPad("COUNT", 8) + leftPad("REQ_B", 10) + leftPad("RESP_B", 10) + leftPad("P50_us", 9) + leftPad("P99_us", 9) + leftPad("MAX_us", 9)]
        for (k, r) in rows.sorted(by: { $0.key < $1.key }) {
            lines.append(pad(k.service, 16) + pad(k.role.rawValue, 7) + pad(k.method, 8) + pad(k.route, 32) + pad(k.statusClass, 7)
                + leftPad("\(r.count)", 8) + leftPad("\(r.requestBytes)", 10) + leftPad("\(r.responseBytes)", 10)
                + leftPad("\(r.percentile(0.5))", 9) + leftPad("\(r.percentile(0.99))", 9) + leftPad("\(r.maxMicroseconds)", 9))
            if histograms { lines.append(Histogram.log2(r.slots, unit: "usecs")) }
        }
        return lines.joined(separator: "\n")
    }

    /// One JSON object per row.
    public func jsonLines(time: Double? = nil) -> [String] {
        rows.sorted(by: { $0.key < $1.key }).map { k, r in
            var fields: [(String, String)] = []
            if let time { fields.append(("time", String(format3(time)))) }
            fields += [("service", JSON.string(k.service)), ("role", JSON.string(k.role.rawValue)), ("method", JSON.string(k.method)),
                       ("route", JSON.string(k.route)), ("status_class", JSON.string(k.statusClass)), ("count", "\(r.count)"),
                       ("request_bytes", "\(r.requestBytes)"), ("response_bytes", "\(r.responseBytes)"),
                       ("latency_us_p50", "\(r.percentile(0.5))"), ("latency_us_p99", "\(r.percentile(0.99))"),
                       ("latency_us_max", "\(r.maxMicroseconds)"), ("latency_us_sum", "\(r.totalMicroseconds)"),
                       ("latency_us_hist", Histogram.log2JSON(r.slots))]
            return JSON.object(fields)
        }
    }

    func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s + " " : s + String(repeating: " ", count: w - s.count) }
    func leftPad(_ s: String, _ w: Int) -> String { s.count >= w ? " " + s : String(repeating: " ", count: w - s.count) + s }
    func format3(_ t: Double) -> String {
        let ms = Int((t * 1000).rounded())
        let frac = String(ms % 1000)
        return "\(ms / 1000)." + String(repeating: "0", count: 3 - frac.count) + frac
    }
}
