import Glibc
import SwiftBPFSecurity
import Testing

/// Recordings (JSON lines) and replay: round trip, line-numbered errors, grouping by rule, diff,
/// and the allowlist exemptions (except_*) of the matcher.
@Suite struct GuardReplayTests {
    let python = FileID(inode: 10, device: 8 << 20 | 1)
    let curl = FileID(inode: 11, device: 8 << 20 | 1)
    let sh = FileID(inode: 12, device: 8 << 20 | 1)
    let tmp = FileID(inode: 20, device: 8 << 20 | 1)
    let data = FileID(inode: 21, device: 8 << 20 | 1)
    let etc = FileID(inode: 30, device: 8 << 20 | 1)
    let shadow = FileID(inode: 31, device: 8 << 20 | 1)

    func compile(_ yaml: String) throws -> CompiledGuardPolicy {
        let resolver = TableResolver(files: ["/usr/bin/python3": python, "/usr/bin/curl": curl, "/bin/sh": sh,
                                             "/tmp": tmp, "/tmp/data": data, "/etc": etc, "/etc/shadow": shadow])
        return try GuardPolicyCompiler.compile(GuardPolicyParser.parse(yaml), resolver: resolver)
    }

    func record(_ kind: GuardEventKind, binary: FileID, pid: UInt32 = 100, _ edit: (inout GuardRecord) -> Void = { _ in }) -> GuardRecord {
        var r = GuardRecord(timestampNanoseconds: 1, facts: GuardMatchFacts(kind: kind, binary: binary, parentBinary: sh, uid: 1000), pid: pid, ppid: 1, comm: "c")
        edit(&r)
        return r
    }

    @Test func recordRoundTripsThroughJSON() throws {
        var r = record(.connect, binary: python) {
            $0.facts.port = 8080
            $0.facts.address = GuardRecord.addressBytes("127.0.0.1")
            $0.addressText = "127.0.0.1"
            $0.facts.cgroupAncestors = [1, 77]
            $0.liveRule = "no-out"
            $0.liveAction = .deny
            $0.liveEnforced = true
        }
        r.argv = ["a \"quoted\" arg", "x"]
        r.path = "/tmp/é"
        let back = try GuardRecord(json: Substring(r.json))
        #expect(back == r)
        var open = record(.open, binary: curl) { $0.facts.pathChain = [data, tmp]; $0.facts.write = true; $0.path = "/tmp/data" }
        open.facts.fileless = true
        #expect(try GuardRecord(json: Substring(open.json)) == open)
    }

    @Test func malformedRecordingsNameTheLine() throws {
        let good = record(.exec, binary: curl).json
        let cases: [(String, String)] = [
            (good + "\n{\"event\": \"exec\", \"pid\": 1", "rec:2: column"),
            ("# comment\n\n" + good + "\n{\"event\":\"teleport\",\"pid\":1,\"uid\":0}", "rec:4: unknown event 'teleport'"),
            ("{\"event\":\"exec\",\"uid\":0}", "rec:1: missing field 'pid'"),
            ("{\"event\":\"open\",\"pid\":1,\"uid\":0,\"path_chain\":[\"nope\"]}", "rec:1: field 'path_chain'"),
            ("{\"event\":\"connect\",\"pid\":1,\"uid\":0,\"port\":70000}", "rec:1: field 'port'"),
            ("[1,2]", "rec:1: expected a JSON object"),
            (String(repeating: "[", count: 40), "rec:1: column 17: nested deeper"),
        ]
        for (text, expected) in cases {
            #expect(throws: GuardRecordError.self) { try GuardRecording.parse(text, file: "rec") }
            do {
                _ = try GuardRecording.parse(text, file: "rec")
            } catch {
                #expect(error.description.hasPrefix(expected), "\(error.description)")
            }
        }
    }

