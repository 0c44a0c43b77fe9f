import BPF
import Foundation
import Synchronization
import SwiftBPFSecurity
import SwiftBPFTools

/// The `guard` collector over `GuardMonitor` (swiftbpf guard): security events become
/// `guard_<kind>` events (with the deciding rule and action) and are counted by kind, rule,
/// action and process under the series cap; ring records the kernel could not queue are the
/// collector's lost events. Alerts are tallied by rule (`alertsByRule()`, `/api/v1/alerts`):
/// the events received, the newest of them, and the kernel's per-rule counters.
///
/// Options: `policy` (a guard policy file; none: no rules, only the reported kinds) and
/// `report` (kinds reported without a rule, default `exec,privileged`: exec and the privilege
/// and kernel kinds — fork and exit of every process are left out of an always-on agent).
final class GuardCollector: Collector {
    let name = "guard"
    let config: CollectorConfig
    private let box: MonitorBox
    private let running = Atomic<Bool>(true)
    private let finished = DispatchGroup()
    private let sink: any CollectorSink
    private let session: GuardSession
    /// Per rule name: alerts received. Bounded by the policy's rules.
    private let tallies = Mutex<[String: RuleTally]>([:])

    struct RuleTally {
        var alerts: UInt64 = 0
        var lastNanoseconds: Int64 = 0
        /// The newest alerts, newest last (at most `recentKept`).
        var recent: [AgentEvent] = []
    }
    static let recentKept = 5

    /// One rule of the policy with what it did since the collector started.
    struct RuleReport {
        var name: String
        var kinds: [String]
        var action: String
        var mode: String
        var tally: RuleTally
        /// The kernel's counters: events the rule matched and, of them, acted on (0 in monitor mode).
        var matched: UInt64
        var acted: UInt64
    }

    /// `GuardMonitor` keeps a process cache: only the reader thread uses it.
    private final class MonitorBox: @unchecked Sendable {
        var monitor: GuardMonitor?
        init(_ m: GuardMonitor) { monitor = m }
    }

    init(config: CollectorConfig, sink: any CollectorSink) throws {
        self.config = config
        self.sink = sink
        var policy = GuardPolicy(rules: [])
        if let path = config.options["policy"] {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigError("collectors.guard.options.policy: cannot read \(path)")
            }
            policy = try GuardPolicyParser.parse(String(decoding: data, as: UTF8.self), file: path)
        }
        let compiled = try GuardPolicyCompiler.compile(policy, resolver: SystemGuardResolver())
        var options = GuardSession.Options()
        var report = Set<GuardEventKind>([.exec] + GuardEventKind.privileged)
        if let text = config.options["report"] {
            report = []
            for word in text.split(separator: ",").map({ String($0).trimmingSpaces }) {
                if word == "privileged" { report.formUnion(GuardEventKind.privileged); continue }
                if word == "lifecycle" { report.formUnion(GuardEventKind.lifecycle); continue }
                guard let kind = GuardEventKind(name: word) else {
                    throw ConfigError("collectors.guard.options.report: unknown kind \(word)")
                }
                report.insert(kind)
            }
        }
        options.report = report
        options.ringBufferSize = 512 * 1024
        let monitor = try GuardMonitor(policy: compiled, options: options)
        session = monitor.session
        box = MonitorBox(monitor)
        finished.enter()
        let thread = Thread { [self] in
            self.read()
            self.finished.leave()
        }
        thread.name = "collector-guard"
        thread.start()
    }

    private func read() {
        guard let monitor = box.monitor else { return }
        while running.load(ordering: .relaxed) {
            var events: [AgentEvent] = []
            var records = 0
            do {
                records = try monitor.poll(timeoutMilliseconds: 250) { e in
                    let rule = e.ruleName ?? ""
                    sink.count(family: "swiftbpf_agent_guard_events_total",
                               labels: [("kind", e.kind.name), ("rule", rule), ("action", e.action.name), ("comm", e.process.comm)], by: 1)
                    let event = self.event(e)
                    if !rule.isEmpty { tally(rule, event) }
                    events.append(event)
                }
            } catch {
                running.store(false, ordering: .relaxed)
            }
            if !events.isEmpty { sink.deliver(events, kept: [Bool](repeating: true, count: events.count), from: name) }
            ReadPacing.agent.afterBatch(records)
        }
    }

    private func tally(_ rule: String, _ event: AgentEvent) {
        tallies.locked { t in
            var x = t[rule] ?? RuleTally()
            x.alerts += 1
            x.lastNanoseconds = max(x.lastNanoseconds, event.timeNanoseconds)
            x.recent.append(event)
            if x.recent.count > Self.recentKept { x.recent.removeFirst(x.recent.count - Self.recentKept) }
            t[rule] = x
        }
    }

    /// Every rule of the policy with its alerts and kernel counters: rules that alerted first,
    /// the most recent first, then the others in the policy's order.
    func alertsByRule() -> [RuleReport] {
        let counters = (try? session.counters()) ?? []
        let t = tallies.locked { $0 }
        let reports = session.policy.rules.enumerated().map { i, compiled in
            let r = compiled.rule
            return RuleReport(name: r.name, kinds: r.kinds.map(\.name), action: r.action.name, mode: r.mode.rawValue,
                              tally: t[r.name] ?? RuleTally(), matched: i < counters.count ? counters[i].matched : 0,
                              acted: i < counters.count ? counters[i].acted : 0)
        }
        return reports.enumerated().sorted { a, b in
            a.element.tally.lastNanoseconds != b.element.tally.lastNanoseconds
                ? a.element.tally.lastNanoseconds > b.element.tally.lastNanoseconds : a.offset < b.offset
        }.map(\.element)
    }

    private func event(_ e: GuardEvent) -> AgentEvent {
        var fields: [String: String] = ["action": e.action.name, "enforced": "\(e.enforced)", "result": "\(e.result)"]
        if let r = e.ruleName { fields["rule"] = r }
        if let p = e.path { fields["path"] = p }
        if let b = e.process.binaryPath { fields["binary"] = b }
        if !e.argv.isEmpty { fields["args"] = e.argv.joined(separator: " ") }
        if !e.flags.names.isEmpty { fields["flags"] = e.flags.names.joined(separator: ",") }
        if let a = e.address { fields["address"] = a; fields["port"] = "\(e.port)" }
        if !e.lineage.isEmpty { fields["lineage"] = e.lineage.map(\.comm).joined(separator: "<") }
        let time = Int64(bitPattern: e.timestampNanoseconds) + Clocks.monotonicToWallOffset()
        return AgentEvent(timeNanoseconds: time, kind: "guard_" + e.kind.name, collector: name, pid: e.process.pid,
                          ppid: e.process.ppid, uid: e.process.uid, comm: e.process.comm, cgroupID: e.process.cgroupID,
                          cgroup: e.process.cgroupPath ?? "", fields: fields)
    }

    func tick(now: Int64) {}

    func lostEvents() -> UInt64 { (try? session.droppedEvents()) ?? 0 }

    /// GuardSession keeps its generated object to itself: no per-program statistics here.
    var programs: [(name: String, program: Program)] { [] }

    func stop() {
        running.store(false, ordering: .relaxed)
        finished.wait()
        box.monitor = nil
    }
}
