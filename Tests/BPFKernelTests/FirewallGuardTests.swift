import BPF
import Glibc
import Testing
@testable import SwiftBPFNet

extension FirewallTests {
    /// The lockout guard, with the receiver as the machine being configured: its default
    /// gateway is 10.77.0.1 and an SSH session runs from 10.77.0.9 to its port 22. A policy
    /// that drops either is refused before anything is loaded, a rule, a deletion, a default or a
    /// blocklist that would is refused and leaves the firewall as it was; without the guard
    /// (`--force`) each goes through.
    @Test(arguments: TwinLanguages.bothOnHost) func lockoutGuardRefusesAndForceOverrides(language: BPFProgramLanguage) throws {
        let net = try FirewallNetwork("g")
        defer { net.close() }
        try net.veth.receiver.run(["route", "add", "default", "via", "10.77.0.1", "dev", "vr"])
        let root = Self.pinRoot("guard")
        let lockoutGuard = try net.veth.receiver.enter { LockoutGuard.current(interface: "vr", sshConnection: "10.77.0.9 50022 10.77.0.2 22") }
        #expect(lockoutGuard.lifelines.map(\.what) == [
            "the SSH session this command runs over (10.77.0.9 to 10.77.0.2 port 22, from SSH_CONNECTION)", "the default gateway 10.77.0.1 of vr",
        ])
        // A session whose local address is on another interface is not this one's to guard.
        let elsewhere = try net.veth.receiver.enter { LockoutGuard.current(interface: "vr", sshConnection: "10.77.0.9 50022 127.0.0.1 22") }
        #expect(elsewhere.lifelines.count == 1)

        func refusal(_ body: () throws -> Void) -> String {
            do { try body(); return "" } catch { return "\(error)" }
        }
        let refused = refusal {
            _ = try net.veth.receiver.enter {
                try Firewall.install(interface: "vr", ruleSet: try FirewallRuleParser.ruleSet("deny from 10.77.0.8/29\n"), guard: lockoutGuard, root: root, language: language)
            }
        }
        #expect(refused.contains("the rule 'deny from 10.77.0.8/29' would drop the SSH session this command runs over"), "\(refused)")
        #expect(refused.contains("--force"))
        #expect(!Syscalls.exists(root))
        let gateway = refusal {
            _ = try net.veth.receiver.enter {
                try Firewall.install(interface: "vr", ruleSet: try FirewallRuleParser.ruleSet("default deny\nallow tcp port 22\n"), guard: lockoutGuard, root: root, language: language)
            }
        }
        #expect(gateway.contains("the default policy (deny) would drop the default gateway 10.77.0.1 of vr"), "\(gateway)")
        #expect(!Syscalls.exists(root))

        // Loaded with no rules: a blocklist or a default deny that cuts either is refused.
        let fw = try net.veth.receiver.enter { try Firewall.install(interface: "vr", mode: .generic, guard: lockoutGuard, root: root, language: language) }
        defer { _ = try? Firewall.uninstall(interface: "vr", root: root) }
        let listed = refusal { try fw.loadBlocklist([try IPPrefix(parsing: "10.77.0.0/31")], guard: lockoutGuard) }
        #expect(listed.contains("the blocklist entry 10.77.0.0/31 would drop the default gateway"), "\(listed)")
        #expect(refusal { try fw.loadBlocklist([try IPPrefix(parsing: "10.77.0.8/30")], guard: lockoutGuard) }.contains("SSH session"))
        #expect(try fw.status().blocklistIPv4Entries == 0)
        #expect(refusal { try fw.setDefault(.deny, guard: lockoutGuard) }.contains("the default policy (deny) would drop the SSH session"))
        #expect(try fw.status().defaultAction == .allow)
        // With the session and the gateway let in, the default deny goes through; deleting
        // either allow is then refused.
        try fw.add(try FirewallRuleParser.rule("allow from 10.77.0.9 tcp port 22"), guard: lockoutGuard)
        try fw.add(try FirewallRuleParser.rule("allow from 10.77.0.1"), guard: lockoutGuard)
        try fw.setDefault(.deny, guard: lockoutGuard)
        #expect(refusal { try fw.delete(try FirewallRuleParser.rule("allow from 10.77.0.1"), guard: lockoutGuard) }.contains("default gateway 10.77.0.1"))
        #expect(refusal { try fw.delete(try FirewallRuleParser.rule("allow from 10.77.0.9 tcp port 22"), guard: lockoutGuard) }.contains("SSH session"))
        #expect(try fw.rules().count == 2)
        // The session's own tuple outranks a deny of its source, so this one is fine.
        try fw.add(try FirewallRuleParser.rule("deny from 10.77.0.9"), guard: lockoutGuard)
        // Forced (no guard): applied.
        try fw.delete(try FirewallRuleParser.rule("allow from 10.77.0.1"))
        #expect(try fw.rules().count == 2)
        // The program agrees with the guard's reading: 10.77.0.9 reaches port 22 over TCP.
        let listener = try net.veth.receiver.enter { try FirewallTCPListener(port: 22) }
        _ = listener
        #expect(try net.veth.sender.enter { try tcpConnects(from: "10.77.0.9", to: VethNetwork.receiverAddress, port: 22, timeoutMilliseconds: 1000) })
    }
}
