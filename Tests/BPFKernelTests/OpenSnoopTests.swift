import BPF
import Foundation
import Glibc
import SwiftBPFTools
import Testing

/// opensnoop against opens of unique marker paths that the test makes itself.
@Suite(.serialized, .enabled(if: isRoot, "opensnoop needs root"))
struct OpenSnoopTests {
    let marker = "/tmp/swiftbpf-opensnoop-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"

    /// Creates the marker file; returns its path.
    func makeMarkerFile() throws -> String {
        let fd = open(marker, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        try #require(fd >= 0)
        close(fd)
        return marker
    }

    @Test func successfulAndFailingOpensArriveExactly() throws {
        let path = try makeMarkerFile()
        defer { unlink(path) }
        let missing = path + "-missing"
        let session = try OpenSnoop.start(filter: ToolFilter(pid: UInt32(getpid())))
        var fds: [Int32] = []
        var comm = ""
        let events = try SnoopTest.collectEvents(session, decode: OpenEvent.init(record:), trigger: {
            comm = SnoopTest.threadComm()
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            fds.append(fd)
            close(fd)
            _ = open(missing, O_WRONLY | O_APPEND)
        }) { es in es.contains { $0.path == path } && es.contains { $0.path == missing } }

        let ok = try #require(events.first { $0.path == path }, "no event for the marker path")
        #expect(fds.contains(ok.ret))
        #expect(ok.fd == ok.ret && ok.errno == 0)
        #expect(ok.flags == UInt32(O_RDONLY | O_CLOEXEC))
        #expect(ok.dfd == OpenEvent.atFDCWD)
        #expect(ok.task.tgid == UInt32(getpid()))
        #expect(ok.task.ppid == UInt32(getppid()))
        #expect(ok.task.uid == getuid())
        #expect(ok.task.comm == comm)
        #expect(ok.task.cgroupID != 0)

        let failed = try #require(events.first { $0.path == missing }, "no event for the missing path")
        #expect(failed.ret == -ENOENT)
        #expect(failed.fd == -1 && failed.errno == ENOENT)
        #expect(failed.flags == UInt32(O_WRONLY | O_APPEND))
        #expect(failed.task.tgid == UInt32(getpid()))
        #expect(try session.droppedEvents() == 0)
    }

    @Test func failedOnlyAndPathPrefixRunInTheKernel() throws {
        let path = try makeMarkerFile()
        defer { unlink(path) }
        let missing = path + "-missing"
        let outside = "/tmp/swiftbpf-elsewhere-\(UInt32.random(in: 0...UInt32.max))"
        let session = try OpenSnoop.start(filter: ToolFilter(pid: UInt32(getpid())),
                                          options: .init(failedOnly: true, pathPrefix: path))
        let events = try SnoopTest.collectEvents(session, decode: OpenEvent.init(record:), trigger: {
            close(open(path, O_RDONLY))   // succeeds: filtered out by failedOnly
            _ = open(missing, O_RDONLY)   // fails under the prefix: reported
            _ = open(outside, O_RDONLY)   // fails outside the prefix: filtered out
        }) { es in es.contains { $0.path == missing } }
        #expect(events.contains { $0.path == missing })
        #expect(events.allSatisfy { $0.path == missing && $0.ret == -ENOENT }, "\(events.map(\.path))")
    }

    @Test func fullPathResolvesTheWorkingDirectoryInTheKernel() throws {
        // A directory on /tmp (its own mount on many systems: the walk crosses mounts).
        let dir = marker + "-dir/sub"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: marker + "-dir") }
        let old = FileManager.default.currentDirectoryPath
        #expect(chdir(dir) == 0)
        defer { chdir(old) }
        let plain = try OpenSnoop.start(filter: ToolFilter(pid: UInt32(getpid())), options: .init(failedOnly: true))
        let full = try OpenSnoop.start(filter: ToolFilter(pid: UInt32(getpid())), options: .init(failedOnly: true, fullPath: true))
        let name = "rel-\(UInt32.random(in: 0...UInt32.max))"
        let events = try SnoopTest.collectEvents(full, decode: OpenEvent.init(record:), trigger: { _ = open(name, O_RDONLY) }) { es in
            es.contains { $0.path == name }
        }
        let e = try #require(events.first { $0.path == name }, "no event for the relative open")
        #expect(e.workingDirectory == dir)
        #expect(e.fullPath == dir + "/" + name)
        #expect(e.ret == -ENOENT)
        var others: [OpenEvent] = []
        _ = try plain.poll(timeoutMilliseconds: 100) { r in if let o = OpenEvent(record: r), o.path == name { others.append(o) } }
        #expect(!others.isEmpty && others.allSatisfy { $0.workingDirectory == nil && $0.fullPath == name })
    }

    @Test func longPathArrivesWhole() throws {
        // A failing open of a 3,000-byte path: the event carries every byte, and its record only
        // the path's length (not PATH_MAX).
        let long = marker + "/" + String(repeating: "d", count: 3000)
        let session = try OpenSnoop.start(filter: ToolFilter(pid: UInt32(getpid())), options: .init(pathPrefix: marker))
        var sizes: [Int] = []
        let events = try SnoopTest.collectEvents(session, decode: { record -> OpenEvent? in
            sizes.append(record.count)
            return OpenEvent(record: record)
        }, trigger: { _ = open(long, O_RDONLY) }) { es in es.contains { $0.path == long } }
        #expect(events.contains { $0.path == long && $0.ret == -ENOENT })
        #expect(sizes.allSatisfy { $0 <= 64 + long.utf8.count + 8 }, "records larger than the path: \(sizes)")
    }

    @Test func jsonAndColumns() throws {
        let task = TaskInfo(cgroupID: 1, pid: 11, tgid: 10, ppid: 1, uid: 0, comm: "cat")
        let ok = OpenEvent(task: task, ret: 3, flags: UInt32(O_RDONLY | O_CLOEXEC), path: "/etc/\"q\"")
        let object = try #require(SnoopTest.jsonObject(OpenSnoopFormat.json(ok, seconds: 1.5)))
        #expect(Set(object.keys) == ["time", "pid", "tgid", "ppid", "uid", "comm", "cgroup_id", "fd", "errno", "ret",
                                     "flags", "dfd", "path"])
        #expect(object["path"] as? String == "/etc/\"q\"")
        #expect(object["fd"] as? Int == 3 && object["errno"] as? Int == 0 && object["pid"] as? Int == 11)
        let failed = OpenEvent(task: task, ret: -ENOENT, flags: 0, path: "/nope")
        #expect(OpenSnoopFormat.header(timestamp: false, flags: true) == "PID    COMM               FD ERR FLAGS    PATH")
        #expect(OpenSnoopFormat.line(failed, flags: true) == "10     cat                -1   2 00000000 /nope")
        #expect(OpenSnoopFormat.line(ok) == "10     cat                 3   0 /etc/\"q\"")
    }

    @Test func byteLinesMatchTheStringFormatter() throws {
        // A record as the kernel lays it out: struct tool_task, ret, flags, dfd, path_size, path.
        func record(ret: Int32, flags: UInt32, comm: String, path: String, cwd: [String] = []) -> [UInt8] {
            var r = [UInt8](repeating: 0, count: 64)
            func put(_ v: UInt32, _ o: Int) { withUnsafeBytes(of: v.littleEndian) { r.replaceSubrange(o..<o + 4, with: $0) } }
            put(1, 8); put(7, 16); put(1234, 20); put(1, 24); put(1000, 28)
            r.replaceSubrange(32..<32 + comm.utf8.count, with: comm.utf8)
            put(UInt32(bitPattern: ret), 48); put(flags, 52); put(UInt32(bitPattern: -100), 56)
            let names: [UInt8] = cwd.flatMap { Array($0.utf8) + [UInt8(0)] }
            put(UInt32(path.utf8.count + 1) | UInt32(names.count) << 16, 60)
            return r + names + Array(path.utf8) + [UInt8(0)]
        }
        let rel = record(ret: 4, flags: 0, comm: "sh", path: "x/y", cwd: ["sub", "dir", "tmp"])
        let relEvent = try #require(rel.withUnsafeBytes { OpenEvent(record: $0) })
        #expect(relEvent.path == "x/y" && relEvent.workingDirectory == "/tmp/dir/sub" && relEvent.fullPath == "/tmp/dir/sub/x/y")
        var relLines = OpenSnoopLines()
        _ = rel.withUnsafeBytes { relLines.append(record: $0) }
        #expect(String(decoding: relLines.bytes, as: UTF8.self) == OpenSnoopFormat.line(relEvent) + "\n")
        var relJSON = OpenSnoopLines(jsonWith: CgroupPaths())
        _ = rel.withUnsafeBytes { relJSON.append(record: $0) }
        #expect(SnoopTest.jsonObject(String(decoding: relJSON.bytes, as: UTF8.self))?["path"] as? String == "/tmp/dir/sub/x/y")
        let atRoot = record(ret: 4, flags: 0, comm: "sh", path: "x", cwd: [""])
        let rootEvent = try #require(atRoot.withUnsafeBytes { OpenEvent(record: $0) })
        #expect(rootEvent.workingDirectory == "/" && rootEvent.fullPath == "/x")
        var rootLines = OpenSnoopLines()
        _ = atRoot.withUnsafeBytes { rootLines.append(record: $0) }
        #expect(String(decoding: rootLines.bytes, as: UTF8.self) == OpenSnoopFormat.line(rootEvent) + "\n")
        for (ret, flags, comm, path) in [(Int32(3), UInt32(0o2101), "cat", "/etc/hosts"), (-13, 0, "a-fifteen-chars", "rel/ünï"),
                                         (123456, 0o100000, "x", ""),
                                         (-2, 0, "q\"", "/t\"a\\b\n\u{1}")] {
            let bytes = record(ret: ret, flags: flags, comm: comm, path: path)
            let event = try #require(bytes.withUnsafeBytes { OpenEvent(record: $0) })
            #expect(event.path == path && event.task.comm == comm && event.ret == ret)
            for (withUID, withFlags, t) in [(false, false, nil), (true, true, 2.5 as Double?)] {
                var lines = OpenSnoopLines(uid: withUID, flags: withFlags)
                let appended = bytes.withUnsafeBytes { lines.append(record: $0, seconds: t) }
                #expect(appended)
                #expect(String(decoding: lines.bytes, as: UTF8.self)
                        == OpenSnoopFormat.line(event, seconds: t, uid: withUID, flags: withFlags) + "\n")
                let cgroups = CgroupPaths()
                var json = OpenSnoopLines(jsonWith: cgroups)
                _ = bytes.withUnsafeBytes { json.append(record: $0, seconds: t) }
                let text = String(decoding: json.bytes, as: UTF8.self)
                #expect(text == OpenSnoopFormat.json(event, seconds: t, cgroups: cgroups) + "\n")
                #expect(SnoopTest.jsonObject(text)?["path"] as? String == path)
            }
        }
        var lines = OpenSnoopLines()
        let appended = lines.append(record: UnsafeRawBufferPointer(start: nil, count: 0))
        #expect(!appended)
        #expect(lines.bytes.isEmpty)
    }

    @Test func commandPrintsColumnsAndStopsOnSIGTERM() throws {
        let path = try makeMarkerFile()
        defer { unlink(path) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try #require(CLI.path))
        p.arguments = ["opensnoop", "--path-prefix", path, "-e"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = Pipe()
        try p.run()
        var text = ""
        let reader = out.fileHandleForReading
        for _ in 0..<300 where !text.contains(path) {   // up to 30 s: the Debian 6.1 VM under TCG on a busy host took over 10
            close(open(path, O_RDONLY))
            var pfd = pollfd(fd: reader.fileDescriptor, events: Int16(POLLIN), revents: 0)
            if poll(&pfd, 1, 100) > 0 { text += String(decoding: reader.availableData, as: UTF8.self) }
        }
        kill(p.processIdentifier, SIGTERM)
        for _ in 0..<100 where p.isRunning { usleep(50_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.first == "PID    COMM               FD ERR FLAGS    PATH")
        let line = try #require(lines.first { $0.hasSuffix(path) }, "no line in: \(text)")
        #expect(line.hasPrefix(SnoopTest.pad(String(getpid()), 6) + " "))
        #expect(line.hasSuffix(" 00000000 " + path))
    }

    /// Counting mode (the agent's): every open under the prefix is counted in the kernel by
    /// cgroup, command and outcome, one in ten arrives as an event, and a take empties the table.
    @Test func countingModeCountsEveryOpenAndSendsOneInN() throws {
        let path = try makeMarkerFile()
        defer { unlink(path) }
        let (session, counts) = try OpenSnoop.startCounting(filter: ToolFilter(pid: UInt32(getpid())),
                                                            options: .init(pathPrefix: path), sampleEvery: 10)
        defer { session.stop() }
        let comm = SnoopTest.threadComm()
        var events: [OpenEvent] = []
        for _ in 0..<100 {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            if fd >= 0 { close(fd) }
        }
        for _ in 0..<7 { _ = open(path + "-missing", O_RDONLY) }
        for _ in 0..<5 { _ = try session.poll(timeoutMilliseconds: 50) { if let e = OpenEvent(record: $0) { events.append(e) } } }

        let taken = try counts.take()
        let mine = taken.counts.filter { $0.comm == comm }
        #expect(mine.filter { $0.outcome == OpenSnoop.Outcome.succeeded }.reduce(0) { $0 + $1.count } == 100, "counted: \(mine)")
        #expect(mine.filter { $0.outcome == OpenSnoop.Outcome.failed }.reduce(0) { $0 + $1.count } == 7, "counted: \(mine)")
        #expect(mine.allSatisfy { $0.cgroupID != 0 })
        #expect(taken.whileFull.allSatisfy { $0 == 0 }, "the table was never full")
        #expect(taken.held == 0, "no rate limit: nothing held back")
        // Each CPU sends its first open and every tenth after it: 11 of 107 on one CPU, 12 when split.
        #expect((10...14).contains(events.count), "\(events.count) events of 107 opens")
        #expect(try counts.take().counts.filter { $0.comm == comm }.isEmpty, "a take empties the table")
        #expect(throws: BPFError.self) { _ = try OpenSnoop.startCounting(sampleEvery: 0) }
    }

    @Test func overlongPrefixIsAClearError() {
        #expect(throws: BPFError.self) {
            _ = try OpenSnoop.start(options: .init(pathPrefix: String(repeating: "p", count: 300)))
        }
    }
}
