import BPF
import Foundation
import Glibc
import Synchronization
import Testing
@testable import SwiftBPFNet

/// `swiftbpf firewall` against real packets: UDP datagrams from several source addresses
/// cross a veth pair between two private namespaces; the firewall runs on the receiving end.
@Suite("Firewall", .serialized, .enabled(if: RuntimeTestEnvironment.isRoot, RuntimeTestEnvironment.skipReason),
       .enabled(if: NetworkNamespace.ip != nil, NetworkNamespace.skipReason))
struct FirewallTests {
    /// A pin root of this test only, so a test never meets another's (or a user's) firewall.
    static func pinRoot(_ tag: String) -> String { "/sys/fs/bpf/swiftbpf-test-\(getpid())-\(tag)" }

    /// Every rule kind in one rule set: each drops exactly the datagrams it matches and counts
    /// them (packets and bytes), the rest arrive; the shadow rule counts and drops nothing.
    @Test(arguments: Firewall.Mode.allCases)
    func rulesDropExactlyWhatTheyMatch(mode: Firewall.Mode) throws {
        let net = try FirewallNetwork("r\(mode.rawValue.prefix(1))")
        defer { net.close() }
        let root = Self.pinRoot("rules-\(mode)")
        let set = try FirewallRuleParser.ruleSet("""
            deny from 10.77.0.8/29
            deny from fd77::10/124
            count from 10.77.0.32/28
            allow from 10.77.0.12     # the longest prefix wins over the /29 deny
            deny udp port 5001
            deny udp port 6000-6010
            """)
        let fw = try net.veth.receiver.enter { try Firewall.install(interface: "vr", mode: mode, ruleSet: set, root: root) }
        defer { _ = try? Firewall.uninstall(interface: "vr", root: root) }
        let shown = try Command.run(NetworkNamespace.ip!, ["-n", net.veth.receiver.name, "link", "show", "vr"]).stdout
        #expect(shown.contains(mode == .native ? " xdp " : " xdpgeneric "), "ip link show: \(shown)")

        let receiver = try net.receiver(port: 5000)
        let r5001 = try net.receiver(port: 5001), r6005 = try net.receiver(port: 6005)
        let n = 40
        let flows: [(source: String, port: UInt16, tag: String)] = [
            ("10.77.0.20", 5000, "allowed4"), ("10.77.0.9", 5000, "denied4"), ("10.77.0.12", 5000, "allowlisted4"),
            ("10.77.0.33", 5000, "shadowed4"), ("fd77::21", 5000, "allowed6"), ("fd77::1a", 5000, "denied6"),
            ("10.77.0.20", 5001, "port"), ("fd77::21", 6005, "range"),
        ]
        for f in flows {
            let s = try net.sender(from: f.source, port: f.port)
            for i in 0..<n {
                #expect(s.send(f.tag))
                if i % 8 == 7 { usleep(500) }  // paced, so a slow receiver's veth ring keeps up
            }
        }
        let got = receiver.receiveAll(expecting: 4 * n) + r5001.receiveAll() + r6005.receiveAll()
        let delivered = Dictionary(grouping: got, by: { $0 }).mapValues(\.count)
        // Frames veth dropped before XDP (its ring full under qemu's emulation) are missing from
        // both what arrived and what the rules counted, and from nothing else.
        let lost = Int(try net.veth.droppedInTransit())
        #expect(lost < n, "veth dropped \(lost) frames before XDP")
        #expect(Set(delivered.keys) == ["allowed4", "allowlisted4", "shadowed4", "allowed6"], "\(delivered)")
        for (tag, count) in delivered { expectReached(count, n, lost: lost, tag) }
        #expect(delivered.values.reduce(0, +) + lost >= 4 * n)

        let rules = try fw.rules()
        // Frame sizes: Ethernet 14 + IPv4 20 (IPv6 40) + UDP 8 + payload.
        func frame(_ tag: String, v6: Bool = false) -> UInt64 { UInt64(14 + (v6 ? 40 : 20) + 8 + tag.utf8.count) }
        func expectCounted(_ text: String, _ tag: String, v6: Bool = false) throws {
            let rule = try FirewallRuleParser.rule(text)
            let id = try #require(rules.first { $0.rule == rule }?.id, "rule '\(text)' is not installed")
            let c = try fw.counter(ruleID: id)
            expectReached(Int(c.packets), n, lost: lost, text)
            #expect(c.bytes == c.packets * frame(tag, v6: v6), "\(text): \(c)")
        }
        try expectCounted("deny from 10.77.0.8/29", "denied4")
        try expectCounted("deny from fd77::10/124", "denied6", v6: true)
        try expectCounted("count from 10.77.0.32/28", "shadowed4")
        try expectCounted("allow from 10.77.0.12", "allowlisted4")
        try expectCounted("deny udp port 5001", "port")
        try expectCounted("deny udp port 6000-6010", "range", v6: true)
        // allowed4, allowed6 and the shadowed flow fall through to the default policy (plus any
        // IPv6 neighbour or MLD packets the kernel sends on its own).
        #expect(try fw.defaultCounter().packets + UInt64(lost) >= UInt64(3 * n))
        #expect(try fw.status().rules.count == 6)

        // A rule deleted at run time stops dropping; one added starts.
        try fw.delete(try FirewallRuleParser.rule("deny udp port 5001"))
        try fw.add(try FirewallRuleParser.rule("deny from 10.77.0.20"))
        let s5001 = try net.sender(from: "10.77.0.21", port: 5001), s20 = try net.sender(from: "10.77.0.20", port: 5000)
        let lostBefore = try net.veth.droppedInTransit()
        for _ in 0..<5 { s5001.send("port-again"); s20.send("now-denied"); usleep(200) }
        let again = r5001.receiveAll(expecting: 5)
        #expect(receiver.receiveAll().isEmpty)
        let added = try #require(try fw.rules().first { $0.rule.description == "deny from 10.77.0.20" })
        let lostAgain = Int(try net.veth.droppedInTransit() - lostBefore)
        #expect(Set(again) == ["port-again"])
        expectReached(again.count, 5, lost: lostAgain, "port-again")
        expectReached(Int(try fw.counter(ruleID: added.id).packets), 5, lost: lostAgain, "now-denied")
    }

