// CO-RE reads of a task handed to a program rather than the current one (KernelTask), on
// tp_btf/sched_switch: when thread `targetThread` is switched in, what the program reads of
// `next` (argument 2) is stored in `seen[0]`; `runs` counts those switches.

struct SeenTask {
    var threadID: UInt32
    var processID: UInt32
    var userID: UInt32
    var commandBytes: Int32         // what the comm read returned
    var cgroupID: UInt64
    var ancestorID: UInt64          // ancestor at depth `ancestorLevel`
    var rootID: UInt64              // ancestor at depth 0
    var belowID: UInt64             // ancestor one deeper than `ancestorLevel`: none, 0
    var command: InlineArray<16, CChar>
}

let seen = ArrayMap<SeenTask>(maxEntries: 1)
let targetThread = LoadTimeConstant<UInt32>(0)
let ancestorLevel = LoadTimeConstant<Int32>(0)
let license = License("GPL")

public var runs: UInt64 = 0

@_cdecl("record_next_task") @section("tp_btf/sched_switch")
public func recordNextTask(_ context: UnsafeMutableRawPointer) -> Int32 {
    let next = RawTracepointContext(context).task(2)
    guard next.threadID == targetThread, let entry = seen.lookup(0) else { return 0 }
    atomicAdd(&runs, 1)
    entry.pointee.threadID = next.threadID
    entry.pointee.processID = next.processID
    entry.pointee.userID = next.userID
    entry.pointee.cgroupID = next.cgroupID
    entry.pointee.ancestorID = next.cgroupAncestorID(level: ancestorLevel)
    entry.pointee.rootID = next.cgroupAncestorID(level: 0)
    entry.pointee.belowID = next.cgroupAncestorID(level: ancestorLevel &+ 1)
    entry.pointee.commandBytes = Int32(truncatingIfNeeded: next.command(into: &entry.pointee.command))
    return 0
}
