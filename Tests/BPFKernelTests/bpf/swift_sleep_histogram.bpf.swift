// A log2 histogram in Swift (twin: c_sleep_histogram.bpf.c): the sleep times, in
// microseconds, that thread `targetThread` asks clock_nanosleep(2) for, counted per CPU in
// `slots` (slot i holds [2^(i-1), 2^i - 1] us, as the tools' histograms).

struct Timespec {
    var seconds: Int64
    var nanoseconds: Int64
}

let slots = PerCPUArray<UInt64>(maxEntries: 64)
let targetThread = LoadTimeConstant<UInt32>(0)
let license = License("GPL")

@_cdecl("sleep_histogram") @section("tracepoint/syscalls/sys_enter_clock_nanosleep")
public func sleepHistogram(_ context: UnsafeMutableRawPointer) -> Int32 {
    guard CurrentTask.threadID == targetThread else { return 0 }
    // clock_nanosleep(which, flags, request, remain): the request is argument 2.
    let request = UnsafeRawPointer(bitPattern: UInt(TracepointContext(context).syscallArgument(2)))
    var time = Timespec(seconds: 0, nanoseconds: 0)
    guard bpf_probe_read_user(&time, UInt32(MemoryLayout<Timespec>.size), request) == 0 else { return 0 }
    let micros = UInt64(bitPattern: time.seconds) &* 1_000_000 &+ UInt64(bitPattern: time.nanoseconds) / 1000
    slots.increment(min(log2Slot(micros), 63))
    return 0
}