    /// The program reads past 802.1Q tags to the IPv4 source (frames written with a packet
    /// socket: this kernel has no VLAN devices), and the IPv6 blocklist drops what it lists.
    @Test(arguments: Firewall.Mode.allCases)
    func vlanTagsAndTheIPv6Blocklist(mode: Firewall.Mode) throws {
        let net = try FirewallNetwork("v\(mode.rawValue.prefix(1))")
        defer { net.close() }
        let root = Self.pinRoot("vlan-\(mode)")
        let fw = try net.veth.receiver.enter {
            try Firewall.install(interface: "vr", mode: mode, ruleSet: try FirewallRuleParser.ruleSet("deny from 10.78.0.1\n"), root: root)
        }
        defer { _ = try? Firewall.uninstall(interface: "vr", root: root) }
        let report = try fw.loadBlocklist([try IPPrefix(parsing: "fd77::20/123")])
        #expect(report.ipv4Entries == 0 && report.ipv6Entries == 1)

        // One tag and two tags (802.1ad outer, 802.1Q inner) before IPv4 from 10.78.0.1.
        let frames = [Self.udpFrame(tags: [0x8100], source: [10, 78, 0, 1]), Self.udpFrame(tags: [0x88a8, 0x8100], source: [10, 78, 0, 1])]
        let index = try net.veth.senderIndex
        try net.veth.sender.enter {
            let fd = socket(AF_PACKET, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw BPFError.syscall(operation: "socket(AF_PACKET)", errno: .current) }
            defer { Glibc.close(fd) }
            // struct sockaddr_ll (20 bytes; not in Glibc's module): family, protocol, ifindex,
            // hatype, pkttype, halen, addr[8].
            var address = [UInt8](repeating: 0, count: 20)
            withUnsafeBytes(of: UInt16(AF_PACKET)) { address.replaceSubrange(0..<2, with: $0) }
            withUnsafeBytes(of: Int32(index)) { address.replaceSubrange(4..<8, with: $0) }
            address[11] = 6
            for frame in frames {
                for _ in 0..<5 {
                    let n = frame.withUnsafeBytes { f in
                        address.withUnsafeBytes {
                            sendto(fd, f.baseAddress, f.count, 0, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(20))
                        }
                    }
                    guard n == frame.count else { throw BPFError.syscall(operation: "sendto(AF_PACKET)", errno: .current) }
                }
            }
        }
        let receiver = try net.receiver(port: 5000)
        let blocked6 = try net.sender(from: "fd77::21", port: 5000), allowed6 = try net.sender(from: "fd77::1a", port: 5000)
        for _ in 0..<7 {
            blocked6.send("v6-blocked")
            allowed6.send("v6-ok")
        }
        #expect(receiver.receiveAll(expecting: 7) == Array(repeating: "v6-ok", count: 7))
        let rule = try #require(try fw.rules().first)
        let taggedBytes = UInt64(5 * frames[0].count + 5 * frames[1].count), ipv6Frame: UInt64 = 14 + 40 + 8 + 10
        var denied = FirewallCounter()
        for _ in 0..<100 {
            denied = try fw.counter(ruleID: rule.id)
            if denied.packets >= 10 { break }
            usleepMilliseconds(10)
        }
        #expect(denied == FirewallCounter(packets: 10, bytes: taggedBytes))
        let blocked = try fw.blocklistCounter()
        #expect(blocked == FirewallCounter(packets: 7, bytes: 7 * ipv6Frame))
    }

