import SwiftBPFSecurity
import Testing

/// The policy parser on good, bad and hostile YAML: every error names the line and the field.
@Suite struct GuardPolicyParserTests {
    func error(_ yaml: String) -> GuardPolicyError? {
        do {
            _ = try GuardPolicyParser.parse(yaml, file: "p.yaml")
            return nil
        } catch {
            return error
        }
    }

    @Test func parsesEveryField() throws {
        let yaml = """
            rules:
              - name: no-shadow
                events: [open]
                paths: [/etc/shadow, /etc/gshadow]
                access: write
                binary: /usr/bin/cat
                parent_inode: "8:1:1234"
                user: [0, 1000]
                action: kill
                mode: monitor
              - name: no-ssh
                events: connect
                ports: [22, "8000-8010"]
                addresses: [10.0.0.0/8, "::1"]
                cgroup: /sys/fs/cgroup/unified/app
                action: deny
              - name: fileless
                events: [exec]
                fileless: true
                action: alert
            """
        let policy = try GuardPolicyParser.parse(yaml, file: "p.yaml")
        #expect(policy.rules.count == 3)
        let a = policy.rules[0]
        #expect(a.name == "no-shadow")
        #expect(a.kinds == [.open])
        #expect(a.paths == ["/etc/shadow", "/etc/gshadow"])
        #expect(a.access == .write)
        #expect(a.binaries == [.path("/usr/bin/cat")])
        #expect(a.parents == [.inode(FileID(inode: 1234, device: 8 << 20 | 1))])
        #expect(a.users == [0, 1000])
        #expect(a.action == .kill)
        #expect(a.mode == .monitor)
        #expect(a.location?.line == 2)
        let b = policy.rules[1]
        #expect(b.kinds == [.connect])
        #expect(b.ports == [22...22, 8000...8010])
        #expect(b.addresses.map(\.prefixLength) == [104, 128])
        #expect(b.cgroup == "/sys/fs/cgroup/unified/app")
        #expect(b.mode == .enforce)
        #expect(policy.rules[2].fileless)
    }

    @Test func aTopLevelListIsAPolicyToo() throws {
        let policy = try GuardPolicyParser.parse("- {name: a, events: [exec], action: alert}\n")
        #expect(policy.rules.map(\.name) == ["a"])
    }

    @Test func unknownFieldNamesLineAndField() throws {
        let e = try #require(error("rules:\n  - name: a\n    events: [exec]\n    acton: kill\n"))
        #expect(e.location?.line == 4)
        #expect(e.field == "rules[0].acton")
        #expect(e.description.hasPrefix("p.yaml:4:5: rules[0].acton: unknown field 'acton'"))
    }

