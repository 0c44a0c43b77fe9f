import Foundation
import SwiftBPFSecurity
import Testing

/// Profiles (YAML, merge, errors by line), the three generators, and `guard test` cases.
@Suite struct LearnedProfileTests {
    let python = FileID(inode: 10, device: 8 << 20 | 1)
    let truebin = FileID(inode: 11, device: 8 << 20 | 1)
    let date = FileID(inode: 12, device: 8 << 20 | 1)
    let sh = FileID(inode: 13, device: 8 << 20 | 1)
    let work = FileID(inode: 20, device: 8 << 20 | 1)
    let data = FileID(inode: 21, device: 8 << 20 | 1)
    let etc = FileID(inode: 30, device: 8 << 20 | 1)
    let hosts = FileID(inode: 31, device: 8 << 20 | 1)
    let shadow = FileID(inode: 32, device: 8 << 20 | 1)

    var resolver: TableResolver {
        TableResolver(files: ["/usr/bin/python3": python, "/usr/bin/true": truebin, "/usr/bin/date": date, "/bin/sh": sh,
                              "/work": work, "/work/data": data, "/etc": etc, "/etc/hosts": hosts, "/etc/shadow": shadow],
                      cgroups: ["/sys/fs/cgroup/app": (id: 77, level: 1), "/sys/fs/cgroup": (id: 1, level: 0)])
    }

    func sample() -> LearnedProfile {
        var p = LearnedProfile(workload: .init(cgroup: "/sys/fs/cgroup/app"), seconds: 2.5, runs: 1)
        p.addExec(path: "/usr/bin/python3", inode: python, parents: ["/bin/sh"])
        p.addExec(path: "/usr/bin/true", inode: truebin, parents: ["/usr/bin/python3"])
        p.addFile(path: "/etc/hosts", mode: .read, count: 2)
        p.addFile(path: "/work/data", mode: .create)
        p.addPeer(event: .connect, address: "127.0.0.1", port: 8080, name: "localhost")
        p.addPeer(event: .bind, address: "127.0.0.1", port: 8080, name: nil)
        p.addSyscall("read", count: 40)
        p.addSyscall("socket", count: 2)
        p.addArgument("socket", index: 0, value: 2, count: 2)
        p.addArgument("ioctl", index: 1, value: 0x5401, count: 1)
        p.normalize()
        return p
    }

    @Test func profileRoundTripsAndMergesCounts() throws {
        let p = sample()
        let text = LearnedProfileFile.write(p)
        #expect(text.contains("  - {path: \"/etc/hosts\", mode: read, count: 2}"))
        let back = try LearnedProfileFile.parse(text, file: "p.yaml")
        #expect(back == p)
        var merged = back
        merged.merge(p)
        #expect(merged.runs == 2 && merged.seconds == 5)
        #expect(merged.syscalls.first { $0.name == "read" }?.count == 80)
        #expect(merged.syscalls.first { $0.name == "socket" }?.arguments == [.init(index: 0, value: 2, count: 4)])
        #expect(merged.execs.count == 2 && merged.execs[0].count == 2)
    }

    @Test func malformedProfilesNameTheLine() throws {
        let good = LearnedProfileFile.write(sample())
        let cases: [(String, String)] = [
            (good.replacingOccurrences(of: "mode: read", with: "mode: readish"), "p.yaml:9:"),
            (good.replacingOccurrences(of: "name: read,", with: "name: reed,"), "is not an x86_64 system call"),
            (good.replacingOccurrences(of: "port: 8080, name", with: "port: 80800, name"), "'port' must be a whole number"),
            (good + "extra: 1\n", "unknown field 'extra'"),
            ("version: 1\nexecs:\n  - {path: relative, count: 1}\n", "p.yaml:3:"),
            ("version: 1\nexecs: [\n", "p.yaml:"),
        ]
        for (text, expected) in cases {
            do {
                _ = try LearnedProfileFile.parse(text, file: "p.yaml")
                Issue.record("accepted: \(expected)")
            } catch {
                #expect(error.description.contains(expected), "\(error.description)")
                #expect(error.line >= 1)
            }
        }
    }

