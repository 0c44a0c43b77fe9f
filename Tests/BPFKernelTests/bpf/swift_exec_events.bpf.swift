// An execsnoop-like tracepoint program in Swift (twin: c_exec_events.bpf.c): on every
// sched/sched_process_exec it sends the process id and command name to user space through a
// ring buffer with its parent's process id (a CO-RE read of task->real_parent->tgid declared
// with KernelRead), and counts execs in `execs`.

struct ExecEvent {
    var pid: UInt32
    var oldPID: UInt32
    var parentPID: UInt32
    var reserved: UInt32
    var command: InlineArray<16, UInt8>
}

let events = RingBuffer<ExecEvent>(bytes: 256 * 1024)
let license = License("GPL")

/// The parent's process id, `task->real_parent->tgid`: a CO-RE read declared here, whose
/// relocations are those of the C twin's `BPF_CORE_READ(task, real_parent, tgid)`.
let parentTGID = KernelRead<UInt32>("task_struct", "real_parent->tgid")

/// Every exec the program saw (a `.bss` global).
public var execs: UInt64 = 0

@_cdecl("on_exec") @section("tracepoint/sched/sched_process_exec")
public func onExec(_ context: UnsafeMutableRawPointer) -> Int32 {
    atomicAdd(&execs, 1)
    let record = SchedProcessExecRecord(context)
    guard let event = events.reserve() else { return 0 }
    event.pointee.pid = UInt32(bitPattern: record.pid)
    event.pointee.oldPID = UInt32(bitPattern: record.oldPid)
    event.pointee.parentPID = parentTGID()
    event.pointee.reserved = 0
    _ = bpf_get_current_comm(&event.pointee.command, 16)
    events.submit(event)
    return 0
}
