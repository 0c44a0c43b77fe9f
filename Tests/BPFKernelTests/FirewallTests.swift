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
    @Test(arguments: Firewall.Mode.allCases, BPFProgramLanguage.allCases)
    func rulesDropExactlyWhatTheyMatch(mode: Firewall.Mode, language: BPFProgramLanguage) throws {
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
        let fw = try net.veth.receiver.enter { try Firewall.install(interface: "vr", mode: mode, ruleSet: set, root: root, language: language) }
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
        // Of each flow, the datagrams that reached XDP: all of them, less any veth dropped
        // before it (its ring full under qemu's emulation), which send() reports.
        var reached: [String: Int] = [:]
        for f in flows { reached[f.tag] = net.send(f.tag, count: n, through: try net.sender(from: f.source, port: f.port)) }
        #expect(reached.values.allSatisfy { $0 > n / 2 }, "veth dropped most frames before XDP: \(reached)")
        let passing = reached.filter { ["allowed4", "allowlisted4", "shadowed4", "allowed6"].contains($0.key) }
        let got = receiver.receiveAll(expecting: passing.values.reduce(0, +)) + r5001.receiveAll() + r6005.receiveAll()
        #expect(Dictionary(grouping: got, by: { $0 }).mapValues(\.count) == passing, "sent \(n) of each, reached XDP: \(reached)")

        let rules = try fw.rules()
        // Frame sizes: Ethernet 14 + IPv4 20 (IPv6 40) + UDP 8 + payload.
        func frame(_ tag: String, v6: Bool = false) -> UInt64 { UInt64(14 + (v6 ? 40 : 20) + 8 + tag.utf8.count) }
        func expectCounted(_ text: String, _ tag: String, v6: Bool = false) throws {
            let rule = try FirewallRuleParser.rule(text)
            let id = try #require(rules.first { $0.rule == rule }?.id, "rule '\(text)' is not installed")
            let expected = reached[tag] ?? 0
            let packets = try settled(at: expected) { try fw.counter(ruleID: id).packets }
            #expect(packets == expected, "\(text): counted \(packets), \(expected) reached XDP")
            #expect(try fw.counter(ruleID: id).bytes == UInt64(packets) * frame(tag, v6: v6), "\(text)")
        }
        try expectCounted("deny from 10.77.0.8/29", "denied4")
        try expectCounted("deny from fd77::10/124", "denied6", v6: true)
        try expectCounted("count from 10.77.0.32/28", "shadowed4")
        try expectCounted("allow from 10.77.0.12", "allowlisted4")
        try expectCounted("deny udp port 5001", "port")
        try expectCounted("deny udp port 6000-6010", "range", v6: true)
        // allowed4, allowed6 and the shadowed flow fall through to the default policy (plus any
        // IPv6 neighbour or MLD packets the kernel sends on its own).
        let fallThrough = reached["allowed4"]! + reached["allowed6"]! + reached["shadowed4"]!
        #expect(try fw.defaultCounter().packets >= UInt64(fallThrough))
        #expect(try fw.status().rules.count == 6)

        // A rule deleted at run time stops dropping; one added starts.
        try fw.delete(try FirewallRuleParser.rule("deny udp port 5001"))
        try fw.add(try FirewallRuleParser.rule("deny from 10.77.0.20"))
        let s5001 = try net.sender(from: "10.77.0.21", port: 5001), s20 = try net.sender(from: "10.77.0.20", port: 5000)
        let portAgain = net.send("port-again", count: 5, through: s5001)
        let nowDenied = net.send("now-denied", count: 5, through: s20)
        #expect(r5001.receiveAll(expecting: portAgain) == Array(repeating: "port-again", count: portAgain))
        #expect(receiver.receiveAll().isEmpty)
        let added = try #require(try fw.rules().first { $0.rule.description == "deny from 10.77.0.20" })
        #expect(try settled(at: nowDenied) { try fw.counter(ruleID: added.id).packets } == nowDenied)
    }

    /// The program reads past 802.1Q tags to the IPv4 source (frames written with a packet
    /// socket: this kernel has no VLAN devices), and the IPv6 blocklist drops what it lists.
    @Test(arguments: Firewall.Mode.allCases, BPFProgramLanguage.allCases)
    func vlanTagsAndTheIPv6Blocklist(mode: Firewall.Mode, language: BPFProgramLanguage) throws {
        let net = try FirewallNetwork("v\(mode.rawValue.prefix(1))")
        defer { net.close() }
        let root = Self.pinRoot("vlan-\(mode)")
        let fw = try net.veth.receiver.enter {
            try Firewall.install(interface: "vr", mode: mode, ruleSet: try FirewallRuleParser.ruleSet("deny from 10.78.0.1\n"), root: root, language: language)
        }
        defer { _ = try? Firewall.uninstall(interface: "vr", root: root) }
        let report = try fw.loadBlocklist([try IPPrefix(parsing: "fd77::20/123")])
        #expect(report.ipv4Entries == 0 && report.ipv6Entries == 1)

        // One tag and two tags (802.1ad outer, 802.1Q inner) before IPv4 from 10.78.0.1.
        let frames = [Self.udpFrame(tags: [0x8100], source: [10, 78, 0, 1]), Self.udpFrame(tags: [0x88a8, 0x8100], source: [10, 78, 0, 1])]
        let index = try net.veth.senderIndex
        // The frames that left the sender's veth (dev_queue_xmit's NET_XMIT_DROP fails a packet
        // socket's sendto with ENOBUFS) and their bytes.
        let tagged = try net.veth.sender.enter { () throws -> (frames: Int, bytes: Int) in
            let fd = socket(AF_PACKET, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw BPFError.syscall(operation: "socket(AF_PACKET)", errno: .current) }
            defer { Glibc.close(fd) }
            // struct sockaddr_ll (20 bytes; not in Glibc's module): family, protocol, ifindex,
            // hatype, pkttype, halen, addr[8].
            var address = [UInt8](repeating: 0, count: 20)
            withUnsafeBytes(of: UInt16(AF_PACKET)) { address.replaceSubrange(0..<2, with: $0) }
            withUnsafeBytes(of: Int32(index)) { address.replaceSubrange(4..<8, with: $0) }
            address[11] = 6
            var left = (frames: 0, bytes: 0)
            for frame in frames {
                for _ in 0..<5 {
                    let n = frame.withUnsafeBytes { f in
                        address.withUnsafeBytes {
                            sendto(fd, f.baseAddress, f.count, 0, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(20))
                        }
                    }
                    if n == frame.count {
                        left.frames += 1
                        left.bytes += frame.count
                    } else if errno != ENOBUFS {
                        throw BPFError.syscall(operation: "sendto(AF_PACKET)", errno: .current)
                    }
                }
            }
            return left
        }
        let receiver = try net.receiver(port: 5000)
        let blocked6 = try net.sender(from: "fd77::21", port: 5000), allowed6 = try net.sender(from: "fd77::1a", port: 5000)
        let blocked = net.send("v6-blocked", count: 7, through: blocked6), allowed = net.send("v6-ok", count: 7, through: allowed6)
        #expect(receiver.receiveAll(expecting: allowed) == Array(repeating: "v6-ok", count: allowed))
        let rule = try #require(try fw.rules().first)
        _ = try settled(at: tagged.frames) { try fw.counter(ruleID: rule.id).packets }
        #expect(try fw.counter(ruleID: rule.id) == FirewallCounter(packets: UInt64(tagged.frames), bytes: UInt64(tagged.bytes)))
        _ = try settled(at: blocked) { try fw.blocklistCounter().packets }
        let ipv6Frame = UInt64(14 + 40 + 8 + 10)
        #expect(try fw.blocklistCounter() == FirewallCounter(packets: UInt64(blocked), bytes: UInt64(blocked) * ipv6Frame))
        #expect(tagged.frames > 5 && blocked > 3, "veth dropped most frames before XDP")
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
    @Test(arguments: BPFProgramLanguage.allCases) func dryRunCountsButDropsNothing(language: BPFProgramLanguage) throws {
        let net = try FirewallNetwork("d")
        defer { net.close() }
        let root = Self.pinRoot("dry")
        let set = try FirewallRuleParser.ruleSet("deny from 10.77.0.9\ndeny udp port 5000\n")
        let fw = try net.veth.receiver.enter {
            try Firewall.install(interface: "vr", mode: .generic, ruleSet: set, defaultAction: .deny, dryRun: true, root: root, language: language)
        }
        defer { _ = try? Firewall.uninstall(interface: "vr", root: root) }
        try fw.loadBlocklist([try IPPrefix(parsing: "10.77.0.40/29")])
        let receiver = try net.receiver(port: 5000), r5002 = try net.receiver(port: 5002)
        // Ten datagrams of each flow; the ones that reached XDP (see FirewallNetwork.send).
        let nine5000 = net.send("9", count: 10, through: try net.sender(from: "10.77.0.9", port: 5000))
        let twenty5000 = net.send("20", count: 10, through: try net.sender(from: "10.77.0.20", port: 5000))
        let listed5002 = net.send("41", count: 10, through: try net.sender(from: "10.77.0.41", port: 5002))
        let twenty5002 = net.send("20", count: 10, through: try net.sender(from: "10.77.0.20", port: 5002))
        #expect(receiver.receiveAll(expecting: nine5000 + twenty5000).count == nine5000 + twenty5000)
        #expect(r5002.receiveAll(expecting: listed5002 + twenty5002).count == listed5002 + twenty5002)
        // Every datagram arrived, so XDP has counted each.
        let status = try fw.status()
        #expect(status.isDryRun && status.defaultAction == .deny)
        // A count rule lets the walk go on: 10.77.0.9's datagrams to port 5000 are counted by both
        // rules, 10.77.0.20's by the port rule only.
        #expect(status.rules.map(\.counter.packets) == [UInt64(nine5000), UInt64(nine5000 + twenty5000)])
        #expect(status.rules.allSatisfy { $0.rule.isDryRun })
        #expect(status.blocklistCounter.packets == UInt64(listed5002))
        #expect(status.defaultCounter.packets >= UInt64(twenty5002))
        #expect(nine5000 > 5 && twenty5000 > 5 && listed5002 > 5 && twenty5002 > 5, "veth dropped most frames before XDP")
        #expect(FirewallFormat.json(status).contains("\"dry_run\":true"))
    }

    /// The blocklist of 100,000 prefixes is swapped whole, again and again, under a steady
    /// stream of allowed datagrams and of datagrams from a blocked source: every allowed one
    /// arrives, no blocked one does, and the blocklist counts exactly the blocked ones.
    @Test(arguments: Firewall.Mode.allCases, TwinLanguages.bothOnHost)
    func blocklistReloadUnderTrafficLosesNothing(mode: Firewall.Mode, language: BPFProgramLanguage) throws {
        let net = try FirewallNetwork("b\(mode.rawValue.prefix(1))")
        defer { net.close() }
        let root = Self.pinRoot("block-\(mode)")
        let fw = try net.veth.receiver.enter { try Firewall.install(interface: "vr", mode: mode, root: root, language: language) }
        defer { _ = try? Firewall.uninstall(interface: "vr", root: root) }

        let lists = Self.reloadLists
        #expect(lists[0].count == 100_000 && lists[1].count == 100_000)
        // Six reloads; two where one takes over 2 s (qemu's emulation), to fit the VM's time.
        let reloads = try fw.loadBlocklist(lists[0]).seconds > 2 ? 2 : 6

        // The receiver is read while the stream runs: under qemu the reloads take seconds, and
        // the datagrams of a stream that long overflow any socket buffer.
        let drain = DatagramDrain(try net.receiver(port: 5000))
        defer { drain.close() }
        let allowed = try net.sender(from: "10.77.0.20", port: 5000), blocked = try net.sender(from: "10.77.0.9", port: 5000)
        let stream = StreamState()
        let sender = Thread {
            while !stream.stop.load(ordering: .relaxed) {
                // A datagram veth dropped before XDP fails its send (FirewallSocket.send).
                if allowed.send("ok") { stream.allowedReached.add(1, ordering: .relaxed) }
                if blocked.send("blocked") { stream.blockedReached.add(1, ordering: .relaxed) }
                stream.sent.add(1, ordering: .relaxed)
                usleep(200)
            }
            stream.done.store(true, ordering: .releasing)
        }
        sender.start()
        defer { stream.stop.store(true, ordering: .relaxed) }  // also when a reload throws
        var seconds: [Double] = []
        for i in 0..<reloads { seconds.append(try fw.loadBlocklist(lists[(i + 1) % 2]).seconds) }
        stream.stop.store(true, ordering: .relaxed)
        while !stream.done.load(ordering: .acquiring) { usleepMilliseconds(1) }
        let n = stream.sent.load(ordering: .relaxed)
        let allowedReached = stream.allowedReached.load(ordering: .relaxed), blockedReached = stream.blockedReached.load(ordering: .relaxed)
        let got = drain.finish(expecting: allowedReached)
        print("firewall blocklist reload of 100,000 prefixes (\(mode)): \(seconds.map { String(format: "%.3f", $0) }.joined(separator: " ")) s; \(n) pairs sent during the reloads, \(2 * n - allowedReached - blockedReached) dropped by veth before XDP")
        #expect(n > 100)
        #expect(allowedReached > n / 2 && blockedReached > n / 2, "veth dropped most frames before XDP")
        // Every allowed datagram that reached XDP arrived, every blocked one was dropped and
        // counted, whichever list was in place.
        #expect(got.filter { $0 == "ok" }.count == allowedReached)
        #expect(!got.contains("blocked"))
        #expect(try settled(at: blockedReached) { try fw.blocklistCounter().packets } == blockedReached)
        let status = try fw.status()
        #expect(status.blocklistIPv4Entries == 90_001 && status.blocklistIPv6Entries == 9_999)
    }

    /// The two blocklists of 100,000 the reload test swaps, built once for both modes and as
    /// prefixes, not text to parse (that took tens of seconds of a debug build under qemu): both
    /// block 10.77.0.9 (list A by a /30, list B by the address), neither blocks 10.77.0.20; the
    /// rest are addresses in 100.64.0.0/10 and /48s in 2001:db8::/32.
    static let reloadLists: [[IPPrefix]] = (0..<2).map { variant in
        var list = [IPPrefix(family: .ipv4, address: [10, 77, 0, variant == 0 ? 8 : 9], length: variant == 0 ? 30 : 32)]
        list.reserveCapacity(100_000)
        for i in variant..<(90_000 + variant) {
            list.append(IPPrefix(family: .ipv4, address: [100, UInt8(64 + i / 65536 % 64), UInt8(i / 256 % 256), UInt8(i % 256)], length: 32))
        }
        for i in variant..<(9_999 + variant) {
            list.append(IPPrefix(family: .ipv6, address: [0x20, 0x01, 0x0d, 0xb8, UInt8(i >> 8), UInt8(i & 0xff)] + [UInt8](repeating: 0, count: 10), length: 48))
        }
        return list.compactMap { $0 }
    }

    /// Unload detaches the program and removes the pins; the program, the link and every map
    /// (the blocklists' inner tries too) are gone from the kernel.
    @Test(arguments: Firewall.Mode.allCases, TwinLanguages.bothOnHost)
    func unloadLeavesNothing(mode: Firewall.Mode, language: BPFProgramLanguage) throws {
        let net = try FirewallNetwork("u\(mode.rawValue.prefix(1))")
        defer { net.close() }
        let root = Self.pinRoot("unload-\(mode)")
        var mapIDs: [UInt32] = [], programID: UInt32 = 0, linkID: UInt32 = 0
        do {
            let fw = try net.veth.receiver.enter {
                try Firewall.install(interface: "vr", mode: mode, ruleSet: try FirewallRuleParser.ruleSet("deny udp port 53\n"), root: root, language: language)
            }
            try fw.loadBlocklist([try IPPrefix(parsing: "192.0.2.0/24"), try IPPrefix(parsing: "2001:db8::/32")])
            let opened = try Firewall.open(interface: "vr", root: root, language: language)
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
        let denied = net.send("denied", count: 3, through: s), counted = net.send("counted", count: 3, through: t)
        #expect(receiver.receiveAll(expecting: counted) == Array(repeating: "counted", count: counted))
        do {  // the denied ones leave no trace at the receiver: wait for XDP to have counted them
            let opened = try Firewall.open(interface: "vr")
            let rule = try #require(try opened.rules().first { $0.rule.description == "deny from 10.77.0.9" })
            #expect(try settled(at: denied) { try opened.counter(ruleID: rule.id).packets } == denied)
        }
        let status = try fw("status", "--json").stdout
        #expect(status.contains(#""match":"from 10.77.0.9","dry_run":false,"packets":\#(denied),"#), "\(status)")
        #expect(status.contains(#""match":"udp port 5000","dry_run":false,"packets":\#(counted),"#), "\(status)")
        #expect(try fw("rule", "del", "deny", "from", "10.77.0.9").stdout == "deleted rule 1: deny from 10.77.0.9\n")
        #expect(try fw("rule", "list").stdout == "2     count udp port 5000\n3     deny udp port 6000-6001\n")

        let unload = try fw("unload", "vr")
        #expect(unload.stdout == "firewall unloaded from vr (21 pins removed)\n", "\(unload.stdout)\(unload.stderr)")
        #expect(!location.isInstalled)
        let again = try fw("status")
        #expect(again.status != 0 && again.stderr.contains("no firewall is loaded"), "\(again.stderr)")
    }
}
