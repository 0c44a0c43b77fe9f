import CBPF

/// `BPF_F_ALLOW_OVERRIDE`, `BPF_F_ALLOW_MULTI`, `BPF_F_REPLACE`: how a `BPF_PROG_ATTACH` to a
/// cgroup coexists with programs of the same attach type in this cgroup and its descendants.
/// Sockmap attachments take no flags.
public struct ProgramAttachFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// `BPF_F_ALLOW_OVERRIDE`: a descendant cgroup may attach its own program, which then runs
    /// instead of this one for the descendant's tasks.
    public static let allowOverride = ProgramAttachFlags(rawValue: 1 << 0)
    /// `BPF_F_ALLOW_MULTI`: several programs run in order, this cgroup's after its descendants'.
    /// Required to coexist with cgroup bpf_links of the same attach type.
    public static let allowMulti = ProgramAttachFlags(rawValue: 1 << 1)
    /// `BPF_F_REPLACE`: replace `replacing` atomically (only with `allowMulti`).
    public static let replace = ProgramAttachFlags(rawValue: 1 << 2)
}

extension BPFCommands {
    /// `BPF_PROG_ATTACH`: attaches a program to `targetFD` (a cgroup directory or a sockmap),
    /// with no descriptor of its own: it stays attached until `BPF_PROG_DETACH` or until the
    /// target goes away, even after this process exits.
    package static func progAttach(
        programFD: Int32, targetFD: Int32, attachType: AttachType, flags: ProgramAttachFlags = [],
        replacingProgramFD: Int32? = nil, name: String
    ) throws(BPFError) {
        var attr = bpf_attr()
        attr.target_fd = UInt32(bitPattern: targetFD)
        attr.attach_bpf_fd = UInt32(bitPattern: programFD)
        attr.attach_type = attachType.rawValue
        attr.attach_flags = flags.rawValue
        if let replacingProgramFD { attr.replace_bpf_fd = UInt32(bitPattern: replacingProgramFD) }
        try Syscalls.bpf(BPF_PROG_ATTACH, &attr, "BPF_PROG_ATTACH(\(name))")
    }

    /// `BPF_PROG_DETACH`: detaches the program `programFD` attached to `targetFD` with
    /// `attachType`. Returns false if it was not attached there (ENOENT).
    @discardableResult
    package static func progDetach(programFD: Int32, targetFD: Int32, attachType: AttachType, name: String) throws(BPFError) -> Bool {
        var attr = bpf_attr()
        attr.target_fd = UInt32(bitPattern: targetFD)
        attr.attach_bpf_fd = UInt32(bitPattern: programFD)
        attr.attach_type = attachType.rawValue
        return try found { () throws(BPFError) in _ = try Syscalls.bpf(BPF_PROG_DETACH, &attr, "BPF_PROG_DETACH(\(name))") }
    }

    /// `BPF_PROG_QUERY`: the ids of the programs attached to `targetFD` with `attachType` (by
    /// `BPF_PROG_ATTACH` or a link), in run order. `effective` (`BPF_F_QUERY_EFFECTIVE`) lists
    /// the programs that run for the cgroup, including those inherited from its ancestors.
    package static func progQuery(targetFD: Int32, attachType: AttachType, effective: Bool = false, name: String) throws(BPFError) -> [UInt32] {
        var capacity = 16
        while true {
            var ids = [UInt32](repeating: 0, count: capacity)
            var attr = bpf_attr()
            attr.query.target_fd = UInt32(bitPattern: targetFD)
            attr.query.attach_type = attachType.rawValue
            attr.query.query_flags = effective ? UInt32(BPF_F_QUERY_EFFECTIVE) : 0
            attr.query.prog_cnt = UInt32(capacity)
            let result = ids.withUnsafeMutableBytes { p in
                attr.query.prog_ids = address(p.baseAddress)
                return Result { () throws(BPFError) in try Syscalls.bpf(BPF_PROG_QUERY, &attr, "BPF_PROG_QUERY(\(name))") }
            }
            let count = Int(attr.query.prog_cnt)
            switch result {
            case .success:
                return Array(ids.prefix(min(count, capacity)))
            case .failure(let error):
                // ENOSPC: more programs than room; prog_cnt holds the number needed.
                guard isErrno(error, .ENOSPC), count > capacity, capacity < 1 << 16 else { throw error }
                capacity = count
            }
        }
    }
}
