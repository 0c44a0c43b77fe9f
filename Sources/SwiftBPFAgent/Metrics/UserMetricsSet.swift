import Logging
import Synchronization

/// The user-defined metrics (ebpf_exporter style): each configured object loaded and its maps
/// read into metrics every tick.
final class UserMetricsSet: Sendable {
    private let loaded = Mutex<[String: UserMetricObject]>([:])
    private let failures = Mutex<[String: String]>([:])
    private let logger: Logger

    init(logger: Logger) { self.logger = logger }

    /// Loads new or changed objects and unloads removed ones.
    func reconcile(_ configs: [UserMetricConfig], metrics: AgentMetrics) {
        let wanted = Dictionary(configs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let current = loaded.locked { $0 }
        for (name, object) in current where wanted[name] != object.config {
            object.stop()
            loaded.locked { _ = $0.removeValue(forKey: name) }
        }
        for (name, config) in wanted where loaded.locked({ $0[name] }) == nil {
            do {
                let object = try UserMetricObject(config: config)
                loaded.locked { $0[name] = object }
                failures.locked { _ = $0.removeValue(forKey: name) }
                logger.info("user metrics loaded", metadata: ["name": "\(name)", "object": "\(config.object)"])
            } catch {
                failures.locked { $0[name] = "\(error)" }
                logger.error("user metrics failed to load", metadata: ["name": "\(name)", "error": "\(error)"])
            }
        }
    }

    func read(into metrics: AgentMetrics) {
        for object in loaded.locked({ Array($0.values) }) { object.read(into: metrics) }
    }

    var status: [(name: String, loaded: Bool, error: String?)] {
        let l = loaded.locked { Set($0.keys) }
        let f = failures.locked { $0 }
        return (Array(l) + f.keys.filter { !l.contains($0) }).sorted().map { ($0, l.contains($0), f[$0]) }
    }

    func stopAll() {
        let all = loaded.locked { l -> [UserMetricObject] in
            let v = Array(l.values)
            l.removeAll()
            return v
        }
        for o in all { o.stop() }
    }
}
