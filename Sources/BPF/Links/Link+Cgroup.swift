import Glibc

/// Cgroup hooks: programs of the `cgroup_skb`, `cgroup_sock`, `cgroup_sock_addr`,
/// `cgroup_sockopt`, `cgroup_sysctl`, `cgroup_device` and `sock_ops` types run for the tasks
/// (and the sockets they create) of a cgroup v2 directory and its descendants.
///
/// Two interfaces:
/// - `Link.attachCgroup(program:cgroupPath:attachType:)`: a bpf_link (`BPF_LINK_CREATE`,
///   Linux 5.7) that detaches when its last descriptor closes. Always multi-attach.
/// - `ProgramAttachment.attachCgroup(...)`: `BPF_PROG_ATTACH`, which survives the process and
///   is detached by its owner (`BPF_PROG_DETACH`) when closed.
///
/// The program's expected attach type (from its `SEC()` name: `cgroup_skb/ingress`,
/// `cgroup/connect4`, `cgroup/dev`, `sockops`...) must match the attach type.
extension Link {
    /// Attaches a cgroup program through a bpf_link to the cgroup open as `cgroup` (a directory
    /// descriptor on the cgroup2 file system). See `attachCgroup(program:cgroupPath:attachType:)`.
    package static func attachCgroup(program: Program, cgroup: borrowing FileDescriptor, attachType: AttachType, label: String = "cgroup") throws(BPFError) -> Link {
        let name = "\(label) (\(attachType))"
        let fd = try BPFCommands.linkCreate(programFD: program.fd, targetFD: cgroup.rawValue, attachType: attachType, name: "\(program.name) on \(name)")
        return Link(taking: fd, name: name).keeping(program)
    }

}

extension ProgramAttachment {
    /// Attaches a cgroup program with `BPF_PROG_ATTACH` to the cgroup v2 directory `cgroupPath`.
    /// The default `.allowMulti` lets it coexist with links and other programs of the same type.
    package static func attachCgroup(
        program: Program, cgroupPath: String, attachType: AttachType, flags: ProgramAttachFlags = .allowMulti,
        replacing: Program? = nil
    ) throws(BPFError) -> ProgramAttachment {
        let cgroup = try CgroupDirectory.open(cgroupPath)
        return try ProgramAttachment(program: program, target: cgroup, attachType: attachType, flags: flags, replacing: replacing,
                                     name: "\(program.name) on cgroup \(cgroupPath) (\(attachType))")
    }

    /// The ids of the programs attached to the cgroup directory `cgroupPath` with `attachType`
    /// (`BPF_PROG_QUERY`), by links and by `BPF_PROG_ATTACH`. With `effective`, the programs
    /// that run for it, including those inherited from ancestor cgroups.
    public static func attachedPrograms(cgroupPath: String, attachType: AttachType, effective: Bool = false) throws(BPFError) -> [UInt32] {
        let cgroup = try CgroupDirectory.open(cgroupPath)
        return try BPFCommands.progQuery(targetFD: cgroup.rawValue, attachType: attachType, effective: effective, name: "cgroup \(cgroupPath) (\(attachType))")
    }
}

extension BPFObject {
    /// Attaches the program `programName` to the cgroup v2 directory `cgroupPath` through a
    /// bpf_link, with the attach type its `SEC()` name gives (`cgroup_skb/egress` →
    /// `BPF_CGROUP_INET_EGRESS`, `cgroup/connect6` → `BPF_CGROUP_INET6_CONNECT`, `sockops` →
    /// `BPF_CGROUP_SOCK_OPS`, ...). libbpf does not auto-attach cgroup programs either: the
    /// cgroup is the caller's choice.
    package func attachCgroup(_ programName: String, cgroupPath: String) throws(BPFError) -> Link {
        let program = try program(programName)
        let attachType = try cgroupAttachType(of: programName)
        return try Link.attachCgroup(program: program, cgroupPath: cgroupPath, attachType: attachType)
    }

    /// The cgroup attach type of a program, from its section's expected attach type.
    func cgroupAttachType(of programName: String) throws(BPFError) -> AttachType {
        guard let spec = spec.program(named: programName) else { throw .missing("program '\(programName)'") }
        let cgroupTypes: Set<ProgramType> = [.cgroupSKB, .cgroupSock, .cgroupSockAddr, .cgroupSockopt, .cgroupSysctl, .cgroupDevice, .sockOps]
        guard cgroupTypes.contains(spec.type) else {
            throw .invalidArgument("program '\(programName)' (section '\(spec.sectionName)', type \(spec.type)) is not a cgroup program")
        }
        // cgroup_skb's and cgroup_sock's bare sections (`cgroup/skb`) leave the direction open;
        // 0 is BPF_CGROUP_INET_INGRESS, which is only right for `cgroup_skb/ingress`.
        if spec.expectedAttachType == .none && spec.type == .cgroupSKB && !spec.sectionName.hasSuffix("/ingress") {
            throw .invalidArgument("program '\(programName)' is in section '\(spec.sectionName)', which names no direction; use 'cgroup_skb/ingress' or 'cgroup_skb/egress', or CgroupProgram.attach(cgroup:attachType:) with an explicit attach type")
        }
        return spec.expectedAttachType
    }
}

/// Opening cgroup v2 directories for attach and query commands.
enum CgroupDirectory {
    static func open(_ path: String) throws(BPFError) -> FileDescriptor {
        do {
            return try Syscalls.open(path, O_RDONLY | O_DIRECTORY)
        } catch {
            if BPFCommands.isErrno(error, .ENOENT) { throw .missing("cgroup directory \(path)") }
            throw error
        }
    }
}
