// runqlat's BPF side in Swift: the twin of runqlat.bpf.c, with the same programs, maps,
// load-time constants and globals, so the C object's generated bindings, RunqlatObject, load
// this object too. The tool uses it when built with SWIFTBPF_BPF_LANGUAGE=swift or when asked
// (RunQLat(filter:options:language:), see RunQLatSwiftTwin.swift).
// The tasks come from tp_btf arguments; their fields are read with CO-RE (KernelTask), so the
// filters test the task that waits, not the waker that happens to be current.

/// `struct runqlat_hist`: one histogram and, per process or thread, its command name (528 bytes).
public struct runqlat_hist: BitwiseCopyable {
    var slots: InlineArray<64, UInt64>
    var comm: InlineArray<16, CChar>
}

/// `struct tool_task` of swiftbpf_tool.h, the record of `tool_events` (unused by runqlat).
struct tool_task {
    var timestamp_ns: UInt64
    var cgroup_id: UInt64
    var pid: UInt32
    var tgid: UInt32
    var ppid: UInt32
    var uid: UInt32
    var comm: InlineArray<16, CChar>
}

// swiftbpf_tool.h's common filters and maps.
let tool_targ_tgid = LoadTimeConstant<UInt32>(0)
let tool_targ_uid = LoadTimeConstant<UInt32>(0xffffffff)
let tool_targ_comm_len = LoadTimeConstant<UInt32>(0)
let tool_targ_comm = LoadTimeString(bytes: 16)
let tool_targ_cgroup = LoadTimeConstant<UInt8>(0)
let tool_cgroup = CgroupArray(maxEntries: 1)
let tool_dropped = PerCPUArray<UInt64>(maxEntries: 1)
let tool_events = RingBuffer<tool_task>(bytes: 512 * 1024)

// runqlat's own settings.
let per_process = LoadTimeConstant<UInt8>(0)      // key = tgid
let per_thread = LoadTimeConstant<UInt8>(0)       // key = thread id
let per_cgroup = LoadTimeConstant<UInt8>(0)       // key = cgroup v2 id of the task
let unit_msecs = LoadTimeConstant<UInt8>(0)       // histogram unit: 1 ms, else 1 us
let linear_step = LoadTimeConstant<UInt64>(0)     // 0: log2 histogram; else linear slots of this width
let targ_cgroup_id = LoadTimeConstant<UInt64>(0)  // with tool_targ_cgroup: the cgroup's id...
let targ_cgroup_level = LoadTimeConstant<Int32>(0) // ...and its depth below the root

let start = LRUHash<UInt32, UInt64>(maxEntries: 10240)         // thread id -> enqueue time; LRU: entries whose end never comes age out
let hists = HashMap<UInt64, runqlat_hist>(maxEntries: 10240)   // 0, tgid, thread id or cgroup id -> histogram
let license = License("GPL")

/// A zero histogram in `.bss`: the value a new key starts from (528 bytes do not fit the stack).
public var zero_hist = runqlat_hist(slots: InlineArray(repeating: 0), comm: InlineArray(repeating: 0))

enum Slots {
    static let count: UInt32 = 64  // TOOL_MAX_SLOTS
    static let commOffset = 512    // offset of runqlat_hist.comm
}

@_cdecl("runqlat_wakeup") @section("tp_btf/sched_wakeup")
public func runqlatWakeup(_ context: UnsafeMutableRawPointer) -> Int32 {
    enqueue(RawTracepointContext(context).task(0))
    return 0
}

@_cdecl("runqlat_wakeup_new") @section("tp_btf/sched_wakeup_new")
public func runqlatWakeupNew(_ context: UnsafeMutableRawPointer) -> Int32 {
    enqueue(RawTracepointContext(context).task(0))
    return 0
}

// sched_switch(bool preempt, struct task_struct *prev, struct task_struct *next, unsigned int prev_state)
@_cdecl("runqlat_switch") @section("tp_btf/sched_switch")
public func runqlatSwitch(_ context: UnsafeMutableRawPointer) -> Int32 {
    let arguments = RawTracepointContext(context)
    let next = arguments.task(2)
    // A preempted task (still TASK_RUNNING) goes straight back on the run queue.
    if UInt32(truncatingIfNeeded: arguments.argument(3)) == 0 { enqueue(arguments.task(1)) }

    let pid = next.threadID
    guard let enqueued = start.lookup(pid) else { return 0 }
    let delta = bpf_ktime_get_ns() &- enqueued.pointee
    start.delete(pid)

    var key: UInt64 = 0
    if per_thread != 0 {
        key = UInt64(pid)
    } else if per_process != 0 {
        key = UInt64(next.processID)
    } else if per_cgroup != 0 {
        key = next.cgroupID
    }
    let hist: UnsafeMutablePointer<runqlat_hist>
    if let existing = hists.lookup(key) {
        hist = existing
    } else {
        hists.update(key, from: &zero_hist, flags: UpdateFlags.noExist)
        guard let created = hists.lookup(key) else {
            tool_dropped.increment(0)  // the table is full
            return 0
        }
        if per_process != 0 || per_thread != 0 { next.command(into: UnsafeMutableRawPointer(created) + Slots.commOffset) }
        hist = created
    }
    let slot = histogramSlot(unit_msecs != 0 ? delta / 1_000_000 : delta / 1000)
    atomicAdd(UnsafeMutableRawPointer(hist).assumingMemoryBound(to: UInt64.self) + Int(slot), 1)
    return 0
}

/// The slot of `value`: linear slots of `linear_step`, else log2 ones; the last slot takes the rest.
@inline(__always)
func histogramSlot(_ value: UInt64) -> UInt32 {
    let step = linear_step
    let slot = step != 0 ? value / step : UInt64(log2Slot(value))
    return slot >= UInt64(Slots.count) ? Slots.count &- 1 : UInt32(truncatingIfNeeded: slot)
}

/// Records when `task` went on the run queue, if it passes the filters.
@inline(__always)
func enqueue(_ task: KernelTask) {
    let pid = task.threadID
    if pid == 0 || !passes(task) { return }
    start.update(pid, bpf_ktime_get_ns())
}

/// The tool's filters, applied to `task` (not to the current task).
@inline(__always)
func passes(_ task: KernelTask) -> Bool {
    if tool_targ_tgid != 0 && task.processID != tool_targ_tgid { return false }
    if tool_targ_uid != 0xffffffff && task.userID != tool_targ_uid { return false }
    if tool_targ_comm_len != 0 && !commandMatches(task) { return false }
    // The task is under the filter's directory when its cgroup's ancestor at the directory's
    // depth is the directory.
    if tool_targ_cgroup != 0 && task.cgroupAncestorID(level: targ_cgroup_level) != targ_cgroup_id { return false }
    return true
}

/// Whether `task`'s comm is exactly `tool_targ_comm`.
@inline(__always)
func commandMatches(_ task: KernelTask) -> Bool {
    var comm: (UInt64, UInt64) = (0, 0)
    task.command(into: &comm)
    return withUnsafeBytes(of: &comm) { bytes in
        var i = 0
        while i < 16 {
            if UInt32(i) >= tool_targ_comm_len { return bytes[i] == 0 }
            if CChar(bitPattern: bytes[i]) != tool_targ_comm[i] { return false }
            i &+= 1
        }
        return true
    }
}
