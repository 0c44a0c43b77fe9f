import BPF
import Foundation
import Glibc
import Testing

/// A program compiled from Swift and its C twin, which must behave identically.
struct ProgramTwin: CustomStringConvertible, Sendable {
    var language: String
    var object: EmbeddedObject
    var description: String { language }
}

enum SwiftProgramTwins {
    static let xdpProtocols = [ProgramTwin(language: "Swift", object: EmbeddedObjects.swiftXdpProtocols),
                               ProgramTwin(language: "C", object: EmbeddedObjects.cXdpProtocols)]
    static let socketFilter = [ProgramTwin(language: "Swift", object: EmbeddedObjects.swiftSocketFilter),
                               ProgramTwin(language: "C", object: EmbeddedObjects.netSocketFilter)]
    static let sleepHistogram = [ProgramTwin(language: "Swift", object: EmbeddedObjects.swiftSleepHistogram),
                                 ProgramTwin(language: "C", object: EmbeddedObjects.cSleepHistogram)]
    static let execEvents = [ProgramTwin(language: "Swift", object: EmbeddedObjects.swiftExecEvents),
                             ProgramTwin(language: "C", object: EmbeddedObjects.cExecEvents)]
    /// Every object compiled from a `*.bpf.swift` of this test target, by name.
    static let swiftObjects = [EmbeddedObjects.swiftXdpProtocols, EmbeddedObjects.swiftSocketFilter, EmbeddedObjects.swiftExecEvents,
                               EmbeddedObjects.readmeCount, EmbeddedObjects.swiftGlobals, EmbeddedObjects.swiftSleepHistogram,
                               EmbeddedObjects.swiftSwitchTasks, EmbeddedObjects.swiftKernelReads]
    static var swiftObjectNames: [String] { swiftObjects.map(\.name) }

    static func load(_ twin: ProgramTwin) throws -> BPFObject {
        try BPFObject(ObjectSpec(bytes: twin.object.bytes, name: twin.object.name))
    }
}

/// Frames for BPF_PROG_TEST_RUN: Ethernet, then the given EtherType's payload.
enum TestFrames {
    static func ethernet(_ etherType: UInt16, _ payload: [UInt8]) -> [UInt8] {
        [0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, UInt8(etherType >> 8), UInt8(etherType & 0xff)] + payload
    }

    /// A 20-byte IPv4 header carrying `proto`, then 8 bytes of payload.
    static func ipv4(_ proto: UInt8) -> [UInt8] {
        ethernet(0x0800, [0x45, 0, 0, 28, 0, 0, 0x40, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2] + [UInt8](repeating: 0, count: 8))
    }
}

