import BPF
import Glibc
import Synchronization
import SwiftBPFNet

/// The `firewall` collector over the XDP firewalls `swiftbpf firewall load` pinned in bpffs:
/// every `interval_seconds` it reads each firewall's per-rule counters (and the default
/// policy's and the blocklist's) and adds what they grew by to packet and byte counters per
/// interface and rule. It observes; it never loads, changes or unloads a firewall, so a
/// firewall outlives the agent and the agent's start or stop does not touch the traffic.
/// Firewalls loaded after the agent started are picked up at the next read; one unloaded and
/// loaded again is opened again (its pins are new files).
///
/// The counters of the last read are kept per interface for `/api/v1/firewall` (the UI's
/// Security page).
///
/// Options: `interfaces` (the interfaces to read; default every firewall under the root),
/// `root` (the pin root, default `/sys/fs/bpf/swiftbpf/firewall`).
final class FirewallCollector: Collector {
    let name = "firewall"
    let config: CollectorConfig
    private let root: String
    private let interfaces: [String]
    private let sink: any CollectorSink
    private let state = Mutex<State>(State())

    struct State {
        /// Open firewalls by interface, with the identity of the link pin they were opened from.
        var open: [String: (firewall: Firewall, pin: PinIdentity)] = [:]
        var nextRead: Int64 = 0
        /// Last totals read, by interface, rule and counter.
        var totals: [String: UInt64] = [:]
        /// The last read of each firewall, by interface.
        var latest: [String: Snapshot] = [:]
    }

    /// One firewall as last read: its rules (then the default policy and the blocklist) with
    /// their counters.
    struct Snapshot: Sendable {
        struct Row: Sendable {
            var rule: String
            var action: String
            var text: String
            var packets: UInt64
            var bytes: UInt64
        }
        var interface: String
        var dryRun: Bool
        var rows: [Row]
        var blocklistEntries: Int
        var readNanoseconds: Int64
    }

    /// The firewalls as last read, sorted by interface.
    var snapshots: [Snapshot] { state.locked { $0.latest.values.sorted { $0.interface < $1.interface } } }

    /// Device and inode of a pin: a firewall loaded again has new pins.
    struct PinIdentity: Equatable {
        var device: UInt64
        var inode: UInt64
        init?(_ path: String) {
            var st = stat()
            guard stat(path, &st) == 0 else { return nil }
            device = UInt64(st.st_dev)
            inode = UInt64(st.st_ino)
        }
    }

    init(config: CollectorConfig, sink: any CollectorSink) throws {
        self.config = config
        self.sink = sink
        root = config.options["root"] ?? FirewallLocation.defaultRoot
        interfaces = config.listOption("interfaces")
        for i in interfaces {
            do { _ = try FirewallLocation(interface: i, root: root) } catch {
                throw ConfigError("collectors.firewall.options.interfaces: \(error)")
            }
        }
        tick(now: Clocks.now(CLOCK_MONOTONIC))
    }

    func tick(now: Int64) {
        state.locked { s in
            guard now >= s.nextRead else { return }
            s.nextRead = now + Int64(config.intervalSeconds * 1e9)
            read(&s)
        }
    }

    private func read(_ s: inout State) {
        let names = interfaces.isEmpty ? FirewallLocation.installed(root: root) : interfaces
        for (interface, _) in s.open where !names.contains(interface) { s.open[interface] = nil }
        for (interface, _) in s.latest where !names.contains(interface) { s.latest[interface] = nil }
        var loaded = 0
        for interface in names {
            guard let location = try? FirewallLocation(interface: interface, root: root), let pin = PinIdentity(location.linkPin) else {
                s.open[interface] = nil
                s.latest[interface] = nil
                sink.gauge("swiftbpf_agent_firewall_loaded", [("interface", interface)], 0)
                continue
            }
            if s.open[interface]?.pin != pin {
                do {
                    s.open[interface] = (try Firewall.open(interface: interface, root: root), pin)
                } catch {
                    s.open[interface] = nil
                    sink.countUncapped(family: "swiftbpf_agent_firewall_read_errors_total", labels: [("interface", interface)], by: 1)
                    continue
                }
            }
            guard let firewall = s.open[interface]?.firewall else { continue }
            do {
                let status = try firewall.status(top: 0)
                account(status, &s.totals)
                s.latest[interface] = Self.snapshot(status)
                loaded += 1
                sink.gauge("swiftbpf_agent_firewall_loaded", [("interface", interface)], 1)
            } catch {
                // The firewall went away between the pin check and the read: open it again next time.
                s.open[interface] = nil
                sink.countUncapped(family: "swiftbpf_agent_firewall_read_errors_total", labels: [("interface", interface)], by: 1)
            }
        }
        sink.gauge("swiftbpf_agent_firewalls", [], Double(loaded))
    }

