import CoreMetrics
import Metrics
import Prometheus
import Synchronization

/// The agent's metrics: counters and gauges through swift-metrics into a Prometheus registry
/// (and, when OTLP export is on, into the OTel backend as well, by a multiplexing factory),
/// with a cap on series per family; plus the kernel-side histograms (`KernelHistograms`).
/// One instance per agent: nothing here touches the process-wide `MetricsSystem`.
public final class AgentMetrics: Sendable {
    /// The Prometheus registry `/metrics` renders.
    public let registry: PrometheusCollectorRegistry
    let factory: any MetricsFactory
    let histograms = KernelHistograms()
    private let limits: Mutex<SeriesLimits>
    private let families = Mutex<[String: SeriesFamily]>([:])
    private let gauges = Mutex<[String: CoreMetrics.Gauge]>([:])

    struct SeriesLimits {
        var maxSeriesPerFamily: Int
        var evictionGraceNanoseconds: Int64
    }

    /// The label value a family's new label sets get once it holds `maxSeriesPerFamily` series.
    public static let overflowValue = "__overflow__"

    /// - Parameter extraFactory: another backend (OTel's) fed the same counters and gauges.
    init(config: MetricsConfig, extraFactory: (any MetricsFactory)? = nil) {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        let prometheus = PrometheusMetricsFactory(registry: registry)
        if let extraFactory {
            factory = MultiplexMetricsHandler(factories: [prometheus as any MetricsFactory, extraFactory])
        } else {
            factory = prometheus
        }
        limits = Mutex(SeriesLimits(maxSeriesPerFamily: config.maxSeriesPerFamily,
                                    evictionGraceNanoseconds: Int64(config.evictionGraceSeconds * 1e9)))
    }

    func update(config: MetricsConfig) {
        limits.locked {
            $0.maxSeriesPerFamily = config.maxSeriesPerFamily
            $0.evictionGraceNanoseconds = Int64(config.evictionGraceSeconds * 1e9)
        }
    }

    /// Adds `by` to the counter `family{labels}`. Every call for one family must pass the same
    /// label names in the same order (Prometheus requires one label set per family). A new label
    /// set beyond the family's cap is counted in its overflow series instead.
    func increment(_ family: String, _ labels: [(String, String)] = [], by: Int64 = 1, now: Int64 = Clocks.now(CLOCK_MONOTONIC)) {
        let max = limits.locked { $0.maxSeriesPerFamily }
        var overflowed = false
        let counter = families.locked { all -> CoreMetrics.Counter in
            let key = SeriesFamily.key(labels)
            if var f = all[family] {
                if let c = f.series[key] {
                    f.series[key]!.lastSeen = now
                    all[family] = f
                    return c.counter
                }
                if f.series.count >= max {
                    overflowed = true
                    let overflowLabels = labels.map { ($0.0, Self.overflowValue) }
                    if let c = f.overflow { return c }
                    let c = CoreMetrics.Counter(label: family, dimensions: overflowLabels, factory: factory)
                    f.overflow = c
                    all[family] = f
                    return c
                }
                let c = CoreMetrics.Counter(label: family, dimensions: labels, factory: factory)
                f.series[key] = SeriesFamily.Series(counter: c, lastSeen: now)
                all[family] = f
                return c
            }
            let c = CoreMetrics.Counter(label: family, dimensions: labels, factory: factory)
            all[family] = SeriesFamily(series: [key: SeriesFamily.Series(counter: c, lastSeen: now)])
            return c
        }
        counter.increment(by: by)
        if overflowed { self.incrementUncapped("swiftbpf_agent_series_overflow_total", [("family", family)]) }
    }

    /// A counter outside the caps (the agent's own bookkeeping families).
    func incrementUncapped(_ family: String, _ labels: [(String, String)], by: Int64 = 1) {
        let key = family + "|" + SeriesFamily.key(labels)
        let counter = families.locked { all -> CoreMetrics.Counter in
            if let c = all[key]?.series[""]?.counter { return c }
            let c = CoreMetrics.Counter(label: family, dimensions: labels, factory: factory)
            all[key] = SeriesFamily(series: ["": SeriesFamily.Series(counter: c, lastSeen: .max)], uncapped: true)
            return c
        }
        counter.increment(by: by)
    }

    /// Sets the gauge `name{labels}`.
    func gauge(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
        let key = name + "|" + SeriesFamily.key(labels)
        let g = gauges.locked { all -> CoreMetrics.Gauge in
            if let g = all[key] { return g }
            let g = CoreMetrics.Gauge(label: name, dimensions: labels, factory: factory)
            all[key] = g
            return g
        }
        g.record(value)
    }

    /// Removes series not updated for the grace period (processes and containers that are
    /// gone); returns how many went. Counted in `swiftbpf_agent_series_evicted_total`.
    @discardableResult
    func evictStale(now: Int64 = Clocks.now(CLOCK_MONOTONIC)) -> Int {
        let grace = limits.locked { $0.evictionGraceNanoseconds }
        var evicted: [(String, CoreMetrics.Counter)] = []
        families.locked { all in
            for (name, var f) in all where !f.uncapped {
                let stale = f.series.filter { now - $0.value.lastSeen > grace }
                guard !stale.isEmpty else { continue }
                for (k, s) in stale {
                    f.series[k] = nil
                    evicted.append((name, s.counter))
                }
                all[name] = f
            }
        }
        for (name, counter) in evicted {
            counter.destroy()
            incrementUncapped("swiftbpf_agent_series_evicted_total", [("family", name)])
        }
        for (name, count) in seriesCounts() { gauge("swiftbpf_agent_series", [("family", name)], Double(count)) }
        return evicted.count
    }

    /// Series per capped family (not counting the overflow series).
    func seriesCounts() -> [String: Int] {
        families.locked { all in
            var out: [String: Int] = [:]
            for (name, f) in all where !f.uncapped { out[name] = f.series.count }
            return out
        }
    }

    /// The Prometheus text exposition: the registry's families, then the kernel histograms.
    public func render() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(64 * 1024)
        registry.emit(into: &buffer)
        histograms.emit(into: &buffer)
        return buffer
    }
}

/// One capped counter family's series by label values.
struct SeriesFamily {
    struct Series {
        var counter: CoreMetrics.Counter
        var lastSeen: Int64
    }
    var series: [String: Series]
    var overflow: CoreMetrics.Counter?
    var uncapped = false

    init(series: [String: Series], uncapped: Bool = false) {
        self.series = series
        self.uncapped = uncapped
    }

    static func key(_ labels: [(String, String)]) -> String {
        labels.map(\.1).joined(separator: "\u{1}")
    }
}

import Glibc

extension AgentMetrics {
    /// Adds to a floating-point counter (CPU seconds), outside the caps.
    func incrementFloat(_ name: String, _ labels: [(String, String)] = [], by: Double) {
        CoreMetrics.FloatingPointCounter(label: name, dimensions: labels, factory: factory).increment(by: by)
    }
}
