import SwiftBPFSecurity
import Testing

/// A resolver over a fixed table: the pure tests' file system.
struct TableResolver: GuardResolver {
    var files: [String: FileID]
    var cgroups: [String: (id: UInt64, level: Int)] = [:]
    func fileID(_ path: String) -> FileID? { files[path] }
    func cgroup(_ path: String) -> (id: UInt64, level: Int)? { cgroups[path] }
}

/// The pure matcher over compiled tables: selectors by inode, conditions, modes, precedence.
@Suite struct GuardMatcherTests {
    let nc = FileID(inode: 100, device: 8 << 20 | 1)
    let bash = FileID(inode: 200, device: 8 << 20 | 1)
    let etc = FileID(inode: 300, device: 8 << 20 | 1)
    let shadow = FileID(inode: 301, device: 8 << 20 | 1)
    let other = FileID(inode: 999, device: 8 << 20 | 1)

    func compile(_ yaml: String) throws -> CompiledGuardPolicy {
        let resolver = TableResolver(files: ["/usr/bin/nc": nc, "/bin/bash": bash, "/etc": etc, "/etc/shadow": shadow],
                                     cgroups: ["/sys/fs/cgroup/app": (id: 77, level: 1)])
        return try GuardPolicyCompiler.compile(GuardPolicyParser.parse(yaml), resolver: resolver)
    }

    @Test func binaryByInodeWhateverTheName() throws {
        let matcher = GuardMatcher(try compile("- {name: no-nc, events: [exec], binary: /usr/bin/nc, action: kill}\n"))
        let hit = matcher.decide(GuardMatchFacts(kind: .exec, binary: nc, parentBinary: bash, uid: 1000))
        #expect(hit.rule == 0 && hit.action == .kill && hit.enforce)
        #expect(matcher.decide(GuardMatchFacts(kind: .exec, binary: other, parentBinary: bash, uid: 1000)).rule == nil)
        #expect(matcher.decide(GuardMatchFacts(kind: .open, binary: nc, parentBinary: bash, uid: 1000)).rule == nil)
    }

    @Test func pathsMatchTheFileOrAnyDirectoryAbove() throws {
        let matcher = GuardMatcher(try compile("""
            - {name: etc-writes, events: [open], paths: [/etc], access: write, action: alert}
            - {name: shadow, events: [open], paths: [/etc/shadow], action: kill, mode: monitor}
            """))
        var read = GuardMatchFacts(kind: .open, binary: other, parentBinary: nil, uid: 0)
        read.pathChain = [shadow, etc]
        let r = matcher.decide(read)
        #expect(r.matched == [1])
        #expect(r.action == .kill && !r.enforce)
        var write = read
        write.write = true
        let w = matcher.decide(write)
        #expect(w.matched == [0, 1])
        // Enforced alert wins over a monitored kill: monitor never acts.
        #expect(w.rule == 0 && w.enforce)
        var elsewhere = write
        elsewhere.pathChain = [other]
        #expect(matcher.decide(elsewhere).matched.isEmpty)
    }