    /// An Ethernet frame to the receiver's MAC with `tags` (TPIDs, VLAN id 7) and an IPv4/UDP
    /// datagram from `source` to 10.78.0.2:5000 (the receiver has no such address: only the
    /// firewall looks at it).
    static func udpFrame(tags: [UInt16], source: [UInt8]) -> [UInt8] {
        var f: [UInt8] = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1]
        for tpid in tags { f += [UInt8(tpid >> 8), UInt8(tpid & 0xff), 0, 7] }
        f += [0x08, 0x00]
        let payload = Array("tagged".utf8)
        let total = 20 + 8 + payload.count
        var ip: [UInt8] = [0x45, 0, UInt8(total >> 8), UInt8(total & 0xff), 0, 1, 0, 0, 64, 17, 0, 0] + source + [10, 78, 0, 2]
        var sum: UInt32 = 0
        for i in stride(from: 0, to: 20, by: 2) { sum += UInt32(ip[i]) << 8 | UInt32(ip[i + 1]) }
        while sum > 0xffff { sum = (sum & 0xffff) + (sum >> 16) }
        let checksum = ~UInt16(sum)
        ip[10] = UInt8(checksum >> 8)
        ip[11] = UInt8(checksum & 0xff)
        let udpLength = 8 + payload.count
        return f + ip + [0x9c, 0x40, 0x13, 0x88, UInt8(udpLength >> 8), UInt8(udpLength & 0xff), 0, 0] + payload
    }

    /// `--dry-run`: the deny rules, the blocklist and a default deny only count.
    @Test func dryRunCountsButDropsNothing() throws {
        let net = try FirewallNetwork("d")
        defer { net.close() }
        let root = Self.pinRoot("dry")
        let set = try FirewallRuleParser.ruleSet("deny from 10.77.0.9\ndeny udp port 5000\n")
        let fw = try net.veth.receiver.enter {
            try Firewall.install(interface: "vr", mode: .generic, ruleSet: set, defaultAction: .deny, dryRun: true, root: root)
        }
        defer { _ = try? Firewall.uninstall(interface: "vr", root: root) }
        try fw.loadBlocklist([try IPPrefix(parsing: "10.77.0.40/29")])
        let receiver = try net.receiver(port: 5000), r5002 = try net.receiver(port: 5002)
        for (source, port) in [("10.77.0.9", UInt16(5000)), ("10.77.0.20", 5000), ("10.77.0.41", 5002), ("10.77.0.20", 5002)] {
            let s = try net.sender(from: source, port: port)
            for _ in 0..<10 { s.send(source) }
        }
        #expect(receiver.receiveAll(expecting: 20).count == 20)
        #expect(r5002.receiveAll(expecting: 20).count == 20)
        let status = try fw.status()
        #expect(status.isDryRun && status.defaultAction == .deny)
        // A count rule lets the walk go on: 10.77.0.9's datagrams to port 5000 are counted by both
        // rules, 10.77.0.20's by the port rule only.
        #expect(status.rules.map(\.counter.packets) == [10, 20])
        #expect(status.rules.allSatisfy { $0.rule.isDryRun })
        #expect(status.blocklistCounter.packets == 10)
        #expect(status.defaultCounter.packets >= 10)
        #expect(FirewallFormat.json(status).contains("\"dry_run\":true"))
    }

    /// The blocklist of 100,000 prefixes is swapped whole, again and again, under a steady
    /// stream of allowed datagrams and of datagrams from a blocked source: every allowed one
    /// arrives, no blocked one does, and the blocklist counts exactly the blocked ones.
    @Test(arguments: Firewall.Mode.allCases)
    func blocklistReloadUnderTrafficLosesNothing(mode: Firewall.Mode) throws {
        let net = try FirewallNetwork("b\(mode.rawValue.prefix(1))")
        defer { net.close() }
        let root = Self.pinRoot("block-\(mode)")
        let fw = try net.veth.receiver.enter { try Firewall.install(interface: "vr", mode: mode, root: root) }
        defer { _ = try? Firewall.uninstall(interface: "vr", root: root) }

        // Two lists of 100,000: both block 10.77.0.9 (list A by a /30, list B by the address),
        // neither blocks 10.77.0.20; the rest are prefixes of 100.64.0.0/10 and 2001:db8::/32.
        func list(_ variant: Int) throws -> [IPPrefix] {
            var text = variant == 0 ? "10.77.0.8/30\n" : "10.77.0.9\n"
            for i in 0..<90_000 { text += "100.\(64 + (i + variant) / 65536 % 64).\((i + variant) / 256 % 256).\((i + variant) % 256)\n" }
            for i in 0..<9_999 { text += "2001:db8:\(String(i + variant, radix: 16))::/48\n" }
            return try BlocklistParser.prefixes(text)
        }
        let lists = [try list(0), try list(1)]
        #expect(lists[0].count == 100_000)
        // Six reloads; two where one takes over 2 s (qemu's emulation), to fit the VM's time.
        let reloads = try fw.loadBlocklist(lists[0]).seconds > 2 ? 2 : 6

        let receiver = try net.receiver(port: 5000)
        try receiver.growBuffer()
        let allowed = try net.sender(from: "10.77.0.20", port: 5000), blocked = try net.sender(from: "10.77.0.9", port: 5000)
        let stream = StreamState()
        let sender = Thread {
            while !stream.stop.load(ordering: .relaxed) {
                allowed.send("ok")
                blocked.send("blocked")
                stream.sent.add(1, ordering: .relaxed)
                usleep(200)
            }
            stream.done.store(true, ordering: .releasing)
        }
        sender.start()
        var seconds: [Double] = []
        for i in 0..<reloads { seconds.append(try fw.loadBlocklist(lists[(i + 1) % 2]).seconds) }
        stream.stop.store(true, ordering: .relaxed)
        while !stream.done.load(ordering: .acquiring) { usleepMilliseconds(1) }
        let n = stream.sent.load(ordering: .relaxed)
        let got = receiver.receiveAll(expecting: n, quietMilliseconds: 300)
        let lost = Int(try net.veth.droppedInTransit())
        print("firewall blocklist reload of 100,000 prefixes (\(mode)): \(seconds.map { String(format: "%.3f", $0) }.joined(separator: " ")) s; \(n) pairs sent during the reloads")
        #expect(n > 100)
        // Every frame either reached XDP or was dropped by veth before it (qemu's slow receiver):
        // the allowed ones XDP saw all arrived, the blocked ones were all dropped and counted.
        let ok = got.filter { $0 == "ok" }.count, blockedCount = Int(try fw.blocklistCounter().packets)
        #expect(lost < n / 2, "veth dropped \(lost) frames before XDP")
        expectReached(ok, n, lost: lost, "allowed")
        expectReached(blockedCount, n, lost: lost, "blocked")
        #expect(ok + blockedCount + lost >= 2 * n)
        #expect(!got.contains("blocked"))
        let status = try fw.status()
        #expect(status.blocklistIPv4Entries == 90_001 && status.blocklistIPv6Entries == 9_999)
    }

    /// Unload detaches the program and removes the pins; the program, the link and every map
    /// (the blocklists' inner tries too) are gone from the kernel.
    @Test(arguments: Firewall.Mode.allCases)
    func unloadLeavesNothing(mode: Firewall.Mode) throws {
        let net = try FirewallNetwork("u\(mode.rawValue.prefix(1))")
        defer { net.close() }
        let root = Self.pinRoot("unload-\(mode)")
        var mapIDs: [UInt32] = [], programID: UInt32 = 0, linkID: UInt32 = 0
        do {
            let fw = try net.veth.receiver.enter {
                try Firewall.install(interface: "vr", mode: mode, ruleSet: try FirewallRuleParser.ruleSet("deny udp port 53\n"), root: root)
            }
            try fw.loadBlocklist([try IPPrefix(parsing: "192.0.2.0/24"), try IPPrefix(parsing: "2001:db8::/32")])
            let opened = try Firewall.open(interface: "vr", root: root)
            #expect(try opened.rules().map(\.rule.description) == ["deny udp port 53"])
            let b = opened.bpf
            mapIDs = [b.src4.map.id, b.src6.map.id, b.dst4.map.id, b.dst6.map.id, b.limit4.map.id, b.limit6.map.id, b.tuples.map.id,
                      b.ports.map.id, b.icmpTypes.map.id, b.protocols.map.id, b.configMap.map.id, b.rules.map.id, b.counters.map.id,
                      b.buckets.map.id, b.droppedSources.map.id, b.events.map.id, b.eventBucket.map.id, b.blocklist4.map.id, b.blocklist6.map.id]
            mapIDs += [try #require(try b.blocklist4.map.innerMapID(key: UInt32(0))), try #require(try b.blocklist6.map.innerMapID(key: UInt32(0)))]
            programID = try Program.open(pinned: fw.location.programPin).id
            linkID = try Link.open(pinned: fw.location.linkPin).info().id
            let removed = try Firewall.uninstall(interface: "vr", root: root)
            #expect(removed.count == 21, "pins removed: \(removed)")  // 19 maps, program, link
        }
        #expect(!Syscalls.exists(root))
        let shown = try Command.run(NetworkNamespace.ip!, ["-n", net.veth.receiver.name, "link", "show", "vr"]).stdout
        #expect(!shown.contains("xdp"), "ip link show: \(shown)")
        // The kernel frees objects after an RCU grace period: give it up to two seconds.
        func gone(_ open: () throws -> Void) -> Bool {
            for _ in 0..<200 {
                do { try open() } catch { return true }
                usleepMilliseconds(10)
            }
            return false
        }
        #expect(gone { _ = try Program.open(id: programID) }, "program \(programID) is still loaded")
        #expect(gone { _ = try Link.open(id: linkID) }, "link \(linkID) still exists")
        for id in mapIDs { #expect(gone { _ = try Map.open(id: id) }, "map \(id) still exists") }
    }

    /// Bad input is refused with its cause and leaves nothing: a missing interface, a second
    /// load on the same interface (the first stays intact), native mode where the device has no
    /// driver XDP, an unknown rule to delete.
    @Test func badInputLeavesNothingBehind() throws {
        let net = try FirewallNetwork("e")
        defer { net.close() }
        let root = Self.pinRoot("errors")
        func message(_ body: () throws -> Void) -> String {
            do { try body(); return "" } catch { return "\(error)" }
        }
        let missing = message { _ = try net.veth.receiver.enter { try Firewall.install(interface: "nosuch0", root: root) } }
        #expect(missing.contains("no network interface 'nosuch0'"), "\(missing)")
        #expect(!Syscalls.exists(root))
        #expect(message { _ = try Firewall.open(interface: "a/b", root: root) }.contains("not an interface name"))
        #expect(message { _ = try Firewall.open(interface: "vr", root: root) }.contains("no firewall is loaded on vr"))

        // Loopback has no driver-mode XDP.
        let native = message { _ = try net.veth.receiver.enter { try Firewall.install(interface: "lo", mode: .native, root: root) } }
        #expect(native.contains("native mode") || native.contains("cannot load"), "\(native)")
        #expect(!Syscalls.exists(root + "/lo"))

        let fw = try net.veth.receiver.enter { try Firewall.install(interface: "vr", mode: .generic, root: root) }
        defer { _ = try? Firewall.uninstall(interface: "vr", root: root) }
        let twice = message { _ = try net.veth.receiver.enter { try Firewall.install(interface: "vr", mode: .generic, root: root) } }
        #expect(twice.contains("already loaded on vr"), "\(twice)")
        try fw.add(try FirewallRuleParser.rule("deny tcp port 100-200"))
        let overlap = message { try fw.add(try FirewallRuleParser.rule("allow tcp port 200")) }
        #expect(overlap.contains("overlaps rule 1 'deny tcp port 100-200'"), "\(overlap)")
        #expect(try fw.rules().count == 1)
        #expect(try fw.bpf.ports.lookup(key: FirewallABI.portSlot(.tcp, 200)) == 1)
        #expect(message { try fw.delete(id: 7) }.contains("no rule 7"))
        #expect(message { try fw.setDefault(.count) }.contains("allow or deny"))
    }
}

extension FirewallTests {
    /// The command's life cycle, run in the receiver's namespace (nsenter keeps the mounts, so
    /// the pins land in the real bpffs): load with a rules file, add a rule, load a blocklist,
    /// read the status as JSON, refuse bad input naming the cause, unload leaving no pin.
    @Test(.enabled(if: CLI.path != nil && Command.which("nsenter") != nil, "needs the swiftbpf binary and nsenter"))
    func commandLineLifeCycle() throws {
        let net = try FirewallNetwork("c")
        defer { net.close() }
        let dir = "/tmp/swiftbpf-fw-cli-\(getpid())"
        try Syscalls.mkdir(dir)
        defer { _ = try? Command.run("/bin/rm", ["-rf", dir]) }
        try "default allow\ndeny from 10.77.0.9\ncount udp port 5000\n".write(toFile: dir + "/rules", atomically: true, encoding: .utf8)
        try "; list\n10.77.0.41/32 ; SBL1\n2001:db8::/32\n".write(toFile: dir + "/drop", atomically: true, encoding: .utf8)
        try "deny from 10.0.0.0/8\ndeny tcp port 99999\n".write(toFile: dir + "/bad", atomically: true, encoding: .utf8)
        let location = try FirewallLocation(interface: "vr")
        guard !location.isInstalled else {
            Issue.record("a firewall is already pinned at \(location.directory); not touching it")
            return
        }
        func fw(_ args: String...) throws -> CommandResult {
            try Command.run(Command.which("nsenter")!, ["--net=" + net.veth.receiver.path, CLI.path!, "firewall"] + args)
        }
        defer { _ = try? fw("unload", "vr") }

        let bad = try fw("load", "vr", "--rules", dir + "/bad")
        #expect(bad.status != 0 && bad.stderr.contains("line 2: bad port '99999'"), "\(bad.stderr)")
        #expect(!location.isInstalled)
        let load = try fw("load", "vr", "--mode", "generic", "--rules", dir + "/rules")
        #expect(load.status == 0 && load.stdout.contains("firewall loaded on vr (generic, 2 rules)"), "\(load.stdout)\(load.stderr)")
        #expect(try fw("rule", "add", "deny", "udp", "port", "6000-6001").stdout == "rule 3: deny udp port 6000-6001\n")
        let overlap = try fw("rule", "add", "allow", "udp", "port", "6001")
        #expect(overlap.status != 0 && overlap.stderr.contains("overlaps rule 3"), "\(overlap.stderr)")
        #expect(try fw("blocklist", "load", dir + "/drop").stdout.contains("1 IPv4 and 1 IPv6 prefixes"))

        let s = try net.sender(from: "10.77.0.9", port: 5000), t = try net.sender(from: "10.77.0.20", port: 5000)
        let receiver = try net.receiver(port: 5000)
        for _ in 0..<3 { s.send("denied"); t.send("counted") }
        #expect(receiver.receiveAll(expecting: 3) == ["counted", "counted", "counted"])
        let status = try fw("status", "--json").stdout
        #expect(status.contains(#""match":"from 10.77.0.9","dry_run":false,"packets":3"#), "\(status)")
        #expect(status.contains(#""match":"udp port 5000","dry_run":false,"packets":3"#), "\(status)")
        #expect(try fw("rule", "del", "deny", "from", "10.77.0.9").stdout == "deleted rule 1: deny from 10.77.0.9\n")
        #expect(try fw("rule", "list").stdout == "2     count udp port 5000\n3     deny udp port 6000-6001\n")

        let unload = try fw("unload", "vr")
        #expect(unload.stdout == "firewall unloaded from vr (21 pins removed)\n", "\(unload.stdout)\(unload.stderr)")
        #expect(!location.isInstalled)
        let again = try fw("status")
        #expect(again.status != 0 && again.stderr.contains("no firewall is loaded"), "\(again.stderr)")
    }
}

/// `actual` is `expected` less at most the `lost` frames veth dropped before XDP ran.
func expectReached(_ actual: Int, _ expected: Int, lost: Int, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual <= expected && actual + lost >= expected, "\(what): \(actual) of \(expected), \(lost) lost in transit", sourceLocation: sourceLocation)
}

