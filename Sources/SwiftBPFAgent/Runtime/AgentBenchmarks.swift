import Foundation
import Logging

/// Measurements behind `Benchmarks/agent.sh` (`swiftbpf-agent --bench-store`, `--bench-metrics`).
public enum AgentBenchmarks {
    /// Ingests `count` synthetic events spread over the last 24 hours into a new store at
    /// `path`, in batches of 1,000; then times a query of the whole 24 hours (newest 1,000) and
    /// a filtered one. Returns one JSON line.
    public static func store(path: String, count: Int) throws -> String {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        var config = StoreConfig()
        config.batchSize = 1000
        config.flushIntervalMilliseconds = 100_000
        config.maxSizeMB = 100_000
        config.retentionHours = 48   // the 24 hours of events stay while they are written
        let store = try EventStore(config: config, path: path, logger: Logger(label: "bench"))
        defer { store.close() }
        let now = Clocks.wallNanoseconds()
        let step = 86_400_000_000_000 / Int64(max(count, 1))
        var batch: [AgentEvent] = []
        batch.reserveCapacity(1000)
        let start = Date()
        for i in 0..<count {
            batch.append(AgentEvent(timeNanoseconds: now - 86_400_000_000_000 + Int64(i) * step, kind: i % 3 == 0 ? "exec" : "open",
                                    collector: "bench", pid: UInt32(1000 + i % 500), ppid: 1, uid: 0, comm: "proc\(i % 50)",
                                    cgroupID: UInt64(i % 20), cgroup: "/bench", fields: ["path": "/tmp/file-\(i)", "ret": "0"]))
            if batch.count == 1000 {
                store.enqueue(batch)
                store.flush()
                batch.removeAll(keepingCapacity: true)
            }
        }
        store.enqueue(batch)
        store.flush()
        let ingest = Date().timeIntervalSince(start)
        let q0 = Date()
        let all = try store.query(EventQuery(since: now - 86_400_000_000_000, until: now + 1, limit: 1000))
        let query24h = Date().timeIntervalSince(q0)
        let q1 = Date()
        let filtered = try store.query(EventQuery(since: now - 86_400_000_000_000, until: now + 1, kind: "exec", pid: 1003, limit: 1000))
        let queryFiltered = Date().timeIntervalSince(q1)
        let stored = try store.count()
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        return String(format: "{\"events\":%d,\"stored\":%d,\"ingest_seconds\":%.3f,\"events_per_second\":%.0f,\"query_24h_newest_1000_ms\":%.2f,\"rows\":%d,\"query_24h_kind_pid_ms\":%.2f,\"rows_filtered\":%d,\"file_bytes\":%d}",
                      count, stored, ingest, Double(count) / ingest, query24h * 1000, all.count, queryFiltered * 1000, filtered.count, size)
    }

    /// Fills a metrics registry with `series` counter series (plus one kernel histogram) and
    /// times the `/metrics` rendering, median of 21 renders. Returns one JSON line.
    public static func metrics(series: Int) -> String {
        var config = MetricsConfig()
        config.maxSeriesPerFamily = series + 1
        let m = AgentMetrics(config: config)
        for i in 0..<series {
            m.increment("swiftbpf_agent_execs_total", [("comm", "proc\(i)"), ("unit", "u\(i % 100).service"), ("container", "")], by: Int64(i))
        }
        m.histograms.add("swiftbpf_agent_runqlat_microseconds", labels: [], slots: (0..<64).map { UInt64($0) }, unit: "microseconds")
        var times: [Double] = []
        var bytes = 0
        for _ in 0..<21 {
            let t = Date()
            bytes = m.render().count
            times.append(Date().timeIntervalSince(t))
        }
        times.sort()
        return String(format: "{\"series\":%d,\"bytes\":%d,\"render_median_ms\":%.2f,\"render_max_ms\":%.2f}", series, bytes, times[10] * 1000, times[20] * 1000)
    }
}