    @Test func generatedGuardPolicyAllowsWhatWasSeenAndCatchesTheRest() throws {
        var o = GenerateOptions()
        o.source = "p.yaml"
        let text = GuardPolicyGenerator.guardPolicy(sample(), o)
        #expect(text.contains("- \"/usr/bin/python3\"  # seen once, from /bin/sh"))
        let policy = try GuardPolicyCompiler.compile(GuardPolicyParser.parse(text, file: "gen.yaml"), resolver: resolver)
        let m = GuardMatcher(policy)
        func facts(_ kind: GuardEventKind, _ binary: FileID, cgroup: [UInt64] = [1, 77]) -> GuardMatchFacts {
            var f = GuardMatchFacts(kind: kind, binary: binary, parentBinary: python, uid: 0)
            f.cgroupAncestors = cgroup
            return f
        }
        #expect(m.decide(facts(.exec, truebin)).rule == nil)
        #expect(m.decide(facts(.exec, date)).action == .kill)
        #expect(m.decide(facts(.exec, date, cgroup: [1, 78])).rule == nil, "outside the workload's cgroup")
        var open = facts(.open, python)
        open.pathChain = [hosts, etc]
        #expect(m.decide(open).rule == nil)
        open.pathChain = [shadow, etc]
        #expect(m.decide(open).action == .kill)
        // A created file: its directory is allowed, for writes too (a new inode every run).
        open.pathChain = [FileID(inode: 99, device: 8 << 20 | 1), work]
        open.write = true
        #expect(m.decide(open).rule == nil)
        open.pathChain = [hosts, etc]
        #expect(m.decide(open).rule.map { policy.rules[$0].rule.name } == "write-not-learned")

        let net = try GuardPolicyCompiler.compile(GuardPolicyParser.parse(GuardPolicyGenerator.networkPolicy(sample(), o), file: "net.yaml"), resolver: resolver)
        let n = GuardMatcher(net)
        var c = facts(.connect, python)
        c.port = 8080
        c.address = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1]
        #expect(n.decide(c).rule == nil)
        c.port = 8081
        #expect(n.decide(c).action == .deny)
        c.port = 8080
        c.address?[15] = 2
        #expect(n.decide(c).action == .deny, "the learned port on another address")
        var b = facts(.bind, python)
        b.port = 0
        #expect(n.decide(b).rule == nil)
        #expect(!net.rules.contains { $0.rule.kinds == [.sendmsg] }, "strict: no sendmsg seen, no sendmsg rule")
    }

    @Test func seccompProfileHasTheCallsTheArgumentsAndTheCounts() throws {
        var o = GenerateOptions()
        let strict = SeccompGenerator.profile(sample(), o)
        #expect(strict.allowed == ["read", "ioctl", "socket"])
        guard case .object(let json) = try JSONLine.parse(Substring(strict.json.split(separator: "\n").joined())) else {
            Issue.record("not a JSON object")
            return
        }
        #expect(json["defaultAction"] == .string("SCMP_ACT_ERRNO"))
        let calls = json["syscalls"]?.array ?? []
        #expect(calls.count == 3)
        #expect(strict.json.contains("{\"index\":0,\"value\":2,\"op\":\"SCMP_CMP_EQ\"}"))
        #expect(strict.json.contains("{\"index\":1,\"value\":4294967295,\"valueTwo\":21505,\"op\":\"SCMP_CMP_MASKED_EQ\"}"))
        #expect(strict.json.contains("\"comment\":\"seen 40 times\""))
        o.strict = false
        o.seccompLog = true
        let lenient = SeccompGenerator.profile(sample(), o)
        #expect(lenient.allowed.count > strict.allowed.count)
        #expect(lenient.allowed.contains("exit_group"))
        #expect(!lenient.json.contains("SCMP_CMP_EQ"))
        #expect(lenient.json.contains("\"defaultAction\": \"SCMP_ACT_LOG\""))
        let k8s = KubernetesNetworkPolicyGenerator.policy(sample(), o, app: "web")
        #expect(k8s.contains("cidr: \"127.0.0.1/32\""))
        #expect(k8s.contains("port: 53, protocol: UDP"))
    }

    @Test func policyCasesRunWithoutRoot() throws {
        let policy = try GuardPolicyCompiler.compile(GuardPolicyParser.parse("""
            - {name: no-date, events: [exec], binary: /usr/bin/date, action: kill}
            - {name: shadow, events: [open], paths: [/etc/shadow], action: kill, mode: monitor}
            - {name: app-out, events: [connect], cgroup: /sys/fs/cgroup/app, except_ports: [8080], action: deny}
            """), resolver: resolver)
        let cases = try GuardPolicyCaseFile.parse("""
            cases:
              - {name: date dies, event: exec, binary: /usr/bin/date, expect: kill, rule: no-date}
              - {name: true runs, event: exec, binary: /usr/bin/true, expect: none}
              - {name: shadow watched, event: open, binary: /bin/sh, path: /etc/shadow, expect: would-kill}
              - {name: app to 8080, event: connect, cgroup: /sys/fs/cgroup/app, port: 8080, address: 127.0.0.1, expect: none}
              - {name: app to 22, event: connect, cgroup: /sys/fs/cgroup/app, port: 22, address: 127.0.0.1, expect: deny}
              - {name: wrong on purpose, event: exec, binary: /usr/bin/true, expect: kill}
            """, file: "cases.yaml", resolver: resolver)
        let (report, passed) = GuardPolicyCaseFile.run(cases, policy: policy, file: "cases.yaml")
        #expect(!passed)
        let lines = report.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("ok  ") }.count == 5, "\(report)")
        #expect(lines.contains("FAIL cases.yaml:7: wrong on purpose: none, expected kill"))
        #expect(lines.last == "5 of 6 cases passed")
        do {
            _ = try GuardPolicyCaseFile.parse("- {event: exec, expect: maybe}\n", file: "c.yaml", resolver: resolver)
            Issue.record("accepted 'maybe'")
        } catch {
            #expect(error.description.hasPrefix("c.yaml:1:"), "\(error)")
        }
    }
}
