// CO-RE reads declared in the program's Swift source (KernelRead, KernelBytesRead): on every
// sched/sched_process_exec of a child of process `targetParent`, what the program reads of the
// exec'ing task is stored in `seen` under the child's process id.

struct KernelReadsSeen {
    var parentTGID: UInt32          // task->real_parent->tgid, of the current task
    var leaderTGID: Int32           // task->group_leader->tgid, through a KernelTask
    var userID: UInt32              // task->cred->uid.val, through a pointer
    var commandResult: Int32        // what the comm copy returned
    var parentAddress: UInt64       // task->real_parent, a pointer read as an integer
    var command: InlineArray<16, UInt8>
}

let seen = HashMap<UInt32, KernelReadsSeen>(maxEntries: 64)
let targetParent = LoadTimeConstant<UInt32>(0)
let license = License("GPL")

let parentTGID = KernelRead<UInt32>("task_struct", "real_parent->tgid")
let parentAddress = KernelRead<UInt64>("task_struct", "real_parent")
let leaderTGID = KernelRead<Int32>("task_struct", "group_leader->tgid")
let userID = KernelRead<UInt32>("task_struct", "cred->uid.val")
let command = KernelBytesRead("task_struct", "comm", bytes: 16)

@_cdecl("record_exec") @section("tracepoint/sched/sched_process_exec")
public func recordExec(_ context: UnsafeMutableRawPointer) -> Int32 {
    guard parentTGID() == targetParent else { return 0 }
    let task = KernelTask(address: bpf_get_current_task())
    var entry = KernelReadsSeen(parentTGID: parentTGID(), leaderTGID: leaderTGID(task), userID: userID.read(from: task.pointer),
                                commandResult: 0, parentAddress: parentAddress(task), command: InlineArray(repeating: 0))
    entry.commandResult = Int32(truncatingIfNeeded: command(task, into: &entry.command))
    _ = seen.update(UInt32(truncatingIfNeeded: bpf_get_current_pid_tgid() >> 32), entry)
    return 0
}