    @Test func missingAndBadValues() throws {
        let missing = try #require(error("rules:\n  - name: a\n    events: [exec]\n"))
        #expect(missing.field == "rules[0].action")
        #expect(missing.message.contains("missing required field 'action'"))
        #expect(missing.location?.line == 2)

        let action = try #require(error("rules:\n  - name: a\n    events: [exec]\n    action: explode\n"))
        #expect(action.location?.line == 4)
        #expect(action.message.contains("unknown action 'explode'"))

        let event = try #require(error("rules:\n  - name: a\n    events: [exec, teleport]\n    action: alert\n"))
        #expect(event.location?.line == 3)
        #expect(event.message.contains("unknown event 'teleport'"))

        let port = try #require(error("rules:\n  - name: a\n    events: [connect]\n    ports: [70000]\n    action: deny\n"))
        #expect(port.location?.line == 4)
        #expect(port.field == "rules[0].ports")

        let addr = try #require(error("rules:\n  - name: a\n    events: [connect]\n    addresses: [10.0.0.0/40]\n    action: deny\n"))
        #expect(addr.message.contains("prefix length"))

        for (peer, message) in [("10.0.0.1:99999", "port is 0-65535"), ("[::1:80", "in brackets"), ("[::1]80", "in brackets"),
                                ("example.com:80", "not an IPv4 or IPv6 address"), ("10.0.0.0/33:80", "prefix length"), ("10.0.0.1:", "port is 0-65535")] {
            let e = try #require(error("rules:\n  - name: a\n    events: [connect]\n    except_peers: [\"\(peer)\"]\n    action: deny\n"), "\(peer)")
            #expect(e.message.contains(message) && e.field == "rules[0].except_peers" && e.location?.line == 4, "\(peer): \(e)")
        }
        for (rule, message) in [
            ("events: [socket]\n    families: [ipx9]\n    action: alert", "unknown socket family 'ipx9'"),
            ("events: [socket]\n    types: [bogus]\n    action: alert", "unknown socket type 'bogus'"),
            ("events: [connect]\n    families: [inet]\n    action: deny", "'families' applies to socket events only"),
            ("events: [socket]\n    action: kill", "kill on socket is for families other than inet and inet6"),
            ("events: [socket]\n    families: [inet, packet]\n    action: kill", "kill on socket is for families other than inet and inet6"),
            ("events: [socket]\n    families: [unix]\n    action: deny", "deny on socket is for 'families: [inet, inet6]' only"),
            ("events: [socket]\n    action: deny", "deny on socket is for 'families: [inet, inet6]' only"),
        ] {
            let e = try #require(error("rules:\n  - name: a\n    \(rule)\n"), "\(rule)")
            #expect(e.message.contains(message), "\(rule): \(e)")
        }
        #expect(error("rules:\n  - name: a\n    events: [socket]\n    families: [inet6, inet]\n    types: [dgram, 3]\n    action: deny\n") == nil)
        #expect(error("rules:\n  - name: a\n    events: [socket]\n    families: [packet]\n    action: kill\n") == nil)

        let wrongKind = try #require(error("rules:\n  - name: a\n    events: [open]\n    except_peers: [10.0.0.1]\n    action: alert\n"))
        #expect(wrongKind.message.contains("'except_peers' applies to connect, bind, sendmsg, listen and accept"))
        #expect(error("rules:\n  - name: a\n    events: [listen, accept]\n    ports: [8080]\n    addresses: [127.0.0.0/8]\n    action: kill\n") == nil)

        let type = try #require(error("rules:\n  - name: a\n    events: {x: 1}\n    action: alert\n"))
        #expect(type.location?.line == 3)
        #expect(type.field == "rules[0].events")

        let relative = try #require(error("rules:\n  - name: a\n    events: [exec]\n    binary: bin/sh\n    action: kill\n"))
        #expect(relative.message.contains("absolute path"))

        let user = try #require(error("rules:\n  - name: a\n    events: [exec]\n    user: root\n    action: kill\n"))
        #expect(user.message.contains("numeric uid"))
    }

    @Test func duplicatesAreRefused() throws {
        let names = try #require(error("- {name: a, events: [exec], action: alert}\n- {name: a, events: [open], action: alert}\n"))
        #expect(names.message.contains("used twice (first at line 1)"))
        #expect(names.location?.line == 2)
        let keys = try #require(error("rules:\n  - name: a\n    events: [exec]\n    action: alert\n    action: kill\n"))
        #expect(keys.location?.line == 5)
        #expect(keys.message.contains("given twice"))
    }

    @Test func actionsTheHookCannotDoNameTheStrongestAvailable() throws {
        let deny = try #require(error("- {name: a, events: [ptrace], action: deny}\n"))
        #expect(deny.message.contains("deny is not available for ptrace"))
        #expect(deny.message.contains("the strongest action available for ptrace is kill"))
        // deny on the BPF LSM's kinds, and paths on every file call, are the loader's to judge
        // (it names the kernel's lack of BPF LSM); the policy itself is fine.
        #expect(error("- {name: a, events: [open, unlink], paths: [/etc], action: deny}\n") == nil)
        #expect(error("- {name: b, events: [exec], action: deny}\n") == nil)
        #expect(try #require(error("- {name: a, events: [exec, unlink], paths: [/etc], action: kill}\n")).message.contains("not exec"))
        #expect(try #require(error("- {name: a, events: [unlink], paths: [/etc], access: write, action: kill}\n")).message.contains("'access' applies to open"))
        #expect(try #require(error("- {name: a, events: [exec], args: [-e], action: deny}\n")).message.contains("'args' works with alert and kill"))
        #expect(try #require(error("- {name: a, events: [open], args: [-e], action: alert}\n")).message.contains("needs 'events: [exec]'"))
        #expect(try #require(error("- {name: a, events: [exec], args: [\"\"], action: alert}\n")).field == "rules[0].args")
        #expect(try GuardPolicyParser.parse("- {name: a, events: [exec], args: [-e, --exec], action: kill}\n").rules[0].arguments == ["-e", "--exec"])
        let kill = try #require(error("- {name: a, events: [connect], ports: [22], action: kill}\n"))
        #expect(kill.message.contains("use deny"))
    }

