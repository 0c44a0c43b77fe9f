import Synchronization

/// A program attached with `BPF_PROG_ATTACH` (the pre-link interface): to a cgroup, or to a
/// sockmap/sockhash for `sk_msg` and `sk_skb` programs on kernels before 6.10. The kernel keeps
/// such an attachment without any descriptor, so this owner detaches it explicitly
/// (`BPF_PROG_DETACH`) when closed or deinitialised. It holds its own descriptors of the program
/// and the target, so the detach names exactly what was attached.
///
/// Prefer links (`Link.attachCgroup`, `Link.attachSockMap`) where the kernel has them: a link
/// detaches by itself when its last descriptor closes, even if the process dies.
public final class ProgramAttachment: Sendable, CustomStringConvertible {
    struct State: ~Copyable {
        var program: FileDescriptor
        var target: FileDescriptor
    }

    let state: Mutex<State?>
    /// The attached program, held (with the prog arrays it retains) while the owner lives.
    public let program: Program
    /// The attach type given to `BPF_PROG_ATTACH`.
    public let attachType: AttachType
    /// What is attached where, e.g. `cg_dev on cgroup /sys/fs/cgroup/x (cgroup_device)`.
    public let name: String

    /// Attaches `program` to `target` (a cgroup directory's or a sockmap's descriptor, which is
    /// duplicated; the caller keeps its own).
    init(program: Program, target: borrowing FileDescriptor, attachType: AttachType, flags: ProgramAttachFlags,
         replacing: Program? = nil, name: String) throws(BPFError) {
        let programFD = try program.duplicateDescriptor()
        let targetFD = try target.duplicate()
        try BPFCommands.progAttach(
            programFD: programFD.rawValue, targetFD: targetFD.rawValue, attachType: attachType, flags: flags,
            replacingProgramFD: replacing?.fd, name: name)
        state = Mutex(State(program: programFD, target: targetFD))
        self.program = program
        self.attachType = attachType
        self.name = name
    }

    /// Whether the program is still attached by this owner.
    public var isAttached: Bool { state.locked { $0 != nil } }

    /// Detaches the program now (`BPF_PROG_DETACH`). Idempotent. Throws if the kernel refuses;
    /// a program that is no longer attached (its target was removed) is not an error.
    public func detach() throws(BPFError) {
        guard let s = state.locked({ (s: inout State?) -> State? in
            let taken = s.take()
            return taken
        }) else { return }
        try BPFCommands.progDetach(programFD: s.program.rawValue, targetFD: s.target.rawValue, attachType: attachType, name: name)
    }

    /// Detaches the program now, ignoring errors (the deinit path).
    public func close() { try? detach() }

    deinit { close() }

    public var description: String { "ProgramAttachment(\(name)\(isAttached ? "" : ", detached"))" }
}