extension RuntimeTests {
@Suite("BPF programs written in Swift")
struct SwiftProgramTests {
    /// BPF_PROG_TEST_RUN with crafted frames: the Swift program and its C twin count the same
    /// protocols in the same slots, pass every frame and count all of them in `packets` (.bss).
    @Test(arguments: SwiftProgramTwins.xdpProtocols)
    func xdpCountsProtocolsInTestRuns(twin: ProgramTwin) throws {
        let object = try SwiftProgramTwins.load(twin)
        let program = try object.program("xdp_count_protocols")
        let frames: [[UInt8]] = [
            TestFrames.ipv4(17), TestFrames.ipv4(17), TestFrames.ipv4(17), TestFrames.ipv4(6), TestFrames.ipv4(6), TestFrames.ipv4(1),
            TestFrames.ethernet(0x86DD, [UInt8](repeating: 0, count: 40)),
            TestFrames.ethernet(0x0806, [UInt8](repeating: 0, count: 28)),
            TestFrames.ethernet(0x0800, [0x45, 0, 0, 20, 0, 0]),  // an IPv4 header cut short
        ]
        for frame in frames { #expect(try program.testRun(data: frame).returnValue == 2, "XDP_PASS") }
        let counts = try object.map("counts")
        var nonZero: [UInt32: UInt64] = [:]
        for slot in UInt32(0)..<258 {
            if let v = try counts.lookup(key: slot, as: UInt64.self), v != 0 { nonZero[slot] = v }
        }
        #expect(nonZero == [17: 3, 6: 2, 1: 1, 256: 1, 257: 2])
        #expect(try object.global("packets", as: UInt64.self) == UInt64(frames.count))
    }

    /// The README's Swift program, kept true by running it: IPv4 frames are counted by
    /// protocol, everything in `packets`.
    @Test func readmeExampleCounts() throws {
        let object = try BPFObject(ObjectSpec(bytes: EmbeddedObjects.readmeCount.bytes, name: "readme_count"))
        let program = try object.program("count_protocols")
        for frame in [TestFrames.ipv4(17), TestFrames.ipv4(6), TestFrames.ipv4(17), TestFrames.ethernet(0x86DD, [UInt8](repeating: 0, count: 40))] {
            #expect(try program.testRun(data: frame).returnValue == 2)
        }
        let counts = try object.map("counts")
        #expect(try counts.lookup(key: UInt32(17), as: UInt64.self) == 2)
        #expect(try counts.lookup(key: UInt32(6), as: UInt64.self) == 1)
        #expect(try object.global("packets", as: UInt64.self) == 4)
    }

    /// Globals: load-time constants (`.rodata`) take their declared defaults unless set before
    /// loading, the `.data` global starts at its initial value and `.bss` at zero.
    @Test func globalsAndLoadTimeConstants() throws {
        let frame = TestFrames.ipv4(17)
        let defaults = try BPFObject(ObjectSpec(bytes: EmbeddedObjects.swiftGlobals.bytes, name: "swift_globals"))
        #expect(try defaults.global("total", as: UInt64.self) == 1000)
        #expect(try defaults.program("return_verdict").testRun(data: frame).returnValue == 2)
        #expect(try defaults.global("total", as: UInt64.self) == 1001)
        #expect(try defaults.global("runs", as: UInt64.self) == 1)

        var options = LoadOptions()
        options.set("verdict", to: Int32(1))
        options.set("step", to: UInt64(5))
        let configured = try BPFObject(ObjectSpec(bytes: EmbeddedObjects.swiftGlobals.bytes, name: "swift_globals"), options: options)
        let program = try configured.program("return_verdict")
        #expect(try program.testRun(data: frame).returnValue == 1, "XDP_DROP, set at load time")
        #expect(try program.testRun(data: frame).returnValue == 1)
        #expect(try configured.global("total", as: UInt64.self) == 1010)
        #expect(try configured.global("runs", as: UInt64.self) == 2)
        #expect(try configured.global("verdict", as: Int32.self) == 1)
    }

    /// Real packets on a veth pair between two namespaces: the Swift program attached to the
    /// receiving end counts the UDP datagrams sent to it, which still arrive (XDP_PASS).
    @Test(.enabled(if: NetworkNamespace.ip != nil, NetworkNamespace.skipReason), arguments: SwiftProgramTwins.xdpProtocols)
    func xdpCountsRealPacketsOnVeth(twin: ProgramTwin) throws {
        let net = try VethNetwork("sw\(twin.language.prefix(1).lowercased())")
        defer { net.close() }
        let object = try SwiftProgramTwins.load(twin)
        let counts = try object.map("counts")
        let port: UInt16 = 4011
        let receiver = try net.receiverSocket(port: port)
        let sender = try net.senderSocket(to: port)
        let link = try net.receiver.enter {
            try XDPProgram(object, name: "xdp_count_protocols").attach(interface: net.receiverInterface, flags: .driverMode)
        }
        defer { link.close() }
        let payloads = (1...5).map { "swift-\($0)" }
        for p in payloads { #expect(sender.send(p)) }
        #expect(try counter(counts, UInt32(IPPROTO_UDP), reaching: 5) == 5)
        #expect(receiver.receiveAll().sorted() == payloads)
        #expect(try object.global("packets", as: UInt64.self) >= 5)
    }

    /// The socket filter test of net_socket_filter.bpf.c, run on its Swift twin as well.
    @Test(arguments: SwiftProgramTwins.socketFilter)
    func socketFilterDropsMarkedDatagrams(twin: ProgramTwin) throws {
        let object = try SwiftProgramTwins.load(twin)
        let counts = try object.map("counts")
        let receiver = try UDPSocket(bindTo: "127.0.0.1", port: 0)
        let sender = try UDPSocket(connectTo: "127.0.0.1", port: receiver.port)
        try SocketFilterProgram(object, name: "drop_marked").attach(socket: receiver.fd)
        for payload in ["keep-1", "Drop-1", "keep-2", "Drop-2", "Drop-3"] { #expect(sender.send(payload)) }
        #expect(receiver.receiveAll().sorted() == ["keep-1", "keep-2"])
        #expect(try counts.lookup(key: UInt32(0), as: UInt64.self) == 2)
        #expect(try counts.lookup(key: UInt32(1), as: UInt64.self) == 3)
        try SocketFilter.detach(socket: receiver.fd)
    }

    struct ExecEvent: BitwiseCopyable {
        var pid: UInt32
        var oldPID: UInt32
        var parentPID: UInt32
        var reserved: UInt32
        var command: (UInt64, UInt64)
        var commandText: String {
            withUnsafeBytes(of: command) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
    }

    /// sched_process_exec: the tracepoint program sends each exec's pid and command through the
    /// ring buffer; an exec of /bin/true from this test arrives with the child's pid and, read
    /// with CO-RE, this process as its parent.
    @Test(arguments: SwiftProgramTwins.execEvents)
    func execEventsArriveThroughTheRingBuffer(twin: ProgramTwin) throws {
        let object = try SwiftProgramTwins.load(twin)
        let link = try TracepointProgram(object, name: "on_exec").attach(category: "sched", name: "sched_process_exec")
        defer { link.close() }
        let reader = try RingBuffer(map: object.map("events"))
        let child = spawnAndWait("/bin/true", ["true"])
        #expect(child.spawnError == 0)
        var events: [ExecEvent] = []
        for _ in 0..<100 {
            reader.consume(as: ExecEvent.self) { events.append($0) }
            if events.contains(where: { $0.pid == UInt32(child.pid) }) { break }
            usleepMilliseconds(10)
        }
        let mine = events.first { $0.pid == UInt32(child.pid) }
        #expect(mine?.commandText == "true")
        #expect(mine?.oldPID == UInt32(child.pid))
        // CO-RE: task->real_parent->tgid, relocated against this kernel's task_struct.
        #expect(mine?.parentPID == UInt32(getpid()))
        #expect(try object.global("execs", as: UInt64.self) >= 1)
    }

    /// The typed bindings the build generates for a Swift program, as for a C one: the tracepoint
    /// program attaches by its section, the ring buffer reads the program's own `ExecEvent`
    /// records (its layout described in the object's BTF), and `execs` is a `UInt64` global.
    @Test func swiftProgramsHaveTypedBindings() throws {
        let bindings = try SwiftExecEventsObject.load()
        let links = try bindings.attachAll()
        defer { for link in links { link.close() } }
        let reader = try bindings.events.reader()
        defer { reader.close() }
        let child = spawnAndWait("/bin/true", ["true"])
        #expect(child.spawnError == 0)
        var mine: SwiftExecEventsObject.ExecEvent?
        for _ in 0..<100 where mine == nil {
            _ = reader.consume { if $0.pid == UInt32(child.pid) { mine = $0 } }
            if mine == nil { usleepMilliseconds(10) }
        }
        let event = try #require(mine, "no event for pid \(child.pid) within a second")
        #expect(event.oldPID == UInt32(child.pid))
        #expect(event.parentPID == UInt32(getpid()))
        #expect(withUnsafeBytes(of: event.command) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) } == "true")
        #expect(MemoryLayout<SwiftExecEventsObject.ExecEvent>.size == 32)
        #expect(bindings.execs.value >= 1)
    }

    /// The CO-RE relocations the loader applied to `program`, without instruction positions or
    /// type ids (which differ between two objects): kind, local access, matched target access,
    /// value before and after.
    static func coreRelocations(_ object: BPFObject, program: String) -> [String] {
        (object.coreRelocations[program] ?? []).map {
            "\($0.kindName) \($0.localSpec) -> \($0.targetSpec ?? "none") \($0.originalValue)->\($0.newValue)"
        }.sorted()
    }

    /// A read declared in Swift (`KernelRead<UInt32>("task_struct", "real_parent->tgid")`) carries
    /// the relocations of the C twin's `BPF_CORE_READ(task, real_parent, tgid)`, and the loader
    /// resolves them against this kernel's `task_struct` to the same offsets.
    @Test func kernelReadRelocationsMatchTheCTwin() throws {
        let swift = try SwiftProgramTwins.load(SwiftProgramTwins.execEvents[0])
        let c = try SwiftProgramTwins.load(SwiftProgramTwins.execEvents[1])
        let swiftRelocations = Self.coreRelocations(swift, program: "on_exec")
        #expect(swiftRelocations.count == 2, "\(swiftRelocations)")  // real_parent, then tgid
        #expect(swiftRelocations == Self.coreRelocations(c, program: "on_exec"))
    }

    /// Reads declared in the program's Swift source (swift_kernel_reads.bpf.swift): on the exec
    /// of a child of this process, the parent's tgid is this process, the group leader's tgid
    /// the child, the user id this user's, the command the new one, and the parent pointer set.
    @Test func kernelReadsDeclaredInSwiftReadTheExecingTask() throws {
        var options = LoadOptions()
        options.set("targetParent", to: UInt32(getpid()))
        let object = try BPFObject(ObjectSpec(bytes: EmbeddedObjects.swiftKernelReads.bytes, name: "swift_kernel_reads"), options: options)
        let link = try TracepointProgram(object, name: "record_exec").attach(category: "sched", name: "sched_process_exec")
        defer { link.close() }
        let child = spawnAndWait("/bin/true", ["true"])
        #expect(child.spawnError == 0)
        let seen = try #require(try object.map("seen").lookup(key: UInt32(child.pid), as: KernelReadsSeen.self), "no exec of \(child.pid) seen")
        #expect(seen.parentTGID == UInt32(getpid()))
        #expect(seen.leaderTGID == child.pid)
        #expect(seen.userID == getuid())
        #expect(seen.commandResult == 0)
        #expect(seen.parentAddress != 0)
        #expect(withUnsafeBytes(of: seen.command) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) } == "true")
    }

    /// swift_kernel_reads.bpf.swift's record.
    struct KernelReadsSeen: BitwiseCopyable {
        var parentTGID: UInt32
        var leaderTGID: Int32
        var userID: UInt32
        var commandResult: Int32
        var parentAddress: UInt64
        var command: (UInt64, UInt64)
    }

    /// A per-CPU log2 histogram: this thread's sleeps of 3 us, 100 us, 1 ms and twice 2 ms land
    /// in slots 2, 7, 10 and 11 (slot i holds [2^(i-1), 2^i - 1] us), summed over the CPUs;
    /// the Swift program and its C twin give the same histogram.
    @Test(arguments: SwiftProgramTwins.sleepHistogram)
    func sleepHistogramBuckets(twin: ProgramTwin) throws {
        var options = LoadOptions()
        options.set(twin.language == "Swift" ? "targetThread" : "target_thread", to: UInt32(truncatingIfNeeded: currentPidTgid()))
        let object = try BPFObject(ObjectSpec(bytes: twin.object.bytes, name: twin.object.name), options: options)
        let link = try TracepointProgram(object, name: "sleep_histogram").attach(category: "syscalls", name: "sys_enter_clock_nanosleep")
        defer { link.close() }
        for micros in [3, 100, 1000, 2000, 2000] {
            var request = timespec(tv_sec: 0, tv_nsec: micros * 1000)
            _ = clock_nanosleep(CLOCK_MONOTONIC, 0, &request, nil)
        }
        let slots = try object.map("slots")
        var histogram: [UInt32: UInt64] = [:]
        for slot in UInt32(0)..<64 {
            let total = try slots.lookupPerCPU(key: slot, as: UInt64.self)?.reduce(0, +) ?? 0
            if total != 0 { histogram[slot] = total }
        }
        #expect(histogram == [2: 1, 7: 1, 10: 1, 11: 2])
    }

    /// CO-RE reads of a task the program is handed (tp_btf/sched_switch's `next`), not the
    /// current one: when this thread is switched in, the program reads its thread and process
    /// ids, user id, command and cgroup v2 (its id, the ancestor at its own depth, the root, and
    /// nothing one level deeper), relocated against this kernel's `task_struct`.
    @Test func tasksHandedToAProgramAreReadWithCORE() throws {
        let mount = try Link.cgroup2MountPoint()
        let text = String(decoding: try Syscalls.readFile("/proc/self/cgroup"), as: UTF8.self)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("0::") })
        let path = String(line.dropFirst(3))
        let depth = Int32(path.split(separator: "/").count)
        let cgroupID = try Syscalls.inode(of: mount + (path == "/" ? "" : path))
        let tid = UInt32(truncatingIfNeeded: currentPidTgid())
        var config = SwiftSwitchTasksObject.Config()
        config.targetThread = tid
        config.ancestorLevel = depth
        let bindings = try SwiftSwitchTasksObject.load(config: config)
        let links = try bindings.attachAll()
        defer { for link in links { link.close() } }
        for _ in 0..<20 where bindings.runs.value == 0 { usleepMilliseconds(1) }  // each sleep switches this thread out and in
        #expect(bindings.runs.value >= 1)
        let seen = try bindings.seen.value(at: 0)
        #expect(seen.threadID == tid)
        #expect(seen.processID == UInt32(getpid()))
        #expect(seen.userID == getuid())
        let comm = String(decoding: try Syscalls.readFile("/proc/thread-self/comm"), as: UTF8.self).trimmingCharacters(in: .newlines)
        #expect(withUnsafeBytes(of: seen.command) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) } == comm)
        #expect(seen.commandBytes == Int32(comm.utf8.count + 1))
        #expect(seen.cgroupID == cgroupID)
        #expect(seen.ancestorID == cgroupID)
        #expect(seen.rootID == (try Syscalls.inode(of: mount)))
        #expect(seen.belowID == 0)
    }

    /// libbpf loads every Swift-built object too: `bpftool prog loadall` pins each program.
    @Test(.enabled(if: Bpftool.path != nil, "bpftool is not installed"), arguments: SwiftProgramTwins.swiftObjectNames)
    func libbpfLoadsSwiftObjects(name: String) throws {
        let object = try #require(SwiftProgramTwins.swiftObjects.first { $0.name == name })
        let file = try TemporaryFile(object.bytes, suffix: ".o")
        let pins = try PinDirectory("swiftprog_\(object.name)")
        defer { pins.remove() }
        let r = try Bpftool.loadAll(object: file.path, pinDirectory: pins.path + "/progs")
        #expect(r.status == 0, "bpftool: \(r.stderr)")
        #expect(!r.stderr.contains("BTF loading error"), "libbpf kept the BTF: \(r.stderr)")
        let pinned = (try? FileManager.default.contentsOfDirectory(atPath: pins.path + "/progs")) ?? []
        let spec = try ObjectSpec(bytes: object.bytes, name: object.name)
        #expect(Set(pinned) == Set(spec.programs.map(\.name)))
    }
}
}