    /// `guard replay` reads a file a line at a time through a 1 MiB buffer: lines split across
    /// reads, comments, blank lines and a last line without a newline read as the whole-text
    /// parser reads them; an over-long or malformed line is an error naming its line.
    @Test func streamingReaderMatchesTheWholeTextParser() throws {
        var records: [GuardRecord] = []
        for i in 0..<20_000 {
            records.append(record(i % 2 == 0 ? .exec : .connect, binary: i % 3 == 0 ? curl : python, pid: UInt32(i)) {
                if $0.facts.kind == .connect { $0.facts.port = UInt16(i % 65_000); $0.facts.address = GuardRecord.addressBytes("10.0.0.\(i % 250)") }
                $0.argv = ["x", String(repeating: "a", count: i % 300)]
            })
        }
        let text = "# recorded\n\n" + records.map(\.json).joined(separator: "\n")   // no newline at the end
        let path = "/tmp/swiftbpf-replay-\(getpid()).jsonl"
        defer { unlink(path) }
        try write(text, to: path)
        #expect(text.utf8.count > 3 << 20, "several buffer refills")
        var streamed: [GuardRecord] = []
        var lines: [Int] = []
        try GuardRecording.forEach(path: path) { r, line in streamed.append(r); lines.append(line) }
        #expect(streamed == (try GuardRecording.parse(text, file: path)))
        #expect(streamed.count == records.count && lines.first == 3 && lines.last == records.count + 2)

        try write(records[0].json + "\n" + String(repeating: "x", count: 3000) + "\n", to: path)
        #expect(throws: GuardRecordError.self) { try GuardRecording.forEach(path: path, maxLine: 2048) { _, _ in } }
        do { try GuardRecording.forEach(path: path, maxLine: 2048) { _, _ in } } catch {
            #expect(error.description == "\(path):2: line longer than 2048 bytes", "\(error)")
        }
        try write(records[0].json + "\n{\"event\":\"exec\"", to: path)
        do { try GuardRecording.forEach(path: path) { _, _ in } ; Issue.record("accepted a cut line") } catch {
            #expect(error.description.hasPrefix("\(path):2: column"), "\(error)")
        }
        #expect(throws: GuardRecordError.self) { try GuardRecording.forEach(path: "/nonexistent/rec.jsonl") { _, _ in } }
    }

