import BPF
import Glibc
@testable import SwiftBPFTools
import Testing

/// runqlat against threads of this process, named so that --comm picks them out. Every test
/// runs once with runqlat.bpf.c and once with its Swift twin, runqlat_swift.bpf.swift.
@Suite(.serialized, .enabled(if: geteuid() == 0, "runqlat needs root"))
struct RunQLatTests {
    let me = UInt32(getpid())

    /// Two CPU-bound threads pinned to one CPU wait for each other: the waits are about a time
    /// slice (hundreds of µs to milliseconds), never all near zero.
    @Test(arguments: BPFProgramLanguage.allCases) func contentionOnOneCPUShowsSliceLengthWaits(language: BPFProgramLanguage) throws {
        let name = "lbusy\(UInt16.random(in: 0...UInt16.max))"
        let tool = try RunQLat(filter: ToolFilter(pid: me, comm: name), options: .init(perProcess: true), language: language)
        let threads = (0..<2).map { _ in NamedThread(name: name, cpu: 0) { spin(seconds: 0.6) } }
        threads.forEach { $0.join() }
        let hists = try tool.take()
        #expect(hists.count == 1)
        let h = try #require(hists.first)
        #expect(h.key == UInt64(me))
        #expect(h.comm == name)
        #expect(h.total >= 10, "only \(h.total) samples")
        // Waits of at least 256 µs (slots 10...): a whole time slice of the other thread.
        let long = h.slots[10...].reduce(0, +)
        #expect(long >= 5, "slots: \(h.slots)")
    }

    @Test(arguments: BPFProgramLanguage.allCases) func perThreadKeysAreThreadIDs(language: BPFProgramLanguage) throws {
        let name = "ltid\(UInt16.random(in: 0...UInt16.max))"
        let tool = try RunQLat(filter: ToolFilter(pid: me, comm: name), options: .init(perThread: true), language: language)
        let threads = (0..<2).map { _ in NamedThread(name: name) { for _ in 0..<30 { sleepNanoseconds(1_000_000) } } }
        threads.forEach { $0.join() }
        let hists = try tool.take()
        #expect(hists.count == 2)
        #expect(hists.allSatisfy { $0.key != UInt64(me) && $0.comm == name && $0.total >= 15 })
    }

    /// A thread that only sleeps on a machine with spare CPU is woken and runs at once: most
    /// waits are under a millisecond.
    @Test(arguments: BPFProgramLanguage.allCases) func sleepingThreadHasShortWaits(language: BPFProgramLanguage) throws {
        let name = "lidle\(UInt16.random(in: 0...UInt16.max))"
        let tool = try RunQLat(filter: ToolFilter(pid: me, comm: name), language: language)
        let t = NamedThread(name: name) { for _ in 0..<100 { sleepNanoseconds(2_000_000) } }
        t.join()
        let hists = try tool.take()
        let h = try #require(hists.first)
        #expect(hists.count == 1 && h.key == 0)
        #expect(h.total >= 50, "only \(h.total) samples")
        let short = h.slots[0...10].reduce(0, +) // under 1024 µs
        #expect(short * 2 >= h.total, "slots: \(h.slots)")
    }

