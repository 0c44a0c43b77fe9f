import BPF
import Testing

/// Maps of maps filled at run time: inner maps created by the test, stored in an ARRAY_OF_MAPS
/// and a HASH_OF_MAPS, read through by a raw_tp program run with BPF_PROG_TEST_RUN, replaced.
@Suite(.serialized, .enabled(if: isRoot, "loading BPF programs needs root"))
struct MapInMapTests {
    static let missing = UInt32.max

    @Test func readThroughInnerMapsAndReplaceThem() throws {
        let object = try BPFObject(ObjectSpec(bytes: EmbeddedObjects.mimLookup.bytes, name: "mim_lookup"))
        let read = try object.program("mim_read")
        func lookup(outer: UInt64, inner: UInt64, hash: Bool = false) throws -> UInt32 {
            try read.testRunRawTracepoint(arguments: [outer, inner, hash ? 1 : 0])
        }
        let array = try object.map("mim_array"), hash = try object.map("mim_hash")
        #expect(try lookup(outer: 0, inner: 0) == Self.missing)

        let first = try object.makeInnerMap(for: "mim_array", name: "mim_first")
        #expect(first.type == .array && first.keySize == 4 && first.valueSize == 8 && first.maxEntries == 8)
        try first.update(key: UInt32(3), value: UInt64(111))
        try array.update(key: UInt32(2), innerMap: first)
        #expect(try lookup(outer: 2, inner: 3) == 111)
        #expect(try lookup(outer: 2, inner: 4) == 0)         // array elements exist, zeroed
        #expect(try lookup(outer: 2, inner: 9) == Self.missing)
        #expect(try lookup(outer: 1, inner: 3) == Self.missing)

        // Writes through the user's Map are seen by the program at once.
        try first.update(key: UInt32(3), value: UInt64(112))
        #expect(try lookup(outer: 2, inner: 3) == 112)

        // Replacing the slot switches the program to the new inner map; the old one is untouched.
        let second = try object.makeInnerMap(for: "mim_array", name: "mim_second")
        try second.update(key: UInt32(3), value: UInt64(222))
        try array.update(key: UInt32(2), innerMap: second)
        #expect(try lookup(outer: 2, inner: 3) == 222)
        #expect(try first.lookup(key: UInt32(3), as: UInt64.self) == 112)
        #expect(try array.innerMap(key: UInt32(2))?.id == second.id)

        // The outer map holds its own reference: the inner map lives on without our Map.
        do {
            let third = try object.makeInnerMap(for: "mim_hash", name: "mim_third")
            try third.update(key: UInt32(0), value: UInt64(333))
            try hash.update(key: UInt32(0xdead), innerMap: third)
        }
        #expect(try lookup(outer: 0xdead, inner: 0, hash: true) == 333)
        let reopened = try #require(try hash.innerMap(key: UInt32(0xdead)))
        #expect(try reopened.lookup(key: UInt32(0), as: UInt64.self) == 333)

        #expect(try array.removeInnerMap(key: UInt32(2)))
        #expect(try !array.removeInnerMap(key: UInt32(2)))
        #expect(try lookup(outer: 2, inner: 3) == Self.missing)
        #expect(try hash.removeInnerMap(key: UInt32(0xdead)))
        #expect(try lookup(outer: 0xdead, inner: 0, hash: true) == Self.missing)
    }

    @Test func incompatibleInnerMapsAreRefused() throws {
        let object = try BPFObject(ObjectSpec(bytes: EmbeddedObjects.mimLookup.bytes, name: "mim_lookup"))
        // A hash where the template is an array: the kernel refuses it (EINVAL).
        let wrong = try Map.create(MapCreateAttributes(name: "mim_wrong", type: .hash, keySize: 4, valueSize: 8, maxEntries: 8))
        #expect { try object.map("mim_array").update(key: UInt32(0), innerMap: wrong) } throws: { isErrno($0, .EINVAL) }
        #expect { try object.makeInnerMap(for: "no_such_map") } throws: { error in
            if case .missing = error as? BPFError { return true }
            return false
        }
        #expect { try wrong.removeInnerMap(key: UInt32(0)) } throws: { error in
            if case .invalidArgument = error as? BPFError { return true }
            return false
        }
    }
}