    @Test func conditionsOnTheWrongKind() throws {
        let paths = try #require(error("rules:\n  - name: a\n    events: [exec, open]\n    paths: [/etc]\n    action: alert\n"))
        #expect(paths.field == "rules[0].paths")
        #expect(paths.location?.line == 4)
        let ports = try #require(error("- {name: a, events: [exec], ports: [22], action: alert}\n"))
        #expect(ports.message.contains("connect, bind, sendmsg, listen and accept"))
        let lifecycle = try #require(error("- {name: a, events: [fork], action: alert}\n"))
        #expect(lifecycle.message.contains("always reported"))
    }

    @Test func deviceRulesNeedDevicesInCgroupV1Syntax() throws {
        let p = try GuardPolicyParser.parse("- {name: a, events: [device], devices: [\"c 1:3 rw\", \"b *:* m\", \"a 8:*\"], action: deny}\n")
        let d = p.rules[0].devices
        #expect(d.count == 3)
        #expect(d[0].types == [.char] && d[0].major == 1 && d[0].minor == 3 && d[0].access == [.read, .write])
        #expect(d[1].types == [.block] && d[1].major == nil && d[1].minor == nil && d[1].access == .mknod)
        #expect(d[2].types == [.block, .char] && d[2].major == 8 && d[2].access == .all)
        for bad in ["x 1:3", "c 1", "c 1:3 rx", "c 4096:0", "c 1:3 rw extra", "c -1:3"] {
            let e = try #require(error("- {name: a, events: [device], devices: [\"\(bad)\"], action: deny}\n"), "\(bad)")
            #expect(e.field == "rules[0].devices" && e.message.contains("cgroup v1"), "\(bad): \(e.message)")
        }
        #expect(try #require(error("- {name: a, events: [device], action: deny}\n")).message.contains("needs 'devices'"))
        #expect(try #require(error("- {name: a, events: [open], devices: [\"c 1:3\"], action: alert}\n")).message.contains("device events only"))
        #expect(try #require(error("- {name: a, events: [device], devices: [\"c 1:3\"], action: kill}\n")).message.contains("use deny"))
    }

    @Test func hostileInputIsBounded() throws {
        // A billion-laughs alias expansion is refused before composing.
        let laughs = """
            a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]
            b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
            c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
            rules: [*c]
            """
        let alias = try #require(error(laughs))
        #expect(alias.message.contains("aliases"))
        #expect(alias.location?.line == 2)
        // Deep flow nesting would recurse in the composer.
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(try #require(error(deep)).message.contains("nesting deeper than 64"))
        // Too large.
        let big = "# " + String(repeating: "x", count: GuardPolicyParser.maxBytes)
        #expect(try #require(error(big)).message.contains("at most"))
        // Not YAML at all, binary junk, empty.
        #expect(try #require(error("rules: [\n")).location != nil)
        #expect(error("\u{0}\u{1}\u{2}garbage: [}") != nil)
        #expect(try #require(error("")).message.contains("empty"))
        #expect(try #require(error("rules: []\n")).message.contains("empty"))
        // 129 rules: more than the kernel's masks hold (128 fit).
        let many = (0...128).map { "- {name: r\($0), events: [exec], action: alert}" }.joined(separator: "\n")
        let tooMany = try #require(error(many))
        #expect(tooMany.message.contains("at most 128"))
        #expect(tooMany.location?.line == 129)
        #expect(error(many.split(separator: "\n").dropLast().joined(separator: "\n")) == nil)
        // A non-string key, a tag, an anchor on a rule without aliases: still checked by shape.
        #expect(error("- {[a]: b}\n") != nil)
        #expect(error("- !!binary aGVsbG8=\n") != nil)
    }
}
