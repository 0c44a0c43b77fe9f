import BPF
import Foundation
import Glibc
import Testing

/// `swiftbpf prog|map|link` against bpftool's JSON as the oracle, on objects this test loads.
@Suite(.serialized, .enabled(if: isRoot && CLI.path != nil && Bpftool.path != nil, "needs root, the built swiftbpf binary and bpftool"),
       .enabled(if: IntrospectCLI.hasCommands, "the swiftbpf binary has no 'prog'/'map'/'link' commands: register ProgramCommand, MapCommand and LinkCommand in Sources/swiftbpf/SwiftBPF.swift"))
struct IntrospectCLITests {
    /// The minimal object, loaded in-process with its tracepoint attached.
    final class Minimal {
        let object: BPFObject
        let link: Link
        init() throws {
            object = try BPFObject(ObjectSpec(bytes: EmbeddedObjects.minimal.bytes, name: "minimal"))
            link = try object.attach("count_getpid")
        }
        deinit { link.close() }
    }

    /// A hash map with BTF: u32 keys, struct rec values (see `RecordBTF`).
    static func recordMap() throws -> Map {
        let btf = try BPFCommands.btfLoad(RecordBTF.encode())
        return try Map.create(MapCreateAttributes(
            name: "isp_rec", type: .hash, keySize: 4, valueSize: UInt32(RecordBTF.valueSize), maxEntries: 16,
            btfFD: btf.rawValue, btfKeyTypeID: RecordBTF.keyType, btfValueTypeID: RecordBTF.valueType))
    }

    @Test func progShowAndListMatchBpftool() throws {
        let m = try Minimal()
        let program = try m.object.program("count_getpid")
        for args in [["prog", "show", "\(program.id)"], ["prog", "show", "id", "\(program.id)"]] {
            let ours = try #require(try IntrospectCLI.json(args) as? [String: Any])
            let theirs = try #require(try IntrospectCLI.bpftool(["prog", "show", "id", "\(program.id)"]) as? [String: Any])
            #expect(IntrospectCLI.differences(ours, theirs) == [])
            // The fields bpftool must have printed too, so the comparison covered them.
            for key in ["id", "type", "name", "tag", "bytes_xlated", "bytes_jited", "map_ids", "btf_id", "loaded_at", "uid", "bytes_memlock"] {
                #expect(theirs[key] != nil && ours[key] != nil, "\(key)")
            }
            #expect(ours["name"] as? String == "count_getpid")
            #expect(ours["type"] as? String == "tracepoint")
        }
        let list = try #require(try IntrospectCLI.json(["prog", "list"]) as? [[String: Any]])
        #expect(list.contains { $0["id"] as? Int == Int(program.id) && $0["tag"] as? String == (try? program.info().tagHex) })
        // The text table names it too.
        let table = try IntrospectCLI.run(["prog", "list"])
        #expect(table.status == 0)
        #expect(table.stdout.split(separator: "\n").contains { $0.hasPrefix("\(program.id) ") && $0.contains("count_getpid") })
    }

