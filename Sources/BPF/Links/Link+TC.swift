import Glibc

/// A TC program attachment: a tcx link (Linux 6.6) or, on older kernels, a netlink clsact
/// filter. Closing either detaches the program.
public enum TCAttachment: Sendable, CustomStringConvertible {
    /// A `BPF_TCX_INGRESS`/`BPF_TCX_EGRESS` link.
    case tcx(Link)
    /// A direct-action cls_bpf filter on the clsact qdisc.
    case netlink(TCFilter)

    /// The tcx link, if that is what the attachment is.
    public var link: Link? { if case let .tcx(l) = self { l } else { nil } }
    /// The netlink filter, if that is what the attachment is.
    public var filter: TCFilter? { if case let .netlink(f) = self { f } else { nil } }

    /// Detaches now and reports what the kernel answered.
    public func detach() throws(BPFError) {
        switch self {
        case let .tcx(l): try l.detach()
        case let .netlink(f): try f.detach()
        }
    }

    /// Detaches, ignoring errors (idempotent).
    public func close() {
        switch self {
        case let .tcx(l): l.close()
        case let .netlink(f): f.close()
        }
    }

    public var description: String {
        switch self {
        case let .tcx(l): l.description
        case let .netlink(f): f.description
        }
    }
}

extension Link {
    /// Attaches a `sched_cls` program to the ingress or egress hook of `interfaceIndex` (looked
    /// up in the calling thread's network namespace): with a tcx link when `Features.tcxLinks`
    /// says the kernel has them (Linux 6.6), otherwise as a direct-action BPF filter on the
    /// clsact qdisc through rtnetlink (`TCFilter`). The program's return value is the verdict
    /// in both cases: `TC_ACT_OK` (0) passes, `TC_ACT_SHOT` (2) drops; `TC_ACT_UNSPEC` (-1)
    /// is `TCX_NEXT` for tcx and "continue" for cls_bpf.
    package static func attachTC(program: Program, interfaceIndex: UInt32, direction: TCDirection) throws(BPFError) -> TCAttachment {
        if Features.tcxLinks {
            return .tcx(try attachTCX(program: program, interfaceIndex: interfaceIndex, egress: direction == .egress))
        }
        return .netlink(try TCFilter.attach(program: program, interfaceIndex: interfaceIndex, direction: direction))
    }

    /// Attaches a `sched_cls` program to the interface named `interface`, as
    /// `attachTC(program:interfaceIndex:direction:)` does.
    package static func attachTC(program: Program, interface: String, direction: TCDirection) throws(BPFError) -> TCAttachment {
        let index = try Syscalls.interfaceIndex(name: interface)
        return try attachTC(program: program, interfaceIndex: index, direction: direction)
    }
}

extension Features {
    /// tcx links (`BPF_LINK_CREATE` with `BPF_TCX_INGRESS`, Linux 6.6). Probed once by creating
    /// a tcx link for a trivial `sched_cls` program on an interface index that cannot exist: a
    /// kernel with tcx answers ENODEV, one without answers EINVAL (unknown attach type).
    public static var tcxLinks: Bool { tcxLinkProbe }

    static let tcxLinkProbe: Bool = {
        guard let program = try? Program.load(trivialProgram(.schedCLS)) else { return false }
        do throws(BPFError) {
            _ = try BPFCommands.linkCreate(programFD: program.fd, targetFD: Int32(bitPattern: UInt32.max), attachType: .tcxIngress, name: "tcx probe")
            return true  // not expected: the index cannot exist; the link closes at once
        } catch {
            return BPFCommands.isErrno(error, BPFErrno(rawValue: ENODEV))
        }
    }()
}
