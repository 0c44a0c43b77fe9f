import Testing
@testable import SwiftBPFAgent

/// Parsing the YAML configuration (pure).
@Suite struct ConfigTests {
    @Test func builtInConfigParses() throws {
        let c = try AgentConfig.parse(yaml: DefaultConfig.yaml)
        #expect(c.enabledCollectors.map(\.name) == ["biolatency", "exec", "exit", "open", "runqlat", "tcp"])
        #expect(c.listen.isLoopback && c.listen.port == 9464)
        #expect(c.collectors["tcp"]?.options["tools"] == "connect,accept,life,retrans")
        #expect(c.store.path == nil && c.otlp.endpoint == nil)
    }

    @Test func errorsNameTheKey() {
        func message(_ yaml: String) -> String {
            do { _ = try AgentConfig.parse(yaml: yaml); return "" } catch { return error.message }
        }
        #expect(message("colectors: {}\n").contains("unknown key \"colectors\""))
        #expect(message("collectors: {exce: {}}\n").contains("collectors.exce: no such collector"))
        #expect(message("collectors: {exec: {sample: 0}}\n").contains("collectors.exec.sample"))
        #expect(message("collectors: {exec: {comm: abcdefghijklmnopq}}\n").contains("collectors.exec.comm"))
        #expect(message("listen: nowhere\n").contains("listen"))
        #expect(message("listen: \"10.0.0.1:80\"\n").contains("token_file"))
        #expect(message("otlp: {endpoint: \"localhost:4318\"}\n").contains("otlp.endpoint"))
        #expect(message("store: {batch_size: -1}\n").contains("batch_size"))
        #expect(message(": : :\n").contains("YAML") || message(": : :\n").contains("mapping"))
    }

    /// Scalars are read by YAMLFields, not by Yams' regular-expression resolver: YAML 1.1
    /// booleans in any case, numbers with underscores, nulls, and a quoted "true" is no boolean.
    @Test func scalarsAreReadWithoutTheResolver() throws {
        let c = try AgentConfig.parse(yaml: """
        metrics: {bpf_stats: Yes, cgroup_labels: off, max_series_per_family: 1_000}
        collectors:
          exec: {enabled: TRUE, max_events_per_second: 0x10, comm: 123}
          exit: {enabled: no}
          runqlat: {interval_seconds: 2.5}
        store: {path: null}
        """)
        #expect(c.metrics.bpfStats && !c.metrics.cgroupLabels && c.metrics.maxSeriesPerFamily == 1000)
        #expect(c.collectors["exec"]?.enabled == true && c.collectors["exec"]?.maxEventsPerSecond == 16)
        #expect(c.collectors["exec"]?.comm == "123", "a plain number is also the text it is written as")
        #expect(c.collectors["exit"]?.enabled == false)
        #expect(c.collectors["runqlat"]?.intervalSeconds == 2.5)
        #expect(c.store.path == nil)
        #expect(throws: ConfigError.self) { try AgentConfig.parse(yaml: "metrics: {bpf_stats: \"true\"}\n") }
        #expect(throws: ConfigError.self) { try AgentConfig.parse(yaml: "metrics: {bpf_stats: maybe}\n") }
        #expect(throws: ConfigError.self) { try AgentConfig.parse(yaml: "collectors: {exec: {max_events_per_second: -1}}\n") }
    }

    @Test func userMetricsParse() throws {
        let c = try AgentConfig.parse(yaml: """
        user_metrics:
          - name: conn
            object: /tmp/x.bpf.o
            metrics:
              - name: connects
                type: counter
                map: counts
                labels:
                  - {name: daddr, decoders: [ipv4]}
                  - {name: function, decoders: [ksym]}
                  - {name: port, decoders: [static_map], mapping: {"80": http}}
        """)
        let m = try #require(c.userMetrics.first?.metrics.first)
        #expect(m.labels.map(\.decoders) == [[.ipv4], [.ksym], [.staticMap]])
        #expect(m.labels[2].mapping == ["80": "http"])
        #expect(throws: ConfigError.self) {
            try AgentConfig.parse(yaml: "user_metrics: [{name: a, object: b, metrics: [{name: c, map: d, labels: [{name: e, decoders: [nope]}]}]}]")
        }
    }

    @Test func cgroupNamesFromPaths() {
        let n = CgroupLabels.names(path: "/system.slice/docker-0123abcd.scope")
        #expect(n.unit == "docker-0123abcd.scope" && n.container == "0123abcd")
        #expect(CgroupLabels.names(path: "/system.slice/ssh.service").unit == "ssh.service")
        #expect(CgroupLabels.names(path: "/user.slice").unit == "")
    }

    @Test func kernelHistogramRendering() {
        let h = KernelHistograms()
        var slots = [UInt64](repeating: 0, count: 64)
        slots[1] = 2   // value 1
        slots[4] = 3   // 8..15
        h.add("x_us", labels: [], slots: slots, unit: "microseconds")
        var buffer: [UInt8] = []
        h.emit(into: &buffer)
        let text = String(decoding: buffer, as: UTF8.self)
        #expect(text.contains("# TYPE x_us histogram"))
        #expect(text.contains("x_us_bucket{le=\"1\"} 2\n"))
        #expect(text.contains("x_us_bucket{le=\"7\"} 2\n"))
        #expect(text.contains("x_us_bucket{le=\"15\"} 5\n"))
        #expect(text.contains("x_us_bucket{le=\"+Inf\"} 5\n"))
        #expect(text.contains("x_us_count 5\n"))
    }
}
