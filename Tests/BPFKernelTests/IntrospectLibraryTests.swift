import BPF
import Foundation
import Testing

/// The library side of introspection: enumeration by id, details, object kinds.
@Suite(.serialized, .enabled(if: isRoot, "needs root: creates maps and loads programs"))
struct IntrospectLibraryTests {
    @Test func enumerationSeesLiveObjectsAndForgetsFreedOnes() throws {
        var map: Map? = try makeMap("isp_enum", .hash, key: 4, value: 8, max: 4)
        let id = map!.id
        #expect(try Map.allIDs().contains(id))
        #expect(try Map.all().contains { $0.id == id })
        let details = try #require(try Map.allDetails().first { $0.id == id })
        #expect(details.name == "isp_enum" && details.type == .hash && details.info.keySize == 4 && details.info.valueSize == 8)
        #expect((details.memlock ?? 0) > 0)
        #expect(!details.isFrozen)
        try map!.freeze()
        #expect(try map!.details().isFrozen)
        map = nil
        // Map ids are freed when the last reference goes (at once for a map only a descriptor held).
        let gone = try KernelObjectCensus.waitFor { !$0.maps.contains(id) }
        #expect(!gone.maps.contains(id))
        #expect(try !Map.allIDs().contains(id))
    }

    @Test func programDetailsAndXlatedInstructions() throws {
        let object = try BPFObject(ObjectSpec(bytes: EmbeddedObjects.minimal.bytes, name: "minimal"))
        let program = try object.program("count_getpid")
        let d = try program.details()
        #expect(d.id == program.id && d.type == .tracepoint && d.fullName == "count_getpid")
        #expect(d.isJited && d.info.jitedLength > 0)
        #expect(d.info.mapIDs.contains(try object.map("counts").id))
        // loaded_at is wall-clock time within the last minute.
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        #expect(abs(now - d.loadedAtNanoseconds) < 60_000_000_000)
        let insns = try program.xlatedInstructions()
        #expect(insns.count == d.xlatedInstructionCount)
        #expect(insns.last?.opcode == Opcode.exit)
        #expect(try Program.allIDs().contains(program.id))
        #expect(try Program.allDetails().contains { $0.id == program.id && $0.info.tag == d.info.tag })
    }

    @Test func objectKindOfDescriptors() throws {
        let map = try makeMap("isp_kind", .array, key: 4, value: 4, max: 1)
        #expect(BPFObjectKind.of(fd: map.fd) == .map)
        let object = try BPFObject(ObjectSpec(bytes: EmbeddedObjects.minimal.bytes, name: "minimal"))
        #expect(BPFObjectKind.of(fd: try object.program("count_getpid").fd) == .program)
        let link = try object.attach("count_getpid")
        defer { link.close() }
        #expect(BPFObjectKind.of(fd: link.fd) == .link)
        #expect(BPFObjectKind.of(fd: 1) == nil)
    }
}
