/// `sk_msg` and `sk_skb` programs run on the sockets of a sockmap or sockhash: the program is
/// attached to the map, and every socket in the map gets it (`sockops` programs, attached to a
/// cgroup, typically insert the sockets with `bpf_sock_hash_update`). Attach the map's programs
/// before sockets enter the map: a socket keeps the programs it was inserted with.
///
/// Attach types: `.skMsgVerdict` (`sk_msg`), `.skSKBStreamVerdict` (`sk_skb/stream_verdict`),
/// `.skSKBStreamParser` (`sk_skb/stream_parser`), `.skSKBVerdict` (`sk_skb/verdict`).
extension Link {
    /// Attaches `program` to the sockmap or sockhash `map` through a bpf_link (`BPF_LINK_CREATE`
    /// with the map as target, Linux 6.10). The link detaches when its last descriptor closes.
    /// Older kernels answer EINVAL: use `SockMapAttachment.attach`, which falls back to
    /// `BPF_PROG_ATTACH`.
    package static func attachSockMap(program: Program, map: Map, attachType: AttachType) throws(BPFError) -> Link {
        try SockMapAttachment.check(program: program, map: map, attachType: attachType)
        let label = "sockmap \(map.name) (\(attachType))"
        do {
            let fd = try BPFCommands.linkCreate(programFD: program.fd, targetFD: map.fd, attachType: attachType, name: "\(program.name) on \(label)")
            return Link(taking: fd, name: label).keeping(program)
        } catch {
            if BPFCommands.isErrno(error, .EINVAL), Features.kernelVersion < LinuxVersion(6, 10) {
                throw .notSupported(feature: "sockmap links", reason: "BPF_LINK_CREATE on a \(map.type) failed with EINVAL; Linux 6.10 added sockmap links (BPF_PROG_ATTACH works before)")
            }
            throw error
        }
    }
}

/// A program attached to a sockmap or sockhash, either way the kernel offers.
public enum SockMapAttachment: Sendable, CustomStringConvertible {
    /// A bpf_link (Linux 6.10+).
    case link(Link)
    /// `BPF_PROG_ATTACH`, detached by its owner.
    case programAttach(ProgramAttachment)

    /// Attaches `program` to `map`: through a bpf_link where the kernel has sockmap links, else
    /// with `BPF_PROG_ATTACH` (`preferLink: false` forces the latter). Either way the program is
    /// detached when the returned value's `detach()` runs or the attachment is released.
    package static func attach(program: Program, map: Map, attachType: AttachType, preferLink: Bool = true) throws(BPFError) -> SockMapAttachment {
        try check(program: program, map: map, attachType: attachType)
        if preferLink {
            do {
                return .link(try Link.attachSockMap(program: program, map: map, attachType: attachType))
            } catch {
                guard case .notSupported = error else { throw error }
            }
        }
        let target = try map.duplicateDescriptor()
        return .programAttach(try ProgramAttachment(
            program: program, target: target, attachType: attachType, flags: [],
            name: "\(program.name) on sockmap \(map.name) (\(attachType))"))
    }

    /// The ids of the programs attached to `map` with `attachType` (`BPF_PROG_QUERY` on a
    /// sockmap, Linux 5.19).
    public static func attachedPrograms(map: Map, attachType: AttachType) throws(BPFError) -> [UInt32] {
        try BPFCommands.progQuery(targetFD: map.fd, attachType: attachType, name: "sockmap \(map.name) (\(attachType))")
    }

    /// Detaches the program now.
    public func detach() throws(BPFError) {
        switch self {
        case .link(let link): try link.detach()
        case .programAttach(let attachment): try attachment.detach()
        }
    }

    /// Whether the attachment is a bpf_link.
    public var isLink: Bool { if case .link = self { true } else { false } }

    public var description: String {
        switch self {
        case .link(let link): "SockMapAttachment(\(link.name), link)"
        case .programAttach(let attachment): "SockMapAttachment(\(attachment.name), BPF_PROG_ATTACH)"
        }
    }

    static let programTypes: [AttachType: ProgramType] = [
        .skMsgVerdict: .skMsg, .skSKBStreamVerdict: .skSKB, .skSKBStreamParser: .skSKB, .skSKBVerdict: .skSKB,
    ]

    /// Names a wrong map type, attach type or program type before the kernel's bare EINVAL.
    static func check(program: Program, map: Map, attachType: AttachType) throws(BPFError) {
        guard map.type == .sockMap || map.type == .sockHash else {
            throw .invalidArgument("map '\(map.name)' is a \(map.type); sk_msg and sk_skb programs attach to a sockmap or sockhash")
        }
        guard let wanted = programTypes[attachType] else {
            throw .invalidArgument("attach type \(attachType) is not a sockmap attach type (sk_msg_verdict, sk_skb_stream_verdict, sk_skb_stream_parser, sk_skb_verdict)")
        }
        guard program.type == wanted else {
            throw .invalidArgument("program '\(program.name)' is \(program.type); \(attachType) needs a \(wanted) program")
        }
    }
}

extension BPFObject {
    /// Attaches the `sk_msg` or `sk_skb` program `programName` to the sockmap or sockhash
    /// `mapName` of this object, with the attach type of its `SEC()` name (`sk_msg`,
    /// `sk_skb/stream_verdict`, `sk_skb/stream_parser`, `sk_skb/verdict`), preferring a link.
    package func attachSockMap(_ programName: String, map mapName: String, preferLink: Bool = true) throws(BPFError) -> SockMapAttachment {
        let program = try program(programName)
        guard let spec = spec.program(named: programName) else { throw .missing("program '\(programName)'") }
        guard SockMapAttachment.programTypes[spec.expectedAttachType] != nil else {
            throw .invalidArgument("program '\(programName)' (section '\(spec.sectionName)') has no sockmap attach type; use 'sk_msg', 'sk_skb/stream_verdict', 'sk_skb/stream_parser' or 'sk_skb/verdict'")
        }
        return try SockMapAttachment.attach(program: program, map: map(mapName), attachType: spec.expectedAttachType, preferLink: preferLink)
    }
}