    @Test func portsAddressesUsersCgroupsAndParents() throws {
        let matcher = GuardMatcher(try compile("""
            - {name: ssh, events: [connect], ports: [22, 2200-2202], addresses: [10.0.0.0/8], cgroup: /sys/fs/cgroup/app, action: deny}
            - {name: bash-child, events: [ptrace], parent: /bin/bash, user: [1000], action: alert}
            """))
        var c = GuardMatchFacts(kind: .connect, binary: other, parentBinary: nil, uid: 0)
        c.port = 2201
        c.address = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3]
        c.cgroupAncestors = [1, 77, 78]
        #expect(matcher.decide(c).action == .deny)
        var wrongPort = c
        wrongPort.port = 23
        #expect(matcher.decide(wrongPort).rule == nil)
        var wrongNet = c
        wrongNet.address = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 11, 1, 2, 3]
        #expect(matcher.decide(wrongNet).rule == nil)
        var wrongCgroup = c
        wrongCgroup.cgroupAncestors = [1, 76]
        #expect(matcher.decide(wrongCgroup).rule == nil)
        let p = GuardMatchFacts(kind: .ptrace, binary: other, parentBinary: bash, uid: 1000)
        #expect(matcher.decide(p).rule == 1)
        #expect(matcher.decide(GuardMatchFacts(kind: .ptrace, binary: other, parentBinary: bash, uid: 0)).rule == nil)
        #expect(matcher.decide(GuardMatchFacts(kind: .ptrace, binary: other, parentBinary: nc, uid: 1000)).rule == nil)
    }

    /// `except_peers`: an address range on one port, or on any port; IPv6 in brackets when a
    /// port follows; the longest match per trie, as the kernel's two LPM tries answer.
    @Test func exceptPeersExemptAnAddressOnAPortOrOnAny() throws {
        let policy = try compile("""
            - name: out
              events: [connect, sendmsg]
              except_peers: ["127.0.0.1:8080", "10.0.0.0/8:53", "10.1.0.0/16:53", "192.168.7.0/24", "[::1]:443", "2001:db8::/32"]
              except_ports: [123]
              action: deny
            - {name: other, events: [connect], except_peers: ["10.1.2.3:53"], action: alert}
            """)
        #expect(policy.rules[0].rule.exceptPeers.map(\.port) == [8080, 53, 53, nil, 443, nil])
        #expect(policy.peerExcept.count == 5 && policy.addressExcept.count == 2)
        #expect(policy.masks.exceptPeer == 0b11)
        let matcher = GuardMatcher(policy)
        func call(_ address: [UInt8], _ port: UInt16, _ kind: GuardEventKind = .connect) -> [Int] {
            var f = GuardMatchFacts(kind: kind, binary: other, parentBinary: nil, uid: 0)
            f.address = address
            f.port = port
            return matcher.decide(f).matched
        }
        func v4(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> [UInt8] { [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d] }
        var loopback6 = [UInt8](repeating: 0, count: 16)
        loopback6[15] = 1
        var doc6 = [UInt8](repeating: 0, count: 16)
        doc6[0] = 0x20; doc6[1] = 0x01; doc6[2] = 0x0d; doc6[3] = 0xb8; doc6[15] = 9
        #expect(call(v4(127, 0, 0, 1), 8080) == [1], "the learned peer: rule 0 exempt")
        #expect(call(v4(127, 0, 0, 2), 8080) == [0, 1], "the same port on another address")
        #expect(call(v4(127, 0, 0, 1), 8081) == [0, 1], "another port on the same address")
        #expect(call(v4(10, 9, 9, 9), 53) == [1] && call(v4(10, 1, 2, 3), 53) == [], "a range on a port, and the enclosing range's rule with the inner one's")
        #expect(call(v4(10, 9, 9, 9), 54) == [0, 1])
        #expect(call(v4(192, 168, 7, 200), 1) == [1] && call(v4(192, 168, 8, 1), 1) == [0, 1], "a range on any port")
        #expect(call(loopback6, 443) == [1] && call(loopback6, 80) == [0, 1])
        #expect(call(doc6, 9) == [1], "an IPv6 range on any port")
        #expect(call(v4(8, 8, 8, 8), 123) == [1], "except_ports still exempts on its own")
        #expect(call(v4(127, 0, 0, 1), 8080, .sendmsg) == [], "rule 1 is connect only")
    }

    @Test func socketRulesByFamilyAndType() throws {
        let matcher = GuardMatcher(try compile("""
            - {name: no-udp, events: [socket], families: [inet, inet6], types: [dgram], action: deny}
            - {name: raw, events: [socket], families: [packet, 16], action: kill}
            - {name: any-socket, events: [socket], action: alert}
            """))
        func socket(_ family: UInt32, _ type: UInt32) -> [Int] {
            var f = GuardMatchFacts(kind: .socket, binary: other, parentBinary: nil, uid: 0)
            f.socketFamily = family
            f.socketType = type
            return matcher.decide(f).matched
        }
        #expect(socket(2, 2) == [0, 2] && socket(10, 2) == [0, 2])
        #expect(socket(2, 1) == [2], "a stream socket is not dgram")
        #expect(socket(17, 3) == [1, 2] && socket(16, 3) == [1, 2], "families by name and by number")
        #expect(socket(1, 1) == [2])
        #expect(matcher.decide(GuardMatchFacts(kind: .connect, binary: other, parentBinary: nil, uid: 0)).rule == nil)
    }

    @Test func deviceRulesByTypeNumbersAndAccess() throws {
        let policy = try compile("""
            - {name: null-writes, events: [device], devices: ["c 1:3 w"], action: deny}
            - {name: disks, events: [device], devices: ["b 8:* rw", "a *:5 m"], action: alert}
            - {name: tty, events: [device], devices: ["c *:*"], action: alert, mode: monitor}
            """)
        let matcher = GuardMatcher(policy)
        func access(_ type: UInt32, _ major: UInt32, _ minor: UInt32, _ access: UInt32) -> [Int] {
            var f = GuardMatchFacts(kind: .device, binary: other, parentBinary: nil, uid: 0)
            f.device = GuardDeviceAccess(type: type, major: major, minor: minor, access: access)
            return matcher.decide(f).matched
        }
        #expect(access(2, 1, 3, 4) == [0, 2], "write to c 1:3")
        #expect(access(2, 1, 3, 2) == [2], "a read is not a write")
        #expect(access(2, 1, 3, 6) == [0, 2], "read and write together: write is covered")
        #expect(access(1, 8, 17, 2) == [1] && access(1, 8, 0, 1) == [], "b 8:* covers reads, not mknod")
        #expect(access(1, 9, 5, 1) == [1] && access(2, 9, 5, 1) == [1, 2], "a *:5 m: both types, any major")
        #expect(policy.deviceRules(type: 2, major: 1, minor: 3, access: 4) == 0b101)
        #expect(GuardDeviceAccess(type: 2, major: 1, minor: 3, access: 6).text == "c 1:3 rw")
    }

    @Test func unresolvableNamesAreWarningsOrErrors() throws {
        let some = try compile("- {name: a, events: [exec], binary: [/usr/bin/nc, /no/such], action: kill}\n")
        #expect(some.warnings == ["rule 'a': binary /no/such does not exist; left out"])
        #expect(throws: GuardPolicyError.self) { try compile("- {name: a, events: [exec], binary: /no/such, action: kill}\n") }
        #expect(throws: GuardPolicyError.self) { try compile("- {name: a, events: [open], paths: [/no/such], action: kill}\n") }
        #expect(throws: GuardPolicyError.self) { try compile("- {name: a, events: [connect], cgroup: /sys/fs/cgroup/none, action: deny}\n") }
    }

    @Test func kernelTablesHoldTheMasks() throws {
        let p = try compile("""
            - {name: a, events: [exec], binary: /usr/bin/nc, action: kill}
            - {name: b, events: [exec, ptrace], action: alert}
            - {name: c, events: [connect], ports: [80], action: deny}
            """)
        #expect(p.masks.kinds[Int(GuardEventKind.exec.rawValue)] == 0b011)
        #expect(p.masks.kinds[Int(GuardEventKind.ptrace.rawValue)] == 0b010)
        #expect(p.masks.noBinary == 0b110)
        #expect(p.inodes[nc]?.binary == 0b001)
        #expect(p.ports == [80: 0b100])
        #expect(p.masks.noPort == 0b011)
    }

    /// 100 rules: rules 64 and up live in the masks' high word, and a decision can mix both words.
    @Test func aHundredRulesMatchAcrossBothWordsOfTheMasks() throws {
        var lines = (0..<97).map { "- {name: filler-\($0), events: [exec], binary_inode: \"0:0:\($0 + 1)\", action: alert}" }
        lines.append("- {name: shadow-alert, events: [open], paths: [/etc/shadow], action: alert}")      // rule 97
        lines.append("- {name: no-nc, events: [exec], binary: /usr/bin/nc, action: kill}")             // rule 98
        lines.append("- {name: etc-kill, events: [open], paths: [/etc], access: write, action: kill}") // rule 99
        let policy = try compile(lines.joined(separator: "\n"))
        #expect(policy.rules.count == 100)
        #expect(policy.inodes[nc]?.binary == UInt128(1) << 98)
        let matcher = GuardMatcher(policy)
        #expect(matcher.decide(GuardMatchFacts(kind: .exec, binary: nc, parentBinary: bash, uid: 0)).rule == 98)
        var write = GuardMatchFacts(kind: .open, binary: other, parentBinary: nil, uid: 0)
        write.pathChain = [shadow, etc]
        write.write = true
        let both = matcher.decide(write)
        #expect(both.matched == [97, 99])
        #expect(both.rule == 99 && both.action == .kill)
        write.write = false
        #expect(matcher.decide(write).matched == [97])
    }

    @Test func argumentConditionsLookAtArgvFromTheFirstArgumentOn() throws {
        let matcher = GuardMatcher(try compile("- {name: no-dash-e, events: [exec], binary: /usr/bin/nc, args: [-e, --exec], action: kill}\n"))
        var facts = GuardMatchFacts(kind: .exec, binary: nc, parentBinary: bash, uid: 0)
        facts.argv = ["nc", "-l", "-e", "/bin/sh"]
        #expect(matcher.decide(facts).rule == 0)
        facts.argv = ["nc", "-l", "-ex"]
        #expect(matcher.decide(facts).rule == nil)
        facts.argv = ["-e", "-l"]
        #expect(matcher.decide(facts).rule == nil)
        #expect(GuardArgumentHash.of("") == 0xcbf2_9ce4_8422_2325)
        #expect(GuardArgumentHash.of("a") == 0xaf63_dc4c_8601_ec8c)
    }
}
