import BPF
import Testing

@Suite("Runtime: features and leaks", .enabled(if: RuntimeTestEnvironment.isRoot, RuntimeTestEnvironment.skipReason))
struct RuntimeFeatureTests {
    @Test func probesOfThisKernel() {
        // Linux 6.18 here: all of these exist.
        #expect(Features.hasKernelBTF)
        #expect(Features.ringBuffer)
        #expect(Features.bpfLinkForPerfEvents)
        for type in [ProgramType.socketFilter, .tracepoint, .rawTracepoint, .xdp, .schedCLS, .perfEvent, .cgroupSockAddr, .skLookup, .syscall, .tracing] {
            #expect(Features.isSupported(programType: type), "program type \(type)")
        }
        for type in [MapType.hash, .array, .perCPUHash, .perCPUArray, .lruHash, .lpmTrie, .ringBuf, .perfEventArray,
                     .progArray, .arrayOfMaps, .hashOfMaps, .stackTrace, .queue, .stack, .bloomFilter] {
            #expect(Features.isSupported(mapType: type), "map type \(type)")
        }
        #expect(!Features.isSupported(mapType: MapType(rawValue: 999)))
        #expect(!Features.isSupported(programType: ProgramType(rawValue: 999)))
        #expect(Features.isSupported(helper: .getCurrentPidTgid, in: .tracepoint))
        #expect(!Features.isSupported(helper: .getCurrentPidTgid, in: .socketFilter))
        // Cached: the second answer is the same.
        #expect(Features.isSupported(mapType: .ringBuf))
    }

    @Test func noDescriptorLeaksOverFiftyCycles() throws {
        func cycle() throws {
            let counter = try makeMap("rt_leak", .array, key: 4, value: 8, max: 1)
            let program = try TestPrograms.load("rt_leak", .tracepoint, TestPrograms.counting(counter: counter, pidTgid: 1))
            let link = try program.attachTracepoint(category: "syscalls", name: "sys_enter_getpid")
            let raw = try TestPrograms.load("rt_leak_raw", .rawTracepoint, Instruction.returning(0)).attachRawTracepoint(name: "sys_enter")
            let ring = try RingBuffer(map: makeMap("rt_leak_ring", .ringBuf, key: 0, value: 0, max: 4096))
            _ = ring.consume { _ in }
            _ = try counter.lookupBatch()
            withExtendedLifetime((link, raw)) {}
        }
        try cycle()  // warm up caches (possible CPUs, tracefs lookups)
        let before = Syscalls.openDescriptorCount()
        for _ in 0..<50 { try cycle() }
        // Other suites run in parallel in this process and open descriptors of their own for a
        // moment: look again a few times before calling it a leak.
        var after = Syscalls.openDescriptorCount()
        var tries = 0
        while after != before, tries < 20 {
            usleepMilliseconds(100)
            after = Syscalls.openDescriptorCount()
            tries += 1
        }
        #expect(after == before, "descriptors before \(before), after \(after)")
    }
}