/// The sending thread's flags.
final class StreamState: Sendable {
    let stop = Atomic<Bool>(false)
    let done = Atomic<Bool>(false)
    let sent = Atomic<Int>(0)
}

/// A `VethNetwork` with extra source addresses on the sender (10.77.0.9, .12, .20, .21, .33,
/// .41 and fd77::1a, fd77::21) and IPv6 on both ends (fd77::1 and fd77::2, no DAD).
final class FirewallNetwork {
    let veth: VethNetwork
    static let receiverIPv6 = "fd77::2"

    init(_ tag: String) throws {
        veth = try VethNetwork("f" + tag)
        do {
            for a in ["10.77.0.9", "10.77.0.12", "10.77.0.20", "10.77.0.21", "10.77.0.33", "10.77.0.41"] {
                try veth.sender.run(["addr", "add", a + "/24", "dev", "vs"])
            }
            for a in ["fd77::1", "fd77::1a", "fd77::21"] { try veth.sender.run(["addr", "add", a + "/64", "dev", "vs", "nodad"]) }
            try veth.receiver.run(["addr", "add", Self.receiverIPv6 + "/64", "dev", "vr", "nodad"])
            try veth.sender.run(["neigh", "add", Self.receiverIPv6, "lladdr", "02:00:00:00:00:02", "dev", "vs", "nud", "permanent"])
            for a in ["fd77::1", "fd77::1a", "fd77::21"] {
                try veth.receiver.run(["neigh", "add", a, "lladdr", "02:00:00:00:00:01", "dev", "vr", "nud", "permanent"])
            }
        } catch {
            veth.close()
            throw error
        }
    }