    @Test(arguments: BPFProgramLanguage.allCases) func perCgroupKeysAreTheTasksCgroupAndCgroupFilterPasses(language: BPFProgramLanguage) throws {
        let mount = try CgroupPaths.mountPoint()
        let text = String(decoding: try Syscalls.readFile("/proc/self/cgroup"), as: UTF8.self)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("0::") })
        let path = String(line.dropFirst(3))
        let id = try Syscalls.inode(of: mount + (path == "/" ? "" : path))
        let name = "lcg\(UInt16.random(in: 0...UInt16.max))"
        let tool = try RunQLat(filter: ToolFilter(pid: me, comm: name, cgroupPath: path), options: .init(perCgroup: true), language: language)
        let t = NamedThread(name: name) { for _ in 0..<50 { sleepNanoseconds(1_000_000) } }
        t.join()
        let hists = try tool.take()
        #expect(hists.map(\.key) == [id])
        #expect(hists.first.map { $0.total >= 25 } == true)
        let json = LatencyFormat.json(hists, options: HistogramOptions(), listKey: "histograms", seconds: nil, dropped: 0) {
            [("cgroup_id", "\($0.key)")]
        }
        #expect(json.hasPrefix("{\"unit\":\"usecs\",\"histograms\":[{\"cgroup_id\":\(id),\"count\":"))
        #expect(json.hasSuffix("\"dropped\":0}"))
    }

    @Test(arguments: BPFProgramLanguage.allCases) func filterForAnotherProcessSeesNothingOfOurs(language: BPFProgramLanguage) throws {
        let name = "lnone\(UInt16.random(in: 0...UInt16.max))"
        let tool = try RunQLat(filter: ToolFilter(pid: me &+ 1_000_000, comm: name), language: language)
        let t = NamedThread(name: name) { for _ in 0..<20 { sleepNanoseconds(1_000_000) } }
        t.join()
        #expect(try tool.take().isEmpty)
        // The uid filter reads the waiting task's credentials: ours (root) passes, another does not.
        let mine = try RunQLat(filter: ToolFilter(comm: name, uid: getuid()), language: language)
        let other = try RunQLat(filter: ToolFilter(comm: name, uid: 54_321), language: language)
        NamedThread(name: name) { for _ in 0..<20 { sleepNanoseconds(1_000_000) } }.join()
        #expect((try mine.take().first?.total ?? 0) >= 10)
        #expect(try other.take().isEmpty)
        #expect(throws: BPFError.self) { try RunQLat(options: .init(perProcess: true, perCgroup: true), language: language) }
        #expect(throws: BPFError.self) { try RunQLat(options: .init(perProcess: true, perThread: true), language: language) }
    }

    /// A container-like nesting: a child process in cgroup parent/child. Filtering on the parent
    /// covers the child cgroup; per-cgroup keys are the child cgroup's id, nothing else.
    @Test(arguments: BPFProgramLanguage.allCases) func cgroupFilterCoversTheSubtreeAndKeysAreTheTasksCgroup(language: BPFProgramLanguage) throws {
        let mount = try CgroupPaths.mountPoint()
        let parent = "/swiftbpf-runqlat-\(UInt32.random(in: 0...UInt32.max))"
        let child = parent + "/inner"
        try #require(mkdir(mount + parent, 0o755) == 0, "mkdir: errno \(errno)")
        defer { rmdir(mount + parent) }
        try #require(mkdir(mount + child, 0o755) == 0, "mkdir: errno \(errno)")
        defer { rmdir(mount + child) }
        let childID = try Syscalls.inode(of: mount + child)
        let tool = try RunQLat(filter: ToolFilter(cgroupPath: parent), options: .init(perCgroup: true), language: language)
        #expect(CgroupPaths().path(of: childID) == child)

        // The shell waits until it has been moved, then sleeps 30 times (each a new process).
        let script = "sleep 0.3; for i in $(seq 30); do sleep 0.005; done"
        var cArgs: [UnsafeMutablePointer<CChar>?] = [String]([ "/bin/sh", "-c", script]).map { strdup($0) } + [nil]
        defer { for a in cArgs { free(a) } }
        var pid: pid_t = 0
        try #require(posix_spawn(&pid, "/bin/sh", nil, nil, &cArgs, environ) == 0)
        let procs = open(mount + child + "/cgroup.procs", O_WRONLY)
        let moved = procs >= 0 && "\(pid)".withCString { write(procs, $0, strlen($0)) } > 0
        if procs >= 0 { close(procs) }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        try #require(moved, "could not move \(pid) into \(child)")

        let hists = try tool.take()
        #expect(hists.map(\.key) == [childID])
        #expect((hists.first?.total ?? 0) >= 30)
    }
}
