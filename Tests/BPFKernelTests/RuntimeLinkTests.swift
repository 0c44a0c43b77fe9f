import BPF
import Testing

extension RuntimeTests {
@Suite("links")
struct RuntimeLinkTests {
    @Test func tracepointCountsGetpidExactly() throws {
        let counter = try makeMap("rt_tp_count", .array, key: 4, value: 8, max: 1)
        let me = currentPidTgid()
        let program = try TestPrograms.load("rt_tp_getpid", .tracepoint, TestPrograms.counting(counter: counter, pidTgid: me))
        let link = try program.attachTracepoint(category: "syscalls", name: "sys_enter_getpid")
        #expect(!link.isLegacyPerfEvent)
        let info = try link.info()
        #expect(info.programID == program.id)
        #expect(info.typeName == "perf_event")

        callGetpid(25)
        #expect(try counter.lookup(key: UInt32(0), as: UInt64.self) == 25)

        // Perf-event links cannot BPF_LINK_DETACH; detach() closes them and the program stops.
        try link.detach()
        #expect(!link.isOpen && link.fd == -1)
        #expect(throws: BPFError.self) { try link.info() }
        callGetpid(10)
        #expect(try counter.lookup(key: UInt32(0), as: UInt64.self) == 25)
    }

    @Test func legacyPerfEventAttachmentAlsoCounts() throws {
        // The fallback path of kernels before 5.15: PERF_EVENT_IOC_SET_BPF + ENABLE.
        let counter = try makeMap("rt_tp_legacy", .array, key: 4, value: 8, max: 1)
        let program = try TestPrograms.load("rt_tp_legacy", .tracepoint, TestPrograms.counting(counter: counter, pidTgid: currentPidTgid()))
        let id = try PerfEvent.tracepointID(category: "syscalls", name: "sys_enter_getpid")
        let perf = try PerfEvent.openTracepoint(id: id, label: "syscalls:sys_enter_getpid")
        try PerfEvent.setBPF(perfFD: perf.rawValue, programFD: program.fd, label: "legacy")
        try PerfEvent.enable(perfFD: perf.rawValue, label: "legacy")
        callGetpid(7)
        perf.close()
        callGetpid(3)
        #expect(try counter.lookup(key: UInt32(0), as: UInt64.self) == 7)
    }

    @Test func rawTracepointOnSysEnter() throws {
        let counter = try makeMap("rt_raw_count", .array, key: 4, value: 8, max: 1)
        let program = try TestPrograms.load(
            "rt_raw_sysenter", .rawTracepoint,
            TestPrograms.counting(counter: counter, pidTgid: currentPidTgid(), syscall: TestPrograms.getpidSyscallNumber))
        let link = try program.attachRawTracepoint(name: "sys_enter")
        #expect(try link.info().typeName == "raw_tracepoint")
        callGetpid(12)
        let count = try #require(try counter.lookup(key: UInt32(0), as: UInt64.self))
        #expect(count >= 12)
        // Raw tracepoint links answer EOPNOTSUPP to BPF_LINK_DETACH: detach() closes them.
        try link.detach()
        #expect(!link.isOpen)
        callGetpid(5)
        #expect(try counter.lookup(key: UInt32(0), as: UInt64.self) == count)
    }

