import BPF
import Testing

/// Tail calls through a prog array filled from user space, driven by BPF_PROG_TEST_RUN.
@Suite(.serialized, .enabled(if: isRoot, "loading BPF programs needs root"))
struct TailCallTests {
    /// A 64-byte frame whose byte 0 picks the jump-table slot.
    func packet(slot: UInt8) -> [UInt8] { [slot, UInt8(ascii: "x")] + [UInt8](repeating: 0xee, count: 62) }

    func load() throws -> BPFObject {
        try BPFObject(ObjectSpec(bytes: EmbeddedObjects.tailcallDispatch.bytes, name: "tailcall_dispatch"))
    }

    @Test func dispatchThroughSlotsFilledAtRunTime() throws {
        let object = try load()
        let dispatch = try object.program("tc_dispatch")
        let table = try object.map("jump_table")
        // Empty table: the tail call falls through, XDP_PASS, packet untouched.
        var r = try dispatch.testRun(data: packet(slot: 0))
        #expect(r.returnValue == 2)
        #expect(Array(r.dataOut.prefix(2)) == [0, UInt8(ascii: "x")])

        try table.setProgram(object.program("tc_target_tx"), at: 0)
        try table.setProgram(object.program("tc_target_drop"), at: 1)
        try table.setProgram(object.program("tc_target_chain"), at: 2)
        #expect(try table.programID(at: 1) == object.program("tc_target_drop").id)
        #expect(try table.programID(at: 3) == nil)

        r = try dispatch.testRun(data: packet(slot: 0))
        #expect(r.returnValue == 3)  // XDP_TX
        #expect(r.dataOut.count == 64)
        #expect(Array(r.dataOut.prefix(2)) == [0, UInt8(ascii: "A")])
        r = try dispatch.testRun(data: packet(slot: 1))
        #expect(r.returnValue == 1)  // XDP_DROP
        #expect(r.dataOut[1] == UInt8(ascii: "B"))
        // Slot 2 stamps 'C' and tail-calls slot 0, whose stamp and verdict win: two tail calls.
        r = try dispatch.testRun(data: packet(slot: 2))
        #expect(r.returnValue == 3)
        #expect(r.dataOut[1] == UInt8(ascii: "A"))
        // Out of range and empty slots fall through.
        #expect(try dispatch.testRun(data: packet(slot: 3)).returnValue == 2)
        #expect(try dispatch.testRun(data: packet(slot: 200)).returnValue == 2)

        // Replacing and emptying slots changes the dispatch at once.
        try table.setProgram(object.program("tc_target_drop"), at: 0)
        #expect(try dispatch.testRun(data: packet(slot: 0)).returnValue == 1)
        #expect(try table.removeProgram(at: 0))
        #expect(try !table.removeProgram(at: 0))
        #expect(try dispatch.testRun(data: packet(slot: 0)).returnValue == 2)

        #expect(throws: BPFError.self) { try table.setProgram(object.program("tc_target_tx"), at: 4) }
        #expect(throws: BPFError.self) { try object.map("jump_table").innerMapID(key: UInt32(0)) }
    }

    @Test func programsKeepTheirProgArrayOpenAfterTheObjectIsGone() throws {
        // The kernel empties a prog array when its last user descriptor closes. A program loaded
        // from an object keeps the prog arrays it uses open, so it tail-calls after the object
        // (and its map table) is released.
        var dispatch: Program?
        var tableID: UInt32 = 0
        do {
            let object = try load()
            try object.map("jump_table").setProgram(object.program("tc_target_drop"), at: 1)
            dispatch = try object.program("tc_dispatch")
            tableID = try object.map("jump_table").id
            #expect(dispatch!.retainedMaps.map(\.id) == [tableID])
            #expect(try object.program("tc_target_drop").retainedMaps.isEmpty)
        }
        let program = try #require(dispatch)
        // The kernel would clear an orphaned array from a work queue within milliseconds
        // (see the test below); give it time to, then check the entry is still there.
        usleepMilliseconds(200)
        #expect(try program.testRun(data: packet(slot: 1)).returnValue == 1)
        #expect(try program.retainedMaps.first?.programID(at: 1) != nil)

        // Another descriptor opened by id and closed again leaves the entries: the program's
        // retained descriptor still counts as a user reference.
        do {
            let reopened = try Map.open(id: tableID)
            #expect(try reopened.programID(at: 1) != nil)
        }
        usleepMilliseconds(200)
        #expect(try program.testRun(data: packet(slot: 1)).returnValue == 1)
    }

    @Test func kernelEmptiesAProgArrayWhenItsLastDescriptorCloses() throws {
        // The trap the retention above avoids, shown with a prog array nobody retains: a
        // hand-assembled XDP program tail-calls slot 0 of a map made with Map.create. While the
        // Map lives the tail call runs; once it is released the kernel empties the array, even
        // though the loaded program still references the map.
        let target = try TestPrograms.load("rt_tc_target", .xdp, Instruction.returning(1))
        var table: Map? = try Map.create(MapCreateAttributes(name: "rt_tc_table", type: .progArray, keySize: 4, valueSize: 4, maxEntries: 1))
        let caller = try TestPrograms.load("rt_tc_caller", .xdp,
            Instruction.loadMapFD(.r2, fd: table!.fd) + [Instruction.mov64(.r3, imm: 0), Instruction.call(helper: .tailCall)]
            + Instruction.returning(2))
        try table!.setProgram(target, at: 0)
        #expect(try caller.testRun(data: packet(slot: 0)).returnValue == 1)
        let id = table!.id
        table = nil
        // The kernel clears the array from a work queue (prog_array_map_clear_deferred): poll.
        var result = try caller.testRun(data: packet(slot: 0)).returnValue
        for _ in 0..<100 where result != 2 {
            usleepMilliseconds(10)
            result = try caller.testRun(data: packet(slot: 0)).returnValue
        }
        #expect(result == 2)
        #expect(try caller.info().mapIDs.contains(id))
    }
}
