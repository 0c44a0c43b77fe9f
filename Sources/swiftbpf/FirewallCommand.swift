import ArgumentParser
import Glibc
import SwiftBPFNet
import SwiftBPFTools

/// `swiftbpf firewall`: thin argument handling over `SwiftBPFNet.Firewall`.
struct FirewallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "firewall",
        abstract: "An XDP packet filter: prefix, port, tuple, ICMP and rate-limit rules, shadow rules, blocklists.",
        discussion: """
            The firewall stays loaded after the command exits: its program, link and maps are pinned \
            under /sys/fs/bpf/swiftbpf/firewall/IFACE until 'firewall unload IFACE'.
            Order, first decision wins: rate limits, address+port tuples, source prefix, destination \
            prefix, blocklist, TCP/UDP destination port, ICMP type, IP protocol, default policy. \
            A 'count' rule counts and goes on.
            Rule text: 'allow|deny|count from|to PREFIX', '... tcp|udp port N[-M]', \
            '... from|to ADDRESS tcp|udp port N[-M]', '... icmp|icmpv6 type T[-T]', '... PROTO', \
            'limit from PREFIX pps N [burst N] [bytes N [burst N]] [per-prefix]'.
            A change that would drop the SSH session the command runs over (SSH_CONNECTION) or the \
            interface's default gateway is refused unless --force.
            """,
        subcommands: [Load.self, Unload.self, RuleCommand.self, Blocklist.self, Policy.self, Status.self, Watch.self]
    )

    /// The interface option of the commands that act on a loaded firewall.
    struct Target: ParsableArguments {
        @Option(name: [.short, .long], help: "The interface (default: the only one with a firewall).")
        var interface: String?

        func open() throws -> Firewall {
            if let interface { return try Firewall.open(interface: interface) }
            let installed = FirewallLocation.installed()
            guard installed.count == 1 else {
                throw FirewallError(installed.isEmpty ? "no firewall is loaded"
                                    : "firewalls are loaded on \(installed.joined(separator: ", ")); say which with --interface")
            }
            return try Firewall.open(interface: installed[0])
        }
    }

    /// `--force`, and the lockout guard it turns off.
    struct Safety: ParsableArguments {
        @Flag(help: "Apply even a change that would drop this SSH session or the default gateway.")
        var force = false

        func lockoutGuard(_ interface: String) -> LockoutGuard? {
            guard !force else { return nil }
            return LockoutGuard.current(interface: interface, sshConnection: getenv("SSH_CONNECTION").map { String(cString: $0) })
        }
    }

    struct Load: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Load the firewall on an interface and pin it.")

        @Argument(help: "The network interface.") var interface: String
        @Option(help: "native (driver XDP) or generic (skb).") var mode: String = "native"
        @Option(help: "A rules file: YAML (*.yaml, *.yml) or one rule per line with '#' comments and 'default allow|deny'.")
        var rules: String?
        @Option(name: .customLong("default"), help: "The default policy: allow or deny.") var defaultPolicy: String?
        @Flag(help: "Every deny (rules, default, blocklist, limits) only counts: see what a policy would drop.") var dryRun = false
        @Flag(help: "Do not count drops per source address (status's top dropped sources).") var noTopSources = false
        @OptionGroup var safety: Safety

        func run() throws {
            guard let mode = Firewall.Mode(rawValue: mode) else { throw ValidationError("--mode is native or generic, not '\(mode)'") }
            var policy: FirewallAction?
            if let defaultPolicy {
                guard let p = FirewallAction(rawValue: defaultPolicy), p == .allow || p == .deny else {
                    throw ValidationError("--default is allow or deny, not '\(defaultPolicy)'")
                }
                policy = p
            }
            let set = try rules.map { try FirewallFiles.ruleSet($0) } ?? .init()
            let fw = try Firewall.install(interface: interface, mode: mode, ruleSet: set, defaultAction: policy, dryRun: dryRun,
                                          trackSources: !noTopSources, guard: safety.lockoutGuard(interface))
            print("firewall loaded on \(interface) (\(mode.rawValue), \(set.rules.count) rules\(dryRun ? ", dry run" : "")); pinned in \(fw.location.directory)")
        }
    }

    struct Unload: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Detach the firewall and remove its pins, program and maps.")
        @Argument(help: "The network interface.") var interface: String
        func run() throws {
            let removed = try Firewall.uninstall(interface: interface)
            print("firewall unloaded from \(interface) (\(removed.count) pins removed)")
        }
    }

    struct RuleCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rule", abstract: "Add, delete or list rules.",
                                                        subcommands: [Add.self, Delete.self, List.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Add a rule, e.g. 'deny from 203.0.113.0/24'.")
            @OptionGroup var target: Target
            @OptionGroup var safety: Safety
            @Argument(help: "The rule's words.") var words: [String]
            func run() throws {
                let rule = try FirewallRuleParser.rule(words.joined(separator: " "))
                let fw = try target.open()
                let id = try fw.add(rule, guard: safety.lockoutGuard(fw.location.interface))
                print("rule \(id): \(rule)")
            }
        }

        struct Delete: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "del", abstract: "Delete a rule by id or by its text.")
            @OptionGroup var target: Target
            @OptionGroup var safety: Safety
            @Argument(help: "The rule's id, or its words.") var words: [String]
            func run() throws {
                let fw = try target.open()
                let g = safety.lockoutGuard(fw.location.interface)
                if words.count == 1, let id = UInt32(words[0]) {
                    print("deleted rule \(id): \(try fw.delete(id: id, guard: g))")
                } else {
                    let rule = try FirewallRuleParser.rule(words.joined(separator: " "))
                    print("deleted rule \(try fw.delete(rule, guard: g)): \(rule)")
                }
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the rules.")
            @OptionGroup var target: Target
            @Flag(help: "JSON output.") var json = false
            func run() throws {
                let rules = try target.open().rules()
                if json { print(FirewallFormat.json(rules)) } else { FirewallFormat.ruleLines(rules).forEach { print($0) } }
            }
        }
    }

    struct Blocklist: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Manage the blocklist.", subcommands: [LoadFile.self])

        struct LoadFile: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "load",
                abstract: "Replace the blocklist, atomically, with a file of addresses or prefixes ('#'/';' comments).")
            @OptionGroup var target: Target
            @OptionGroup var safety: Safety
            @Argument(help: "The blocklist file.") var file: String
            func run() throws {
                let prefixes = try FirewallFiles.blocklist(file)
                let fw = try target.open()
                let r = try fw.loadBlocklist(prefixes, guard: safety.lockoutGuard(fw.location.interface))
                let ms = (r.seconds * 1000).rounded()
                print("blocklist loaded: \(r.ipv4Entries) IPv4 and \(r.ipv6Entries) IPv6 prefixes in \(Int(ms)) ms")
            }
        }
    }

    struct Policy: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "default", abstract: "Set the default policy: allow or deny.")
        @OptionGroup var target: Target
        @OptionGroup var safety: Safety
        @Argument(help: "allow or deny.") var action: String
        func run() throws {
            guard let a = FirewallAction(rawValue: action), a == .allow || a == .deny else {
                throw ValidationError("the default policy is allow or deny, not '\(action)'")
            }
            let fw = try target.open()
            try fw.setDefault(a, guard: safety.lockoutGuard(fw.location.interface))
            print("default policy of \(fw.location.interface): \(a)")
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the policy, the rules with their counters, the blocklist, and the top dropped and rate-limited sources.")
        @OptionGroup var target: Target
        @Option(help: "How many sources of each list to show.") var top = 10
        @Flag(help: "JSON output.") var json = false
        func run() throws {
            // Without --interface and with several firewalls: every one (JSON: an array).
            let installed = FirewallLocation.installed()
            if target.interface == nil && installed.count > 1 {
                let all = try installed.map { try Firewall.open(interface: $0).status(top: top) }
                if json { print("[" + all.map(FirewallFormat.json).joined(separator: ",") + "]") } else { all.forEach { print(FirewallFormat.text($0)) } }
                return
            }
            let s = try target.open().status(top: top)
            if json { print(FirewallFormat.json(s)) } else { print(FirewallFormat.text(s), terminator: "") }
        }
    }

    struct Watch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print sampled drop events (source, destination, rule) until Ctrl-C, then the events lost.")
        @OptionGroup var target: Target
        @Option(help: "Report one drop in N.") var sample: UInt32 = 1
        @Option(help: "At most this many events a second (the rest are counted as lost to the rate).") var rate: UInt64 = 1000
        @Option(help: "Stop after this many seconds.") var duration: Double?
        @Option(help: "Stop after this many events.") var count: Int?
        @Flag(help: "JSON lines.") var json = false
        func run() throws {
            installStopHandlers()
            let fw = try target.open()
            let watcher = try fw.watchEvents(sample: sample, rate: rate)
            defer { watcher.close() }
            if !json { print("watching drops on \(fw.location.interface) (1 in \(sample), at most \(rate)/s); Ctrl-C to stop") }
            let start = Firewall.now()
            var seen = 0, lastLoss = EventLoss()
            while !stopRequested.load(ordering: .relaxed) {
                if let duration, Firewall.now() - start >= duration { break }
                if let count, seen >= count { break }
                try watcher.poll(timeoutMilliseconds: 200) { e in
                    if let count, seen >= count { return }
                    seen += 1
                    print(json ? FirewallFormat.json(e) : e.description)
                }
                let loss = try watcher.loss()
                if !json && (loss.ringFull != lastLoss.ringFull || loss.overRate != lastLoss.overRate) {
                    print("# lost so far: \(loss.ringFull) (ring buffer full), \(loss.overRate) (over \(rate)/s)")
                    lastLoss = loss
                }
            }
            let loss = try watcher.loss()
            if json {
                print("{\"events\":\(seen),\"loss\":\(FirewallFormat.json(loss))}")
            } else {
                print("\(seen) events; lost \(loss.ringFull) (ring buffer full) and \(loss.overRate) (over \(rate)/s)")
            }
        }
    }
}