    @Test func unknownTracepointsAreNamed() throws {
        let program = try TestPrograms.load("rt_tp_none", .tracepoint, Instruction.returning(0))
        #expect {
            try program.attachTracepoint(category: "syscalls", name: "sys_enter_no_such_call")
        } throws: { error in
            guard let e = error as? BPFError, case let .missing(what) = e else { return false }
            return what.contains("syscalls:sys_enter_no_such_call")
        }
        #expect(throws: BPFError.self) { try program.attachTracepoint(category: "../x", name: "y") }
        let raw = try TestPrograms.load("rt_raw_none", .rawTracepoint, Instruction.returning(0))
        #expect {
            try raw.attachRawTracepoint(name: "no_such_raw_tracepoint")
        } throws: { error in
            guard let e = error as? BPFError, case let .missing(what) = e else { return false }
            return what.contains("no_such_raw_tracepoint")
        }
    }

    @Test func pinAndReopenLink() throws {
        let dir = RuntimeTestEnvironment.uniquePinDirectory("link")
        try Syscalls.mkdir(dir)
        defer { try? Syscalls.rmdir(dir) }
        let path = dir + "/link"
        var linkID: UInt32 = 0
        do {
            let program = try TestPrograms.load("rt_pinlink", .rawTracepoint, Instruction.returning(0))
            let link = try program.attachRawTracepoint(name: "sys_enter")
            linkID = try link.info().id
            try link.pin(path)
            defer { try? Link.unpin(path) }
            let opened = try Link.open(pinned: path)
            #expect(try opened.info().id == linkID)
            #expect(try opened.info().programID == program.id)
            try Link.unpin(path)
            #expect(!Syscalls.exists(path))
        }
        // Every descriptor and the pin are gone: the link no longer exists.
        #expect { try Link.open(id: linkID) } throws: { isErrno($0, .init(rawValue: 2)) }
    }

    @Test func tpBTFOnSysEnterThroughBothAttachPaths() throws {
        // tp_btf: a tracing program whose attach_btf_id is the kernel's btf_trace_sys_enter typedef.
        let kernelBTF = try BTF.kernel()
        let target = try #require(kernelBTF.typeID(named: "btf_trace_sys_enter", kind: .typedef))
        let counter = try makeMap("rt_tpbtf_count", .array, key: 4, value: 8, max: 1)
        let insns = try TestPrograms.counting(counter: counter, pidTgid: currentPidTgid(), syscall: TestPrograms.getpidSyscallNumber)
        let program = try Program.load(ProgramLoadAttributes(
            name: "rt_tpbtf", type: .tracing, expectedAttachType: .traceRawTP, instructions: insns, attachBTFID: target))

        // BPF_RAW_TRACEPOINT_OPEN with no name.
        let first = try program.attachTracing()
        #expect(try first.info().typeName == "raw_tracepoint")  // tp_btf links are raw tracepoint links
        callGetpid(8)
        let afterFirst = try #require(try counter.lookup(key: UInt32(0), as: UInt64.self))
        #expect(afterFirst >= 8)
        first.close()

        // BPF_LINK_CREATE with BPF_TRACE_RAW_TP.
        let second = try Link.create(program: program, attachType: .traceRawTP, label: "tp_btf sys_enter")
        callGetpid(4)
        let afterSecond = try #require(try counter.lookup(key: UInt32(0), as: UInt64.self))
        #expect(afterSecond >= afterFirst + 4)
        try second.detach()

        // Without a target BTF id the kernel refuses tracing programs.
        #expect(throws: BPFError.self) { try TestPrograms.load("rt_tpbtf_none", .tracing, Instruction.returning(0)) }
    }

    @Test func perfEventSamplingOnCPUClock() throws {
        // A perf_event program on software cpu-clock at 1 kHz on every CPU; this thread spins so
        // that samples happen.
        let counter = try makeMap("rt_perf_count", .array, key: 4, value: 8, max: 1)
        var a = Assembler()
        a.lookupSlotZero(counter, orJumpTo: "out")
        a.emit(.mov64(.r1, imm: 1))
        a.emit(.atomicAdd(.double, .r0, offset: 0, .r1))
        a.label("out")
        a.emit(Instruction.returning(0))
        let program = try TestPrograms.load("rt_perf_sample", .perfEvent, a.assemble())
        let links = try Link.attachSampling(program: program, type: 1, config: 0, frequency: 1000)
        #expect(links.count == (try PossibleCPUs.count()))
        var x: UInt64 = 1
        for i in 0..<30_000_000 { x = x &* 6364136223846793005 &+ UInt64(i) }
        #expect(x != 0)
        #expect(try counter.lookup(key: UInt32(0), as: UInt64.self)! > 0)
        for link in links { link.close() }
    }

    @Test func uprobeAndUretprobeOnLibcGetpid() throws {
        let target = try fileOffset(ofFunction: "getpid")
        #expect(target.path.contains("libc"))
        for retprobe in [false, true] {
            let counter = try makeMap("rt_uprobe_count", .array, key: 4, value: 8, max: 1)
            let program = try TestPrograms.load("rt_uprobe", .kprobe, TestPrograms.counting(counter: counter, pidTgid: currentPidTgid()))
            let link = try Link.attachUprobe(program: program, path: target.path, offset: target.offset, retprobe: retprobe)
            #expect(try link.info().typeName == "perf_event")
            callGetpid(9)
            link.close()
            callGetpid(2)
            #expect(try counter.lookup(key: UInt32(0), as: UInt64.self) == 9, "retprobe: \(retprobe)")
        }
        // kprobes are compiled out of this kernel: a clear notSupported, not a crash.
        if !Syscalls.exists("/sys/bus/event_source/devices/kprobe") {
            let program = try TestPrograms.load("rt_kprobe", .kprobe, Instruction.returning(0))
            #expect {
                try Link.attachKprobe(program: program, function: "do_sys_openat2")
            } throws: { error in
                guard let e = error as? BPFError, case .notSupported = e else { return false }
                return true
            }
        }
    }

    @Test func objectIDsCanBeWalked() throws {
        let map = try makeMap("rt_ids", .array, key: 4, value: 4, max: 1)
        let program = try TestPrograms.load("rt_ids", .socketFilter, Instruction.returning(0))
        var mapIDs: [UInt32] = []
        var id: UInt32 = 0
        while let next = try BPFCommands.nextID(.map, after: id) { mapIDs.append(next); id = next }
        #expect(mapIDs.contains(map.id))
        var programIDs: [UInt32] = []
        id = 0
        while let next = try BPFCommands.nextID(.program, after: id) { programIDs.append(next); id = next }
        #expect(programIDs.contains(program.id))
        let reopened = try Map.open(id: map.id)
        #expect(reopened.name == "rt_ids")
    }
}
}
