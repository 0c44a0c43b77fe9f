// execsnoop's BPF side in Swift: the twin of execsnoop.bpf.c, with the same programs, maps,
// load-time constants and record layout (struct names included), so the C object's generated
// bindings, ExecsnoopObject, load this object too. The tool uses it when built with
// SWIFTBPF_BPF_LANGUAGE=swift or when asked (see ExecSnoopSwiftTwin.swift).
// GPL because it calls GPL-only helpers (bpf_probe_read_user_str, bpf_get_current_task).

/// `struct tool_task` of swiftbpf_tool.h: at the start of every event (48 bytes).
struct tool_task {
    var timestamp_ns: UInt64
    var cgroup_id: UInt64
    var pid: UInt32
    var tgid: UInt32
    var ppid: UInt32
    var uid: UInt32
    var comm: InlineArray<16, CChar>
}

/// `struct exec_event` of execsnoop.h: the task, the result, then the arguments, NUL-separated.
struct exec_event {
    var task: tool_task
    var retval: Int32
    var args_count: UInt32
    var args_size: UInt32
    var truncated: UInt32
    var args: InlineArray<9216, CChar>  // ARGS_DATA_SIZE + ARG_MAX_LEN
}

/// `struct tool_count_key` of swiftbpf_counts.h: what counting mode counts under.
struct tool_count_key {
    var cgroup_id: UInt64
    var comm: InlineArray<16, CChar>
    var outcome: UInt32
    var pad: UInt32
}

/// `struct tool_rate_window` of swiftbpf_counts.h: a CPU's second of the event rate limit.
struct tool_rate_window {
    var second: UInt64
    var sent: UInt64
    var held: UInt64
}

// swiftbpf_tool.h's common filters and maps.
let tool_targ_tgid = LoadTimeConstant<UInt32>(0)
let tool_targ_uid = LoadTimeConstant<UInt32>(0xffffffff)
let tool_targ_comm_len = LoadTimeConstant<UInt32>(0)
let tool_targ_comm = LoadTimeString(bytes: 16)
let tool_targ_cgroup = LoadTimeConstant<UInt8>(0)
let tool_cgroup = CgroupArray(maxEntries: 1)
let tool_dropped = PerCPUArray<UInt64>(maxEntries: 1)
let tool_events = RingBuffer<exec_event>(bytes: 512 * 1024)

// swiftbpf_counts.h's counting mode.
let tool_targ_count = LoadTimeConstant<UInt8>(0)
let tool_targ_rate = LoadTimeConstant<UInt32>(0)
let tool_counts = HashMap<tool_count_key, UInt64>(maxEntries: 4096, preallocated: false)
let tool_counts_full = ArrayMap<UInt64>(maxEntries: 4)
let tool_rate = PerCPUArray<tool_rate_window>(maxEntries: 1)

/// The parent's process id, read with CO-RE as execsnoop.bpf.c's
/// `BPF_CORE_READ(task, real_parent, tgid)`, with the same relocations.
let parentTGID = KernelRead<UInt32>("task_struct", "real_parent->tgid")

// execsnoop's own filters.
let targ_pid = LoadTimeConstant<UInt32>(0)
let targ_name_len = LoadTimeConstant<UInt32>(0)
let targ_name = LoadTimeString(bytes: 16)

let pending = HashMap<UInt32, exec_event>(maxEntries: 4096, preallocated: false)
let scratch = PerCPUArray<exec_event>(maxEntries: 1)
let license = License("GPL")

enum Limits {
    static let maxArgs = 64
    static let argMaxLength: UInt32 = 1024
    static let argsDataSize: UInt32 = 8192  // a power of two: offsets are masked with it
    static let headerSize: UInt32 = 64      // offset of exec_event.args
}

@_cdecl("handle_enter_execve") @section("tracepoint/syscalls/sys_enter_execve")
public func handleEnterExecve(_ context: UnsafeMutableRawPointer) -> Int32 {
    let tid = CurrentTask.threadID
    // comm is checked at exit, where it is the new program's.
    if tool_targ_uid != 0xffffffff && CurrentTask.userID != tool_targ_uid { return 0 }
    if tool_targ_cgroup != 0 && !tool_cgroup.currentTaskIsUnder(index: 0) { return 0 }
    guard let e = scratch.lookup(0) else { return 0 }
    fillTask(UnsafeMutableRawPointer(e).assumingMemoryBound(to: tool_task.self))
    if targ_pid != 0 && e.pointee.task.tgid != targ_pid && e.pointee.task.ppid != targ_pid { return 0 }
    e.pointee.retval = 0
    e.pointee.args_count = 0
    e.pointee.args_size = 0
    e.pointee.truncated = 0

    let argv = TracepointContext(context).syscallArgument(1)
    let args = UnsafeMutableRawPointer(e) + Int(Limits.headerSize)
    var i = 0
    while i < Limits.maxArgs {
        var arg: UInt64 = 0
        if bpf_probe_read_user(&arg, 8, UnsafeRawPointer(bitPattern: UInt(argv &+ UInt64(i) &* 8))) != 0 || arg == 0 { break }
        if e.pointee.args_size >= Limits.argsDataSize {
            e.pointee.truncated = 1
            break
        }
        let at = Int(e.pointee.args_size & (Limits.argsDataSize &- 1))
        var n = bpf_probe_read_user_str(args + at, Limits.argMaxLength, UnsafeRawPointer(bitPattern: UInt(arg)))
        if n < 0 { break }
        // An empty argument: 1 (its NUL) on current kernels, 0 on kernels before
        // strncpy_from_user_nofault() counted the NUL of an empty string (Debian 12's 6.1).
        if n == 0 {
            (args + at).storeBytes(of: 0, as: UInt8.self)
            n = 1
        }
        if n == Int64(Limits.argMaxLength) { e.pointee.truncated = 1 }
        e.pointee.args_count &+= 1
        e.pointee.args_size &+= UInt32(truncatingIfNeeded: n)
        i &+= 1
    }
    pending.update(tid, from: e)
    return 0
}

