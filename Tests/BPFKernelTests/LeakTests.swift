import BPF
import Foundation
import Glibc
import Testing

/// A representative cycle of loads, attachments, readers and pins, closed again, must give back
/// every descriptor and every kernel object it created (see `KernelObjectCensus`).
///
/// The descriptor comparison covers the whole process, so it assumes no other test opens or
/// closes descriptors meanwhile: run the kernel suite with `--no-parallel`, as CI does.
@Suite(.serialized, .enabled(if: isRoot, "needs root: loads programs and attaches them to the running kernel"))
struct LeakTests {
    /// Loads, attaches, triggers, reads and releases; returns the ids of what it created.
    func cycle() throws -> CreatedObjects {
        var created = CreatedObjects()
        // An object from ELF with .rodata, its tracepoint attached through a perf-event link.
        let object = try BPFObject(ObjectSpec(bytes: EmbeddedObjects.minimal.bytes, name: "minimal"))
        let program = try object.program("count_getpid")
        try created.add(program)
        let link = try object.attach("count_getpid")
        try created.add(link)
        callGetpid(3)
        #expect(try object.map("counts").lookup(key: UInt32(0), as: UInt64.self) ?? 0 >= 3)

        // A map and an assembled program on a raw tracepoint.
        let counter = try makeMap("leak_counter", .array, key: 4, value: 8, max: 1)
        created.add(counter)
        let raw = try Program.load(ProgramLoadAttributes(
            name: "leak_raw", type: .rawTracepoint,
            instructions: TestPrograms.counting(counter: counter, pidTgid: currentPidTgid(), syscall: TestPrograms.getpidSyscallNumber)))
        try created.add(raw)
        let rawLink = try Link.attachRawTracepoint(program: raw, name: "sys_enter")
        try created.add(rawLink)
        callGetpid(2)
        #expect(try counter.lookup(key: UInt32(0), as: UInt64.self) ?? 0 >= 2)

        // A ring buffer reader: two mappings, an epoll set and a wake-up pipe.
        let ring = try makeMap("leak_ring", .ringBuf, key: 0, value: 0, max: UInt32(Syscalls.pageSize))
        created.add(ring)
        let reader = try RingBuffer(map: ring)
        #expect(try reader.poll(timeoutMilliseconds: 0) { _ in } == 0)
        reader.close()

        // A pin, reopened and removed; introspection opens every object by id and lets go.
        let dir = try PinDirectory("leak")
        try raw.pin(dir.path + "/raw")
        let reopened = try Program.open(pinned: dir.path + "/raw")
        #expect(reopened.id == raw.id)
        try Program.unpin(dir.path + "/raw")
        dir.remove()
        #expect(try Program.allDetails().contains { $0.id == raw.id })
        #expect(try Map.allDetails().contains { $0.id == counter.id })
        #expect(try Link.allDetails().contains { $0.id == (try? rawLink.details().id) })
        #expect(try program.xlatedInstructions().count > 0)

        rawLink.close()
        link.close()
        return created
    }

    @Test func loadAttachCloseCycleReturnsToTheSameCensus() throws {
        // A first cycle warms the process-wide caches (kernel BTF, possible CPUs, feature probes)
        // that legitimately stay.
        let warm = try cycle()
        let before = try KernelObjectCensus.waitFor { $0.remaining(warm).isEmpty }
        let created = try cycle()
        #expect(created.programs.count >= 2 && created.maps.count >= 3 && created.links.count >= 2, "\(created)")

        let after = try KernelObjectCensus.waitFor { census in
            census.remaining(created).isEmpty && census.descriptorChanges(since: before) == ([:], [:])
        }
        #expect(after.remaining(created).isEmpty, "still in the kernel: \(after.remaining(created))")
        let changes = after.descriptorChanges(since: before)
        #expect(changes.opened.isEmpty, "descriptors left open: \(changes.opened)")
        #expect(changes.closed.isEmpty, "descriptors closed that the cycle did not open: \(changes.closed)")
    }

    @Test func censusSeesWhatIsOpenAndNotWhatIsClosed() throws {
        let before = try KernelObjectCensus.take()
        let map = try makeMap("leak_probe", .hash, key: 4, value: 4, max: 1)
        let during = try KernelObjectCensus.take()
        #expect(during.maps.contains(map.id))
        let opened = during.descriptorChanges(since: before).opened
        #expect(opened[map.fd] == "anon_inode:bpf-map", "\(opened)")
        var created = CreatedObjects()
        created.add(map)
        #expect(during.remaining(created) == created)
        _ = consume map
        let after = try KernelObjectCensus.waitFor { $0.remaining(created).isEmpty }
        #expect(after.remaining(created).isEmpty)
        #expect(after.descriptorChanges(since: before).opened.isEmpty)
    }
}