    func write(_ text: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        #expect(fd >= 0)
        defer { close(fd) }
        let bytes = Array(text.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw GuardRecordError("write failed") }
            done += n
        }
    }

    @Test func replayGroupsByRuleWithTheFirstEvents() throws {
        let policy = try compile("""
            - {name: no-curl, events: [exec], binary: /usr/bin/curl, action: kill}
            - {name: shadow, events: [open], paths: [/etc/shadow], action: alert}
            """)
        var records: [GuardRecord] = []
        for i in 0..<8 { records.append(record(.exec, binary: curl, pid: UInt32(200 + i))) }
        records.append(record(.exec, binary: python))
        records.append(record(.open, binary: python) { $0.facts.pathChain = [shadow, etc]; $0.path = "/etc/shadow" })
        let replay = GuardReplay(policy: policy, records: records, samples: 3)
        #expect(replay.rules.map(\.count) == [8, 1])
        #expect(replay.rules[0].samples == [0, 1, 2])
        #expect(replay.decisions[8] == nil && replay.decisions[9] == 1)
        let text = replay.report()
        #expect(text.contains("rule no-curl: would kill 8 events"))
        #expect(text.contains("... and 5 more"))
        #expect(text.contains("rule shadow: would alert on 1 event\n    open pid=100 comm=c /etc/shadow"))
        #expect(text.hasSuffix("10 events replayed, 9 matched a rule, 1 passed"))
    }

    @Test func diffShowsWhatChangesBetweenPolicies() throws {
        let old = try compile("- {name: no-curl, events: [exec], binary: /usr/bin/curl, action: kill, mode: monitor}\n")
        let new = try compile("""
            - {name: no-curl, events: [exec], binary: /usr/bin/curl, action: kill}
            - {name: only-python, events: [exec], except_binary: [/usr/bin/python3, /usr/bin/curl], action: alert}
            """)
        let records = [record(.exec, binary: curl), record(.exec, binary: python), record(.exec, binary: sh)]
        let diff = GuardPolicyDiff(old: old, new: new, records: records)
        #expect(diff.changes.map(\.record) == [0, 2])
        let text = diff.report(records: records)
        #expect(text.contains("no-curl (monitor kill) -> no-curl (kill): 1 event"))
        #expect(text.contains("nothing -> only-python (alert): 1 event"))
    }

    @Test func exemptionsMakeAllowlists() throws {
        let m = GuardMatcher(try compile("""
            - {name: exec-not-learned, events: [exec], except_binary: [/usr/bin/python3, /bin/sh], action: kill}
            - {name: open-not-learned, events: [open], binary: /usr/bin/python3, except_paths: [/tmp, /etc/shadow], action: alert}
            - {name: connect-not-learned, events: [connect], except_ports: [8080, 53], action: deny}
            - {name: bind-not-learned, events: [bind], except_ports: [0, 9000], action: deny}
            """))
        #expect(m.decide(GuardMatchFacts(kind: .exec, binary: python, parentBinary: sh, uid: 0)).rule == nil)
        #expect(m.decide(GuardMatchFacts(kind: .exec, binary: curl, parentBinary: sh, uid: 0)).rule == 0)
        var open = GuardMatchFacts(kind: .open, binary: python, parentBinary: sh, uid: 0)
        open.pathChain = [data, tmp]
        #expect(m.decide(open).rule == nil)
        open.pathChain = [shadow, etc]
        #expect(m.decide(open).rule == nil)
        open.pathChain = [FileID(inode: 32, device: 8 << 20 | 1), etc]
        #expect(m.decide(open).rule == 1)
        var connect = GuardMatchFacts(kind: .connect, binary: curl, parentBinary: sh, uid: 0)
        connect.port = 8080
        #expect(m.decide(connect).rule == nil)
        connect.port = 22
        #expect(m.decide(connect).action == .deny)
        var bind = GuardMatchFacts(kind: .bind, binary: curl, parentBinary: sh, uid: 0)
        bind.port = 0
        #expect(m.decide(bind).rule == nil)
        bind.port = 9001
        #expect(m.decide(bind).rule == 3)
    }

    /// Exemptions and argument conditions on rules past the first mask word (64..127), and exec
    /// argv carried through a recording into the matcher: replay sees what the kernel sees.
    @Test func exemptionsAndArgumentsWorkPastRule64() throws {
        let filler = (0..<64).map { "- {name: f\($0), events: [chmod], binary: /usr/bin/python3, action: alert}\n" }.joined()
        let m = GuardMatcher(try compile(filler + """
            - {name: exec-not-learned, events: [exec], except_binary: [/usr/bin/python3, /bin/sh], action: kill}
            - {name: open-not-learned, events: [open], binary: /usr/bin/python3, except_paths: [/tmp], action: alert}
            - {name: connect-not-learned, events: [connect], except_ports: [8080], action: deny}
            - {name: no-evil-arg, events: [exec], binary: /bin/sh, args: [evil], action: kill}
            """))
        #expect(m.decide(GuardMatchFacts(kind: .exec, binary: python, parentBinary: sh, uid: 0)).rule == nil)
        #expect(m.decide(GuardMatchFacts(kind: .exec, binary: curl, parentBinary: sh, uid: 0)).rule == 64)
        var open = GuardMatchFacts(kind: .open, binary: python, parentBinary: sh, uid: 0)
        open.pathChain = [data, tmp]
        #expect(m.decide(open).rule == nil)
        open.pathChain = [shadow, etc]
        #expect(m.decide(open).rule == 65)
        var connect = GuardMatchFacts(kind: .connect, binary: curl, parentBinary: sh, uid: 0)
        connect.port = 8080
        #expect(m.decide(connect).rule == nil)
        connect.port = 22
        #expect(m.decide(connect).rule == 66)
        for (argv, rule) in [(["/bin/sh", "evil"], 67), (["evil", "fine"], nil)] as [([String], Int?)] {
            var r = record(.exec, binary: sh) { $0.facts.argv = argv }
            r.argv = argv
            let back = try GuardRecord(json: Substring(r.json))
            #expect(back == r)
            #expect(m.decide(back.facts).rule == rule, "argv \(argv)")
        }
    }

    @Test func exemptionsAreCheckedLikeConditions() throws {
        #expect(throws: GuardPolicyError.self) { try GuardPolicyParser.parse("- {name: a, events: [exec], except_paths: [/tmp], action: kill}\n") }
        #expect(throws: GuardPolicyError.self) { try GuardPolicyParser.parse("- {name: a, events: [open], except_ports: [22], action: kill}\n") }
        do {
            _ = try GuardPolicyParser.parse("- name: a\n  events: [connect]\n  except_ports: [99999]\n  action: deny\n", file: "p.yaml")
            Issue.record("accepted a port out of range")
        } catch {
            #expect(error.description.hasPrefix("p.yaml:3:"), "\(error)")
        }
    }
}