    /// A UDP socket in the sender namespace, bound to `source` and connected to the receiver's
    /// address of the same family at `port`.
    func sender(from source: String, port: UInt16) throws -> FirewallSocket {
        try veth.sender.enter {
            try FirewallSocket(bind: source, connect: source.contains(":") ? Self.receiverIPv6 : VethNetwork.receiverAddress, port: port)
        }
    }

    /// A dual-stack UDP socket in the receiver namespace on `port`.
    func receiver(port: UInt16) throws -> FirewallSocket {
        try veth.receiver.enter { try FirewallSocket(bind: "::", connect: nil, port: port) }
    }

    func close() { veth.close() }
}

/// A UDP socket for the firewall tests, IPv4 or IPv6.
final class FirewallSocket: @unchecked Sendable {
    let fd: Int32

    init(bind local: String, connect remote: String?, port: UInt16) throws {
        let v6 = local.contains(":")
        fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw BPFError.syscall(operation: "socket", errno: .current) }
        if v6 {
            var off: Int32 = 0
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &off, socklen_t(4))
        }
        try Self.withAddress(local, remote == nil ? port : 0) { a, l in
            guard Glibc.bind(fd, a, l) == 0 else { throw BPFError.syscall(operation: "bind(\(local))", errno: .current) }
        }
        if let remote {
            try Self.withAddress(remote, port) { a, l in
                guard Glibc.connect(fd, a, l) == 0 else { throw BPFError.syscall(operation: "connect(\(remote))", errno: .current) }
            }
        }
    }

    static func withAddress(_ ip: String, _ port: UInt16, _ body: (UnsafePointer<sockaddr>, socklen_t) throws -> Void) throws {
        if ip.contains(":") {
            var a = sockaddr_in6()
            a.sin6_family = sa_family_t(AF_INET6)
            a.sin6_port = port.bigEndian
            inet_pton(AF_INET6, ip, &a.sin6_addr)
            try withUnsafePointer(to: &a) { try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        } else {
            var a = UDPSocket.address(ip, port)
            try withUnsafePointer(to: &a) { try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
    }

    /// A receive buffer of 32 MiB (SO_RCVBUFFORCE: root), for long streams read at the end.
    func growBuffer() throws {
        var size: Int32 = 32 << 20
        guard setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, socklen_t(4)) == 0 else {
            throw BPFError.syscall(operation: "setsockopt(SO_RCVBUFFORCE)", errno: .current)
        }
    }

    @discardableResult
    func send(_ text: String) -> Bool {
        Array(text.utf8).withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) } == text.utf8.count
    }

    /// Every datagram that arrives until `expecting` have (or `timeoutMilliseconds` passed),
    /// then until none has come for `quietMilliseconds`. In native mode veth passes frames on
    /// from its NAPI poll, which under qemu's emulation can lag the sender by more than the
    /// quiet time.
    func receiveAll(expecting: Int, timeoutMilliseconds: Double = 5000, quietMilliseconds: Int32 = 150) -> [String] {
        var out: [String] = []
        let deadline = Firewall.now() + timeoutMilliseconds / 1000
        while out.count < expecting && Firewall.now() < deadline {
            out += receiveAll(quietMilliseconds: 100)
        }
        return out + receiveAll(quietMilliseconds: quietMilliseconds)
    }

    /// Every datagram that arrives until none has come for `quietMilliseconds`.
    func receiveAll(quietMilliseconds: Int32 = 150) -> [String] {
        var out: [String] = []
        var buffer = [UInt8](repeating: 0, count: 2048)
        while true {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, quietMilliseconds) == 1 else { return out }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n > 0 { out.append(String(decoding: buffer[0..<n], as: UTF8.self)) }
        }
    }

    deinit { Glibc.close(fd) }
}