    @Test func progShowByPinAndFullNameOfLongPrograms() throws {
        let file = try ObjectFile(EmbeddedObjects.diffGlobals)
        let dir = try PinDirectory("isp_pin")
        let r = try Bpftool.loadAll(object: file.path, pinDirectory: dir.path)
        try #require(r.status == 0, "bpftool: \(r.stderr)")
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) {
            let path = dir.path + "/" + name
            let ours = try #require(try IntrospectCLI.json(["prog", "show", "pinned", path]) as? [String: Any])
            let theirs = try #require(try IntrospectCLI.bpftool(["prog", "show", "pinned", path]) as? [String: Any])
            #expect(IntrospectCLI.differences(ours, theirs) == [], "\(name)")
            #expect(ours["name"] as? String == name)
        }
    }

    @Test func dumpXlatedMatchesBpftool() throws {
        // diff_globals has BPF-to-BPF calls, helper calls, map and map-value references.
        let file = try ObjectFile(EmbeddedObjects.diffGlobals)
        let dir = try PinDirectory("isp_xlated")
        let r = try Bpftool.loadAll(object: file.path, pinDirectory: dir.path)
        try #require(r.status == 0, "bpftool: \(r.stderr)")
        // The two tracepoint programs carry the calls, map references and subprograms.
        let names = ["diff_getpid", "diff_getppid"]
        for name in names {
            let path = dir.path + "/" + name
            let ours = try IntrospectCLI.run(["prog", "dump", "xlated", "pinned", path])
            try #require(ours.status == 0, "\(ours.stderr)")
            let theirs = try Command.run(Bpftool.path!, ["prog", "dump", "xlated", "pinned", path])
            let expected = IntrospectCLI.instructionLines(theirs.stdout)
            let got = ours.stdout.split(separator: "\n").map(String.init)
            #expect(got.count == expected.count, "\(name): instruction lines")
            #expect(got == expected, "\(name)")
            // The JSON form has one entry per line, with the same text.
            let json = try #require(try IntrospectCLI.json(["prog", "dump", "xlated", "pinned", path]) as? [[String: Any]])
            #expect(json.count == got.count)
            #expect(json.first?["index"] as? Int == 0)
        }
    }

    @Test func mapShowAndFormattedDumpMatchBpftool() throws {
        let map = try Self.recordMap()
        let rec = RecordBTF.value(pid: 4242, delta: -17, count: 1 << 40, comm: "swiftbp", color: 7, pair: (3, UInt64.max))
        try map.update(key: Array(withUnsafeBytes(of: UInt32(9).littleEndian) { Array($0) }), value: rec)
        try map.update(key: [1, 0, 0, 0], value: RecordBTF.value(pid: 1, delta: 0, count: 0, comm: "", color: 3, pair: (0, 0)))

        let ours = try #require(try IntrospectCLI.json(["map", "show", "\(map.id)"]) as? [String: Any])
        let theirs = try #require(try IntrospectCLI.bpftool(["map", "show", "id", "\(map.id)"]) as? [String: Any])
        #expect(IntrospectCLI.differences(ours, theirs) == [])
        for key in ["id", "type", "name", "flags", "bytes_key", "bytes_value", "max_entries", "bytes_memlock", "btf_id"] {
            #expect(theirs[key] != nil && ours[key] != nil, "\(key)")
        }

        let dump = try #require(try IntrospectCLI.json(["map", "dump", "\(map.id)"]) as? [[String: Any]])
        let oracle = try #require(try IntrospectCLI.bpftool(["map", "dump", "id", "\(map.id)"]) as? [[String: Any]])
        #expect(IntrospectCLI.same(dump, oracle), "ours \(dump)\nbpftool \(oracle)")
        // The formatted value decodes every kind of member.
        let nine = try #require(dump.first { ($0["formatted"] as? [String: Any])?["key"] as? Int == 9 })
        let value = try #require((nine["formatted"] as? [String: Any])?["value"] as? [String: Any])
        #expect(value["pid"] as? Int == 4242)
        #expect(value["delta"] as? Int == -17)
        #expect(value["count"] as? Int == 1 << 40)
        #expect(value["comm"] as? String == "swiftbp")
        #expect(value["color"] as? String == "BLUE")
        #expect((value["pair"] as? [Any])?.count == 2)
        let text = try IntrospectCLI.run(["map", "lookup", "\(map.id)", "key", "hex", "09000000"])
        #expect(text.stdout.contains("\"pair\":[3,18446744073709551615]"), "\(text.stdout)")
    }

    @Test func mapUpdateLookupDeleteRoundTrip() throws {
        let map = try Self.recordMap()
        let value = RecordBTF.value(pid: 77, delta: 5, count: 123456, comm: "cli", color: 0, pair: (1, 2))
        // update with one-byte words, lookup with 'hex'.
        let update = try IntrospectCLI.run(["map", "update", "id", "\(map.id)", "key", "0x2a", "0", "0", "0", "value"] + value.map { "0x" + String($0, radix: 16) })
        #expect(update.status == 0, "\(update.stderr)")
        #expect(try map.lookup(key: [42, 0, 0, 0]) == value)

        let lookup = try #require(try IntrospectCLI.json(["map", "lookup", "\(map.id)", "key", "hex", "2a000000"]) as? [String: Any])
        #expect((lookup["value"] as? [String])?.count == RecordBTF.valueSize)
        #expect((lookup["value"] as? [String])?.first == "0x4d")  // pid 77
        let formatted = try #require((lookup["formatted"] as? [String: Any])?["value"] as? [String: Any])
        #expect(formatted["comm"] as? String == "cli")

        // noexist on a present key fails; exist replaces.
        let again = try IntrospectCLI.run(["map", "update", "\(map.id)", "key", "hex", "2a000000", "value", "hex", String(repeating: "00", count: RecordBTF.valueSize), "noexist"])
        #expect(again.status != 0)
        #expect(again.stderr.contains("EEXIST"), "\(again.stderr)")
        #expect(try map.lookup(key: [42, 0, 0, 0]) == value)
        let replace = try IntrospectCLI.run(["map", "update", "\(map.id)", "key", "hex", "2a000000", "value", "hex", String(repeating: "01", count: RecordBTF.valueSize), "exist"])
        #expect(replace.status == 0, "\(replace.stderr)")
        #expect(try map.lookup(key: [42, 0, 0, 0]) == [UInt8](repeating: 1, count: RecordBTF.valueSize))

        let delete = try IntrospectCLI.run(["map", "delete", "\(map.id)", "key", "42", "0", "0", "0"])
        #expect(delete.status == 0, "\(delete.stderr)")
        #expect(try map.lookup(key: [42, 0, 0, 0]) == nil)
        let missing = try IntrospectCLI.run(["map", "lookup", "\(map.id)", "key", "hex", "2a000000"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("not found"), "\(missing.stderr)")
    }

    @Test func badInputFailsWithClearErrors() throws {
        let map = try Self.recordMap()
        let cases: [([String], String)] = [
            (["prog", "show", "4000000000"], "no program with id 4000000000"),
            (["map", "show", "id", "4000000000"], "no map with id 4000000000"),
            (["link", "show", "4000000000"], "no link with id 4000000000"),
            (["prog", "show", "banana"], "not a program id"),
            (["prog", "dump", "jited", "1"], "not supported"),
            (["map", "lookup", "\(map.id)", "key", "0x01", "0x00", "0x00"], "4-byte keys, got 3 bytes"),
            (["map", "update", "\(map.id)", "key", "hex", "01000000", "value", "hex", "0102"], "48-byte values, got 2 bytes"),
            (["map", "lookup", "\(map.id)", "key", "hex", "0g000000"], "not a hex byte"),
            (["map", "lookup", "\(map.id)", "key", "0x100", "0", "0", "0"], "is not a byte"),
            (["map", "update", "\(map.id)", "key", "hex", "01000000"], "missing 'value"),
            (["map", "delete", "\(map.id)", "key", "hex", "05000000"], "not found"),
            (["prog", "show", "pinned", "/sys/fs/bpf/swiftbpf-no-such-pin-\(getpid())"], "no program with pinned"),
        ]
        for (args, message) in cases {
            let r = try IntrospectCLI.run(args)
            #expect(r.status != 0, "\(args) should fail")
            #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
            #expect(!r.stderr.contains("Fatal error"), "\(args) crashed")
        }
        // A map is not a program.
        let dir = try PinDirectory("isp_bad")
        try map.pin(dir.path + "/m")
        let wrongKind = try IntrospectCLI.run(["prog", "show", "pinned", dir.path + "/m"])
        #expect(wrongKind.status != 0)
        #expect(wrongKind.stderr.contains("not a program"), "\(wrongKind.stderr)")
    }

    @Test func linkShowMatchesBpftoolAndDecodesTracepointName() throws {
        let m = try Minimal()
        let details = try m.link.details()
        let ours = try #require(try IntrospectCLI.json(["link", "show", "\(details.id)"]) as? [String: Any])
        let theirs = try #require(try IntrospectCLI.bpftool(["link", "show", "id", "\(details.id)"]) as? [String: Any])
        #expect(IntrospectCLI.differences(ours, theirs) == [])
        #expect(ours["type"] as? String == "perf_event")
        #expect(ours["prog_id"] as? Int == Int(try m.object.program("count_getpid").id))
        // 6.6+ perf-event details, decoded at 6.18's offsets (bpftool 7.1 does not know them).
        #expect(ours["event_type"] as? String == "tracepoint")
        #expect(ours["tp_name"] as? String == "sys_enter_getpid")
        let list = try #require(try IntrospectCLI.json(["link", "list"]) as? [[String: Any]])
        #expect(list.contains { $0["id"] as? Int == Int(details.id) })

        // A raw tracepoint link: bpftool 7.1 prints its tp_name too.
        let counter = try makeMap("isp_rawtp", .array, key: 4, value: 8, max: 1)
        let raw = try Program.load(ProgramLoadAttributes(
            name: "isp_rawtp", type: .rawTracepoint,
            instructions: TestPrograms.counting(counter: counter, pidTgid: currentPidTgid(), syscall: TestPrograms.getpidSyscallNumber)))
        let rawLink = try Link.attachRawTracepoint(program: raw, name: "sys_enter")
        defer { rawLink.close() }
        let rawID = try rawLink.details().id
        let rawOurs = try #require(try IntrospectCLI.json(["link", "show", "id", "\(rawID)"]) as? [String: Any])
        let rawTheirs = try #require(try IntrospectCLI.bpftool(["link", "show", "id", "\(rawID)"]) as? [String: Any])
        #expect(IntrospectCLI.differences(rawOurs, rawTheirs) == [])
        #expect(rawTheirs["tp_name"] as? String == "sys_enter")
        #expect(rawOurs["tp_name"] as? String == "sys_enter")
        #expect(rawOurs["prog_id"] as? Int == Int(raw.id))
    }

    @Test func linkDetachThroughTheCLIStopsACgroupProgram() throws {
        // A cgroup of our own; a bash child moves itself in and sends one UDP datagram.
        let mount = try Link.cgroup2MountPoint()
        let cgroup = mount + "/swiftbpf-isp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try Syscalls.mkdir(cgroup, mode: 0o755)
        defer {
            for _ in 0..<100 where rmdir(cgroup) != 0 && errno != ENOENT { usleep(10_000) }
        }
        let counter = try makeMap("isp_egress", .array, key: 4, value: 8, max: 1)
        var a = Assembler()
        a.lookupSlotZero(counter, orJumpTo: "out")
        a.emit(.mov64(.r1, imm: 1))
        a.emit(.atomicAdd(.double, .r0, offset: 0, .r1))
        a.label("out")
        a.emit(Instruction.returning(1))
        let program = try Program.load(ProgramLoadAttributes(
            name: "isp_egress", type: .cgroupSKB, expectedAttachType: .cgroupInetEgress, instructions: try a.assemble()))
        let link = try Link.attachCgroup(program: program, cgroupPath: cgroup, attachType: .cgroupInetEgress)
        defer { link.close() }
        let id = try link.details().id
        guard case let .cgroup(cgroupID, attachType) = try link.details().target else { Issue.record("not a cgroup link"); return }
        #expect(cgroupID == (try Syscalls.inode(of: cgroup)))
        #expect(attachType == .cgroupInetEgress)
        let theirs = try #require(try IntrospectCLI.bpftool(["link", "show", "id", "\(id)"]) as? [String: Any])
        let ours = try #require(try IntrospectCLI.json(["link", "show", "\(id)"]) as? [String: Any])
        #expect(IntrospectCLI.differences(ours, theirs) == [])
        #expect(theirs["cgroup_id"] != nil && theirs["attach_type"] != nil)

        func sendFromCgroup() throws {
            let r = try Command.run("/bin/bash", ["-c", "echo $$ > \(cgroup)/cgroup.procs && echo swiftbpf > /dev/udp/127.0.0.1/9"])
            try #require(r.status == 0, "bash: \(r.stderr)")
        }
        func count() throws -> UInt64 { try counter.lookup(key: UInt32(0), as: UInt64.self) ?? 0 }
        try sendFromCgroup()
        let before = try count()
        #expect(before >= 1)

        let detach = try IntrospectCLI.run(["link", "detach", "id", "\(id)"])
        #expect(detach.status == 0, "\(detach.stderr)")
        try sendFromCgroup()
        #expect(try count() == before, "the program still ran after detach")
        // The link object lives on (we hold it) but is defunct: no cgroup any more.
        if case let .cgroup(after, _) = try link.details().target { #expect(after == 0) }
    }

    @Test func detachOfAPerfEventLinkIsRefusedAndLeavesItAttached() throws {
        let m = try Minimal()
        let id = try m.link.details().id
        let r = try IntrospectCLI.run(["link", "detach", "\(id)"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("cannot be detached"), "\(r.stderr)")
        #expect(Link.allIDsContains(id))
        #expect(try m.link.details().programID == m.object.program("count_getpid").id)
    }
}

extension Link {
    static func allIDsContains(_ id: UInt32) -> Bool { (try? Link.allIDs().contains(id)) ?? false }
}
