import BPF
import Foundation
import Testing

/// The generated bindings of bpf/bind_typed.bpf.c (`BindTypedObject`) against the kernel: a
/// program written for the typed API loads with a typed configuration, attaches, and the typed
/// record, map value and globals it writes read back equal to what Swift expects.
@Suite(.serialized, .enabled(if: isRoot, "loading BPF programs needs root"))
struct TypedBindingsTests {
    typealias O = BindTypedObject

    /// The object configured for the calling thread (tests run concurrently; only this thread's
    /// getpid calls count).
    static func load(port: UInt16 = 8080) throws -> (O, tid: UInt32) {
        let tid = UInt32(truncatingIfNeeded: currentPidTgid())
        var config = O.Config()
        config.targTid = tid
        config.targPort = port
        return (try O.load(config: config), tid)
    }

    @Test func typedRecordMapValueAndNeighbouringGlobals() throws {
        let (o, tid) = try Self.load()
        let reader = try o.records.reader()
        let fromSwift: UInt64 = 0x5157_4946_5400_0001
        o.swiftValue.value = fromSwift
        let link = try o.onGetpid.attach()
        callGetpid(3)
        // The program's counter and Swift's neighbouring variable both keep their values.
        #expect(o.hitsCounter.value == 3)
        #expect(o.swiftValue.value == fromSwift)
        // Swift writes again while the program keeps counting: neither undoes the other.
        o.swiftValue.value = 2
        callGetpid(2)
        link.close()
        callGetpid(1)  // detached: not counted
        #expect(o.hitsCounter.value == 5)
        #expect(o.swiftValue.value == 2)
        #expect(o.dataMarker.value == 7)

        var records: [O.BindRecord] = []
        reader.consume { records.append($0) }
        #expect(records.count == 10)
        let comm = try String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let full = records.filter { $0.kind == .bindKindFull }
        var expected: [O.BindRecord] = []
        for seq in 1...5 {
            var r = O.BindRecord(seq: UInt64(seq), tid: tid, kind: .bindKindFull, fromSwift: seq <= 3 ? fromSwift : 2,
                                 tailMarker: 0xfeed_face)
            r.commString = comm
            expected.append(r)
        }
        #expect(full == expected)
        // Records cut before `comm` are zero-extended.
        let short = records.filter { $0.kind == .bindKindShort }
        #expect(short == expected.map { O.BindRecord(seq: $0.seq, tid: tid, kind: .bindKindShort, fromSwift: $0.fromSwift) })

        // The typed map value, under a key with tail padding built in Swift.
        var value = O.BindValue(hits: 5, lastRet: -5, kind: 1, flags: 5, level: 17)
        value.tagString = "typed"
        #expect(try o.values.lookup(key: O.BindKey(tid: tid, port: 8080)) == value)
        #expect(try o.values.lookup(key: O.BindKey(tid: tid, port: 8081)) == nil)
        // Swift's typed writes read back the same way, and iterate.
        value.level = 3
        try o.values.update(key: O.BindKey(tid: 1, port: 2), value: value)
        #expect(try o.values.lookup(key: O.BindKey(tid: 1, port: 2)) == value)
        #expect(Set(try o.values.keys()) == [O.BindKey(tid: tid, port: 8080), O.BindKey(tid: 1, port: 2)])
        #expect(try o.values.delete(key: O.BindKey(tid: 1, port: 2)))
        #expect(try o.values.entries().map(\.key) == [O.BindKey(tid: tid, port: 8080)])
    }

    @Test func attachAllUsesTheSectionNames() throws {
        let (o, _) = try Self.load()
        let links = try o.attachAll()
        #expect(links.count == 1)
        callGetpid(2)
        #expect(o.hitsCounter.value == 2)
    }

    @Test func typedMapsCheckTheShapeOnceAndNameTheMap() throws {
        let (o, _) = try Self.load()
        func message(_ body: () throws -> Void) -> String {
            do { try body(); return "" } catch { return "\(error)" }
        }
        let wrongKey = message { _ = try HashMap<UInt32, O.BindValue>(o.values.map) }
        #expect(wrongKey.contains("map 'values'") && wrongKey.contains("4-byte keys (UInt32)") && wrongKey.contains("8-byte keys"))
        let wrongKind = message { _ = try ArrayMap<O.BindValue>(o.values.map) }
        #expect(wrongKind.contains("expected a array map") && wrongKind.contains("it is a hash map"))
        let wrongProgram = message { _ = try XDPProgram(o.object, name: "on_getpid") }
        #expect(wrongProgram.contains("TracepointProgram, not a XDPProgram"))
    }
}
