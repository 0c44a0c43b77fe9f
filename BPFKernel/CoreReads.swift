import Swift

// CO-RE reads, defined in CoreReads.c (see there) and linked into every program.

@usableFromInline @_extern(c, "swiftbpf_current_parent_tgid")
func swiftbpf_current_parent_tgid() -> UInt32

@usableFromInline @_extern(c, "swiftbpf_current_group_leader_tgid")
func swiftbpf_current_group_leader_tgid() -> UInt32

extension CurrentTask {
    /// The parent's process id, `task->real_parent->tgid`, read with CO-RE relocations so the
    /// object runs on kernels whose `task_struct` differs.
    @_transparent public static var parentProcessID: UInt32 { swiftbpf_current_parent_tgid() }
    /// The thread-group leader's process id, `task->group_leader->tgid` (CO-RE).
    @_transparent public static var groupLeaderProcessID: UInt32 { swiftbpf_current_group_leader_tgid() }
}

@usableFromInline @_extern(c, "swiftbpf_task_pid")
func swiftbpf_task_pid(_ task: UnsafeRawPointer?) -> Int32

@usableFromInline @_extern(c, "swiftbpf_task_tgid")
func swiftbpf_task_tgid(_ task: UnsafeRawPointer?) -> Int32

@usableFromInline @_extern(c, "swiftbpf_task_uid")
func swiftbpf_task_uid(_ task: UnsafeRawPointer?) -> UInt32

@usableFromInline @_extern(c, "swiftbpf_task_comm")
func swiftbpf_task_comm(_ task: UnsafeRawPointer?, _ buffer: UnsafeMutableRawPointer) -> Int64

@usableFromInline @_extern(c, "swiftbpf_task_cgroup_id")
func swiftbpf_task_cgroup_id(_ task: UnsafeRawPointer?) -> UInt64

@usableFromInline @_extern(c, "swiftbpf_task_cgroup_ancestor_id")
func swiftbpf_task_cgroup_ancestor_id(_ task: UnsafeRawPointer?, _ level: Int32) -> UInt64

/// A `struct task_struct *` the program was handed, not the current task: a tp_btf or raw
/// tracepoint argument such as sched_switch's `prev` and `next`
/// (`RawTracepointContext(context).task(2)`). Its fields are read with CO-RE relocations
/// (BPFKernel/CoreReads.c), so one object runs on kernels whose `task_struct` differs.
public struct KernelTask {
    /// The task's address, as the tracepoint passed it.
    public let address: UInt64
    @_transparent public init(address: UInt64) { self.address = address }

    /// The task as a pointer, for the C reads.
    @_transparent public var pointer: UnsafeRawPointer? { UnsafeRawPointer(bitPattern: UInt(truncatingIfNeeded: address)) }

    /// `task->pid`: the thread id.
    @_transparent public var threadID: UInt32 { UInt32(bitPattern: swiftbpf_task_pid(pointer)) }
    /// `task->tgid`: the process id.
    @_transparent public var processID: UInt32 { UInt32(bitPattern: swiftbpf_task_tgid(pointer)) }
    /// `task->cred->uid.val`: the user id.
    @_transparent public var userID: UInt32 { swiftbpf_task_uid(pointer) }
    /// `task->cgroups->dfl_cgrp->kn->id`: the id of the task's cgroup v2 (its directory's inode).
    @_transparent public var cgroupID: UInt64 { swiftbpf_task_cgroup_id(pointer) }

    /// Copies `task->comm` (16 bytes with its NUL) to `buffer`, which has room for 16 bytes;
    /// the bytes copied or a negative errno.
    @_transparent @discardableResult
    public func command(into buffer: UnsafeMutableRawPointer) -> Int64 { swiftbpf_task_comm(pointer, buffer) }

    /// The id of the ancestor at depth `level` of the task's cgroup v2 (the cgroup itself at
    /// its own depth, the root at 0), or 0 when the cgroup is shallower: the task is in
    /// directory D or below it when this is D's id at D's depth.
    @_transparent
    public func cgroupAncestorID(level: Int32) -> UInt64 { swiftbpf_task_cgroup_ancestor_id(pointer, level) }
}