    private static func rows(_ status: FirewallStatus) -> [(rule: String, action: String, text: String, counter: FirewallCounter)] {
        var rows: [(rule: String, action: String, text: String, counter: FirewallCounter)] = status.rules.map {
            ("\($0.rule.id)", $0.rule.isDryRun && $0.rule.rule.action == .deny ? "count" : $0.rule.rule.action.rawValue,
             $0.rule.rule.description, $0.counter)
        }
        rows.append(("default", status.isDryRun && status.defaultAction == .deny ? "count" : status.defaultAction.rawValue,
                     "default \(status.defaultAction.rawValue)", status.defaultCounter))
        rows.append(("blocklist", status.isDryRun ? "count" : "deny", "blocklist", status.blocklistCounter))
        return rows
    }

    private static func snapshot(_ status: FirewallStatus) -> Snapshot {
        Snapshot(interface: status.interface, dryRun: status.isDryRun,
                 rows: rows(status).map { .init(rule: $0.rule, action: $0.action, text: $0.text, packets: $0.counter.packets, bytes: $0.counter.bytes) },
                 blocklistEntries: status.blocklistIPv4Entries + status.blocklistIPv6Entries, readNanoseconds: Clocks.wallNanoseconds())
    }

    /// Adds what each counter grew by since the last read (the whole value for a rule seen the
    /// first time, or one whose counter restarted).
    private func account(_ status: FirewallStatus, _ totals: inout [String: UInt64]) {
        let interface = status.interface
        for row in Self.rows(status) {
            let labels = [("interface", interface), ("rule", row.rule), ("action", row.action), ("text", row.text)]
            let key = "\(interface)|\(row.rule)|\(row.text)"
            for (family, value, suffix) in [("swiftbpf_agent_firewall_packets_total", row.counter.packets, "p"),
                                            ("swiftbpf_agent_firewall_bytes_total", row.counter.bytes, "b")] {
                let previous = totals[key + suffix]
                totals[key + suffix] = value
                let delta = value >= (previous ?? 0) ? value - (previous ?? 0) : value
                // Every rule's series exists from the first read, also at 0.
                if delta > 0 || previous == nil { sink.countUncapped(family: family, labels: labels, by: Int64(delta)) }
            }
        }
        sink.gauge("swiftbpf_agent_firewall_rules", [("interface", interface)], Double(status.rules.count))
        sink.gauge("swiftbpf_agent_firewall_blocklist_entries", [("interface", interface), ("family", "ipv4")], Double(status.blocklistIPv4Entries))
        sink.gauge("swiftbpf_agent_firewall_blocklist_entries", [("interface", interface), ("family", "ipv6")], Double(status.blocklistIPv6Entries))
        sink.gauge("swiftbpf_agent_firewall_dry_run", [("interface", interface)], status.isDryRun ? 1 : 0)
    }

    func lostEvents() -> UInt64 { 0 }

    /// The firewall's program belongs to the firewall (pinned), not to the agent.
    var programs: [(name: String, program: Program)] { [] }

    /// Releases the agent's descriptors of the firewalls' maps; the firewalls run on.
    func stop() { state.locked { $0.open.removeAll(); $0.latest.removeAll() } }
}
