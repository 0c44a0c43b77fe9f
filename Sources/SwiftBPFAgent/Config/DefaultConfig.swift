/// The configuration the agent runs with when no `--config` is given: the process, file and
/// TCP collectors and the two latency histograms, the API on loopback, no store, no export.
public enum DefaultConfig {
    public static let yaml = """
    # swiftbpf-agent built-in configuration (swiftbpf-agent --print-default-config)
    listen: "127.0.0.1:9464"
    log_level: info
    collectors:
      # exec, exit and open are counted in the kernel, exactly; at most max_events_per_second of
      # them (and for open one in `sample`) leave it as events for the store and the stream.
      exec: {priority: 90, max_events_per_second: 100}
      exit: {priority: 80, max_events_per_second: 100}
      open: {priority: 30, sample: 100, max_events_per_second: 100}
      tcp: {priority: 70, options: {tools: [connect, accept, life, retrans]}}
      runqlat: {priority: 40, interval_seconds: 5}
      biolatency: {priority: 40, interval_seconds: 5}
    metrics:
      max_series_per_family: 2000
      eviction_grace_seconds: 300
      bpf_stats: false
    store:
      path: null            # e.g. /var/lib/swiftbpf-agent/events.db
      retention_hours: 24
      max_size_mb: 512
    otlp:
      endpoint: null        # e.g. http://127.0.0.1:4318
    governor:
      cpu_percent: 0        # 0: no budget
      rss_mb: 0

    """
}
