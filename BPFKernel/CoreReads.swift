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
