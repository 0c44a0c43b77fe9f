import ArgumentParser
import SwiftBPFNet

/// `swiftbpf firewall`: thin argument handling over `SwiftBPFNet.Firewall`.
struct FirewallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "firewall",
        abstract: "An XDP packet filter: CIDR, protocol and port rules, shadow rules, blocklists.",
        discussion: """
            The firewall stays loaded after the command exits: its program, link and maps are pinned \
            under /sys/fs/bpf/swiftbpf/firewall/IFACE until 'firewall unload IFACE'.
            Rules, first match wins: source prefix (longest prefix), blocklist, TCP/UDP destination \
            port, IP protocol, then the default policy. A 'count' rule counts and goes on.
            Rule text: 'allow|deny|count from PREFIX', '... tcp|udp port N[-M]', '... PROTO'.
            """,
        subcommands: [Load.self, Unload.self, RuleCommand.self, Blocklist.self, Status.self]
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

    struct Load: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Load the firewall on an interface and pin it.")

        @Argument(help: "The network interface.") var interface: String
        @Option(help: "native (driver XDP) or generic (skb).") var mode: String = "native"
        @Option(help: "A rules file: one rule per line, '#' comments, 'default allow|deny'.") var rules: String?
        @Option(name: .customLong("default"), help: "The default policy: allow or deny.") var defaultPolicy: String?
        @Flag(help: "Every deny (rules, default, blocklist) only counts: see what a policy would drop.") var dryRun = false

        func run() throws {
            guard let mode = Firewall.Mode(rawValue: mode) else { throw ValidationError("--mode is native or generic, not '\(mode)'") }
            var policy: FirewallAction?
            if let defaultPolicy {
                guard let p = FirewallAction(rawValue: defaultPolicy), p != .count else {
                    throw ValidationError("--default is allow or deny, not '\(defaultPolicy)'")
                }
                policy = p
            }
            let set = try rules.map { try FirewallFiles.ruleSet($0) } ?? .init()
            let fw = try Firewall.install(interface: interface, mode: mode, ruleSet: set, defaultAction: policy, dryRun: dryRun)
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
            @Argument(help: "The rule's words.") var words: [String]
            func run() throws {
                let rule = try FirewallRuleParser.rule(words.joined(separator: " "))
                let id = try target.open().add(rule)
                print("rule \(id): \(rule)")
            }
        }

        struct Delete: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "del", abstract: "Delete a rule by id or by its text.")
            @OptionGroup var target: Target
            @Argument(help: "The rule's id, or its words.") var words: [String]
            func run() throws {
                let fw = try target.open()
                if words.count == 1, let id = UInt32(words[0]) {
                    print("deleted rule \(id): \(try fw.delete(id: id))")
                } else {
                    let rule = try FirewallRuleParser.rule(words.joined(separator: " "))
                    print("deleted rule \(try fw.delete(rule)): \(rule)")
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
            @Argument(help: "The blocklist file.") var file: String
            func run() throws {
                let prefixes = try FirewallFiles.blocklist(file)
                let r = try target.open().loadBlocklist(prefixes)
                let ms = (r.seconds * 1000).rounded()
                print("blocklist loaded: \(r.ipv4Entries) IPv4 and \(r.ipv6Entries) IPv6 prefixes in \(Int(ms)) ms")
            }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the policy, the rules with their counters, and the blocklist.")
        @OptionGroup var target: Target
        @Flag(help: "JSON output.") var json = false
        func run() throws {
            let s = try target.open().status()
            if json { print(FirewallFormat.json(s)) } else { print(FirewallFormat.text(s), terminator: "") }
        }
    }
}