@_cdecl("handle_exit_execve") @section("tracepoint/syscalls/sys_exit_execve")
public func handleExitExecve(_ context: UnsafeMutableRawPointer) -> Int32 {
    let tid = CurrentTask.threadID
    guard let e = pending.lookup(tid) else { return 0 }
    e.pointee.retval = Int32(truncatingIfNeeded: TracepointContext(context).syscallReturn)
    // After a successful exec the thread is the process leader and comm is the new program's.
    let id = bpf_get_current_pid_tgid()
    e.pointee.task.pid = UInt32(truncatingIfNeeded: id)
    e.pointee.task.tgid = UInt32(truncatingIfNeeded: id >> 32)
    _ = bpf_get_current_comm(&e.pointee.task.comm, 16)
    if (targ_name_len == 0 || containsName(UnsafeRawPointer(e) + 32)) && (tool_targ_comm_len == 0 || toolCommMatches())
        && countAndLimit(e.pointee.retval == 0 ? 0 : 1) {
        var size = e.pointee.args_size
        if size > Limits.argsDataSize + Limits.argMaxLength { size = Limits.argsDataSize + Limits.argMaxLength }
        if tool_events.output(e, bytes: UInt64(Limits.headerSize &+ size)) != 0 { tool_dropped.increment(0) }
    }
    pending.delete(tid)
    return 0
}

/// swiftbpf_counts.h's tool_count and tool_rate_allows: counts the exec under `outcome` (0 ok,
/// 1 failed) when counting is on, and says whether the rate limit lets it be sent.
@inline(__always)
func countAndLimit(_ outcome: UInt32) -> Bool {
    if tool_targ_count != 0 {
        var key = tool_count_key(cgroup_id: bpf_get_current_cgroup_id(), comm: InlineArray(repeating: 0), outcome: outcome, pad: 0)
        _ = bpf_get_current_comm(&key.comm, 16)
        if let n = tool_counts.lookup(key) {
            atomicAdd(n, 1)
        } else if tool_counts.update(key, 1, flags: UpdateFlags.noExist) != 0 {
            // Another CPU added the key meanwhile, or the map is full.
            if let n = tool_counts.lookup(key) { atomicAdd(n, 1) } else { tool_counts_full.increment(outcome & 3) }
        }
    }
    if tool_targ_rate == 0 { return true }
    guard let w = tool_rate.lookup(0) else { return true }
    let second = bpf_ktime_get_ns() / 1_000_000_000
    if w.pointee.second != second {
        w.pointee.second = second
        w.pointee.sent = 0
    }
    if w.pointee.sent >= UInt64(tool_targ_rate) {
        w.pointee.held &+= 1
        return false
    }
    w.pointee.sent &+= 1
    return true
}

/// swiftbpf_tool.h's tool_fill_task: the current task's attribution.
@inline(__always)
func fillTask(_ t: UnsafeMutablePointer<tool_task>) {
    let id = bpf_get_current_pid_tgid()
    t.pointee.timestamp_ns = bpf_ktime_get_ns()
    t.pointee.cgroup_id = bpf_get_current_cgroup_id()
    t.pointee.pid = UInt32(truncatingIfNeeded: id)
    t.pointee.tgid = UInt32(truncatingIfNeeded: id >> 32)
    t.pointee.ppid = parentTGID()  // CO-RE: task->real_parent->tgid
    t.pointee.uid = CurrentTask.userID
    _ = bpf_get_current_comm(&t.pointee.comm, 16)
}

/// Whether `targ_name` occurs in the 16-byte `comm` at `comm`.
@inline(__always)
func containsName(_ comm: UnsafeRawPointer) -> Bool {
    var start = 0
    while start < 16 {
        if start &+ Int(targ_name_len) > 16 { return false }
        var matches = true
        var j = 0
        while j < 16 {
            if j >= Int(targ_name_len) { break }
            let k = start &+ j
            if k >= 16 || comm.load(fromByteOffset: k, as: CChar.self) != targ_name[j] {
                matches = false
                break
            }
            j &+= 1
        }
        if matches { return true }
        start &+= 1
    }
    return false
}

/// swiftbpf_tool.h's tool_comm_matches: the current comm is exactly `tool_targ_comm`.
@inline(__always)
func toolCommMatches() -> Bool {
    var comm: (UInt64, UInt64) = (0, 0)
    _ = bpf_get_current_comm(&comm, 16)
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
