import Foundation
import Synchronization

/// The overhead governor: every interval it compares the agent's CPU (share of one core since
/// the last check) and RSS with the budget. Over budget, it sheds the running collector with
/// the lowest priority; well under budget (below half) for three checks, it restores the shed
/// collector with the highest priority. Every decision is kept for the API and counted.
final class Governor: Sendable {
    /// One decision, as the API reports it.
    struct Decision: Sendable {
        var timeNanoseconds: Int64
        var action: String
        var collector: String
        var reason: String
    }

    private struct State {
        var config: GovernorConfig
        var lastCheck: (time: Int64, cpu: Double)?
        var calmChecks = 0
        var decisions: [Decision] = []
        var lastCPUPercent: Double = 0
    }
    private let state: Mutex<State>

    init(config: GovernorConfig) { state = Mutex(State(config: config)) }

    func update(config: GovernorConfig) { state.locked { $0.config = config } }

    var decisions: [Decision] { state.locked { $0.decisions } }
    var cpuPercent: Double { state.locked { $0.lastCPUPercent } }
    var config: GovernorConfig { state.locked { $0.config } }

    func observe(stats: ProcessStats, now: Int64, collectors: CollectorSet, metrics: AgentMetrics) {
        enum Step { case none, shed(String), restore(String) }
        let entries = collectors.snapshot
        let (step, reason) = state.locked { s -> (Step, String) in
            guard s.config.cpuPercent > 0 || s.config.rssMB > 0 else { return (.none, "") }
            guard let last = s.lastCheck else {
                s.lastCheck = (now, stats.cpuSeconds)
                return (.none, "")
            }
            let elapsed = Double(now - last.time) / 1e9
            guard elapsed >= s.config.intervalSeconds else { return (.none, "") }
            let cpu = 100 * (stats.cpuSeconds - last.cpu) / elapsed
            s.lastCheck = (now, stats.cpuSeconds)
            s.lastCPUPercent = cpu
            let rssMB = Double(stats.residentBytes) / 1_048_576
            let overCPU = s.config.cpuPercent > 0 && cpu > s.config.cpuPercent
            let overRSS = s.config.rssMB > 0 && rssMB > s.config.rssMB
            if overCPU || overRSS {
                s.calmChecks = 0
                let victim = entries.filter { $0.value.state == .running }.min { a, b in
                    a.value.config.priority != b.value.config.priority ? a.value.config.priority < b.value.config.priority : a.key < b.key
                }
                guard let victim else { return (.none, "") }
                let why = overCPU ? String(format: "cpu %.2f%% > budget %.2f%%", cpu, s.config.cpuPercent)
                                  : String(format: "rss %.1f MiB > budget %.1f MiB", rssMB, s.config.rssMB)
                return (.shed(victim.key), why)
            }
            let calm = (s.config.cpuPercent == 0 || cpu < s.config.cpuPercent / 2) && (s.config.rssMB == 0 || rssMB < s.config.rssMB / 2)
            s.calmChecks = calm ? s.calmChecks + 1 : 0
            if s.calmChecks >= 3, let back = entries.filter({ $0.value.state == .shed }).max(by: { $0.value.config.priority < $1.value.config.priority }) {
                s.calmChecks = 0
                return (.restore(back.key), String(format: "cpu %.2f%%, rss %.1f MiB: under half the budget", cpu, rssMB))
            }
            return (.none, "")
        }
        switch step {
        case .none: return
        case .shed(let name):
            collectors.shed(name, reason: reason)
            record(Decision(timeNanoseconds: Clocks.wallNanoseconds(), action: "shed", collector: name, reason: reason), metrics)
        case .restore(let name):
            collectors.restore(name)
            record(Decision(timeNanoseconds: Clocks.wallNanoseconds(), action: "restore", collector: name, reason: reason), metrics)
        }
    }

    private func record(_ d: Decision, _ metrics: AgentMetrics) {
        state.locked {
            $0.decisions.append(d)
            if $0.decisions.count > 100 { $0.decisions.removeFirst() }
        }
        metrics.incrementUncapped("swiftbpf_agent_governor_decisions_total", [("action", d.action), ("collector", d.collector)])
    }
}
