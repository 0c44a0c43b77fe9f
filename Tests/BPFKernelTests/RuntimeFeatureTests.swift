import BPF
import Testing

extension RuntimeTests {
@Suite("features and leaks")
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
        #expect(!Features.isSupported(helper: .perfProgReadValue, in: .socketFilter))
        // The program-type probe and the hook probe (which also attaches) agree about LSM: both
        // no on the development host (its kernel refuses LSM programs), both yes in the 6.1 VM.
        #expect(Features.isSupported(programType: .lsm) == Features.probe(.lsm).isSupported)
        // Cached: the second answer is the same.
        #expect(Features.isSupported(mapType: .ringBuf))
    }

    @Test func kernelVersionParsing() {
        #expect(LinuxVersion(release: "6.18.44") == LinuxVersion(6, 18, 44))
        #expect(LinuxVersion(release: "6.1.0-47-cloud-amd64") == LinuxVersion(6, 1, 0))
        #expect(LinuxVersion(release: "5.15") == LinuxVersion(5, 15))
        #expect(LinuxVersion(release: "") == LinuxVersion(0, 0))
        #expect(LinuxVersion(6, 6) < LinuxVersion(6, 18, 1))
        #expect(Features.kernelVersion >= LinuxVersion(5, 0))
    }

    @Test func noDescriptorLeaksOverFiftyCycles() throws {
        // (descriptor, fdinfo key, id) of every object of a cycle, checked after the cycle.
        var owned: [(fd: Int32, key: String, id: UInt32)] = []
        func cycle() throws {
            let counter = try makeMap("rt_leak", .array, key: 4, value: 8, max: 1)
            let program = try TestPrograms.load("rt_leak", .tracepoint, TestPrograms.counting(counter: counter, pidTgid: 1))
            let link = try program.attachTracepoint(category: "syscalls", name: "sys_enter_getpid")
            let rawProgram = try TestPrograms.load("rt_leak_raw", .rawTracepoint, Instruction.returning(0))
            let raw = try rawProgram.attachRawTracepoint(name: "sys_enter")
            let ringMap = try makeMap("rt_leak_ring", .ringBuf, key: 0, value: 0, max: 4096)
            let ring = try RingBuffer(map: ringMap)
            _ = ring.consume { _ in }
            _ = try counter.lookupBatch()
            owned += [(counter.fd, "map_id", counter.id), (program.fd, "prog_id", program.id),
                      (link.fd, "link_id", try link.info().id), (raw.fd, "link_id", try raw.info().id),
                      (rawProgram.fd, "prog_id", rawProgram.id), (ringMap.fd, "map_id", ringMap.id)]
        }
        /// The id an fd refers to now, from /proc/self/fdinfo, or nil if the fd is closed.
        func currentID(_ fd: Int32, _ key: String) -> UInt32? {
            guard let text = try? Syscalls.readFile("/proc/self/fdinfo/\(fd)") else { return nil }
            for line in String(decoding: text, as: UTF8.self).split(separator: "\n") where line.hasPrefix(key + ":") {
                return UInt32(line.dropFirst(key.count + 1).filter { $0 != " " && $0 != "\t" })
            }
            return nil
        }
        try cycle()  // warm up caches (possible CPUs, tracefs lookups)
        let before = Syscalls.openDescriptorCount()
        for _ in 0..<50 { try cycle() }
        // Other suites run in parallel in this process and open descriptors of their own for a
        // moment: look again a few times before calling it a leak.
        var after = Syscalls.openDescriptorCount()
        var tries = 0
        // A previous suite's pipes may also close meanwhile: fewer is fine, more is a leak.
        while after > before, tries < 20 {
            usleepMilliseconds(100)
            after = Syscalls.openDescriptorCount()
            tries += 1
        }
        #expect(after <= before, "descriptors before \(before), after \(after)")
        // Exact check: no descriptor of a cycle still refers to that cycle's object.
        #expect(owned.count == 51 * 6)
        let stillOpen = owned.filter { currentID($0.fd, $0.key) == $0.id }
        #expect(stillOpen.isEmpty, "still open: \(stillOpen)")
    }
}
}
