import BPF
import Foundation
import Testing

/// The loader against the real kernel: load, attach, trigger, read back.
@Suite(.serialized, .enabled(if: isRoot, "loading BPF programs needs root"))
struct LoaderTests {
    @Test func globalsSubprogramsAndMapInMap() throws {
        var options = LoadOptions()
        options.set("filter_pid", to: UInt32(getpid()))
        let object = try BPFObject(ObjectSpec(bytes: EmbeddedObjects.diffGlobals.bytes, name: "diff_globals"), options: options)
        let calls = 5
        do {
            let link = try object.attach("diff_getpid")
            withExtendedLifetime(link) { for _ in 0..<calls { _ = getpid() } }
        }

        // .bss and .data read back through the internal maps.
        #expect(try object.global("hits", as: UInt64.self) == UInt64(calls))
        // total starts at 7 and grows by custom_value (11, in .data.custom) per call.
        #expect(try object.global("total", as: UInt64.self) == 7 + 11 * UInt64(calls))
        #expect(try object.global("custom_value", as: UInt32.self) == 11)
        #expect(try object.global("scale", as: UInt64.self) == 3)

        // counters[pid]: 1 on the first call, then chain(v) = (v + 1) * scale + static_hits.
        var expected: UInt64 = 1
        for n in 1..<calls { expected = (expected + 1) * 3 + UInt64(n) }
        let counter = try object.map("counters").lookup(key: UInt32(getpid()), as: UInt64.self)
        #expect(counter == expected, "counters[pid] = \(String(describing: counter))")
        let innerA = try object.map("inner_a").lookup(key: UInt32(0), as: UInt64.self)
        #expect(innerA == UInt64(calls), "inner_a[0] = \(String(describing: innerA))")

        // outer[0] was set to inner_a at load (map-in-map initial slot); the program counted in it.
        #expect(try object.map("inner_b").lookup(key: UInt32(0), as: UInt64.self) == 0)
        let innerID = try object.map("outer").lookup(key: UInt32(0), as: UInt32.self)
        #expect(innerID == object.maps["inner_a"]!.id)

        // .rodata is frozen: writes from user space fail.
        #expect(throws: BPFError.self) { try object.setGlobal("scale", to: UInt64(5)) }
        let rodata = object.spec.maps.first { $0.internalKind == .rodata }!
        #expect(throws: BPFError.self) { try object.map(rodata.name).update(key: [0, 0, 0, 0], value: [UInt8](repeating: 0, count: Int(rodata.valueSize))) }

        // .data can be written after load and the program sees it.
        try object.setGlobal("custom_value", to: UInt32(100))
        let again = try object.attach("diff_getpid")
        withExtendedLifetime(again) { _ = getpid() }
        #expect(try object.global("total", as: UInt64.self) == 7 + 11 * UInt64(calls) + 100)
    }

    @Test func progArrayInitialSlotsTailCall() throws {
        let object = try BPFObject(ObjectSpec(bytes: EmbeddedObjects.diffGlobals.bytes, name: "diff_globals"))
        // jumps_init[1] = xdp_two was filled after the programs loaded.
        let slot = try object.map("jumps_init").lookup(key: UInt32(1), as: UInt32.self)
        #expect(slot == object.programs["xdp_two"]!.id)
        // xdp_one tail-calls jumps[1]; empty, so it returns XDP_PASS (2); filled with xdp_two, XDP_DROP (1).
        let packet = [UInt8](repeating: 0xab, count: 64)
        #expect(try object.program("xdp_one").testRun(data: packet).returnValue == 2)
        try object.map("jumps").update(key: UInt32(1), value: UInt32(bitPattern: object.programs["xdp_two"]!.fd))
        #expect(try object.program("xdp_one").testRun(data: packet).returnValue == 1)
    }

    @Test func coreAgainstRunningKernel() throws {
        let object = try BPFObject(ObjectSpec(bytes: EmbeddedObjects.diffCore.bytes, name: "diff_core"))
        let link = try object.attach("core_kinds")
        withExtendedLifetime(link) { _ = getpid() }
        let out = try object.map("out")
        func value(_ k: UInt32) throws -> UInt64 { try out.lookup(key: k, as: UInt64.self) ?? .max }

        let kernel = try BTF.kernel()
        let task = try kernel.type(kernel.typeID(named: "task_struct", kind: .struct)!)
        // The program runs for every getpid on the machine; only check fields that hold for any task
        // where the values cannot depend on which process fired last.
        #expect(try value(2) == 16)  // sizeof(comm)
        #expect(try value(3) == 1)  // flags exists
        #expect(try value(5) == 0)  // struct swiftbpf_no_such_type does not exist
        #expect(try value(6) == UInt64(task.size!))  // sizeof(struct task_struct) in this kernel
        #expect(try value(7) == 1)  // PIDTYPE_TGID exists
        let pidType = try kernel.type(kernel.typeID(named: "pid_type", kind: .enum)!)
        #expect(try value(8) == UInt64(pidType.enumerators.first { $0.name == "PIDTYPE_MAX" }!.value))
        #expect(try value(9) == 0)  // enum bogus has no NOT_IN_KERNEL
        #expect(try value(10) == UInt64(task.id))  // bpf_core_type_id_kernel
        #expect(try value(11) == 0)  // task_struct___fake.does_not_exist
        #expect(object.coreRelocations["core_kinds"]!.contains { $0.poisoned })
    }

    @Test func coreFieldOffsetsReadRealValues() throws {
        // Filter on our own pid through the tgid the program read with CO-RE.
        let object = try BPFObject(ObjectSpec(bytes: EmbeddedObjects.diffCore.bytes, name: "diff_core"))
        let link = try object.attach("core_kinds")
        defer { withExtendedLifetime(link) {} }
        let out = try object.map("out")
        var seen = false
        for _ in 0..<200 where !seen {
            _ = getpid()
            let tgid = try out.lookup(key: UInt32(0), as: UInt64.self)
            let ppid = try out.lookup(key: UInt32(1), as: UInt64.self)
            if tgid == UInt64(getpid()) {
                #expect(ppid == UInt64(getppid()))
                seen = true
            }
        }
        #expect(seen, "the CO-RE read of task->tgid never matched this process")
    }

    @Test func unresolvedCORERelocationIsExplained() throws {
        var options = LoadOptions()
        options.set("use_fake", to: Int32(1))
        do {
            _ = try BPFObject(ObjectSpec(bytes: EmbeddedObjects.diffCore.bytes, name: "diff_core"), options: options)
            Issue.record("a reachable poisoned CO-RE relocation must be rejected")
        } catch {
            guard case let .verifier(program, _, log, hint) = error else {
                Issue.record("expected a verifier error, got \(error)")
                return
            }
            #expect(program == "core_kinds")
            #expect(!log.isEmpty)
            #expect((hint ?? "").contains("does_not_exist"), "hint: \(hint ?? "nil")")
        }
    }

    @Test func noDescriptorLeaks() throws {
        let spec = try ObjectSpec(bytes: EmbeddedObjects.diffGlobals.bytes, name: "diff_globals")
        let before = openFDCount()
        for _ in 0..<20 {
            let object = try BPFObject(spec)
            let link = try object.attach("diff_getppid")
            _ = getppid()
            withExtendedLifetime(link) {}
        }
        // A failing load must release what it created too.
        var bad = LoadOptions()
        bad.programs = ["no_such_program"]
        for _ in 0..<5 { _ = try? BPFObject(spec, options: bad) }
        // Not more than before: a previous suite's pipes may close meanwhile, never ours leak.
        #expect(openFDCount() <= before)
    }
}
