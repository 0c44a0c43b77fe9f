import Synchronization

/// An attachment of a program to a kernel hook. The link owns its descriptor: closing it (with
/// `close()`, `detach()` of a perf-event link, or when the `Link` is deinitialised) detaches the
/// program, unless the link is pinned on bpffs.
///
/// Most links are BPF links (`BPF_LINK_CREATE`, `BPF_RAW_TRACEPOINT_OPEN`). Tracepoint links
/// also own the perf event the program is attached to; on kernels without perf-event BPF links
/// (before 5.15) the attachment is the legacy `PERF_EVENT_IOC_SET_BPF` on the perf event itself,
/// and `isLegacyPerfEvent` is true.
public final class Link: Sendable, CustomStringConvertible {
    /// The descriptors, closed together by `close()` or deinit.
    struct Descriptors: ~Copyable {
        /// The BPF link, or the perf event for a legacy attachment.
        var link: FileDescriptor?
        /// The perf event of a perf-event link, kept open while the link lives.
        var perfEvent: FileDescriptor?
    }

    let descriptors: Mutex<Descriptors>
    /// The descriptor number while open (closing sets the Mutex's copy to nil).
    let number: Int32
    /// What the link attaches, for errors: e.g. `tracepoint syscalls:sys_enter_getpid`.
    public let name: String
    /// True when the attachment is `PERF_EVENT_IOC_SET_BPF` rather than a BPF link.
    public let isLegacyPerfEvent: Bool
    /// True for BPF links on perf events, which `BPF_LINK_DETACH` does not support.
    let isPerfEventLink: Bool
    /// Runs once, right after the descriptors close: removes what the attachment created
    /// outside the kernel objects themselves (e.g. a tracefs `kprobe_events` entry).
    let closeAction: Mutex<(@Sendable () -> Void)?>
    /// The programs the attachment runs, held until the link closes (see `keeping(_:)`).
    let keptPrograms: Mutex<[Program]>

    /// Takes ownership of a BPF link descriptor (and optionally the perf event it is bound to).
    package init(taking fd: consuming FileDescriptor, perfEvent: consuming FileDescriptor? = nil, name: String) {
        number = fd.rawValue
        isPerfEventLink = perfEvent != nil
        descriptors = Mutex(Descriptors(link: fd, perfEvent: perfEvent))
        self.name = name
        isLegacyPerfEvent = false
        closeAction = Mutex(nil)
        keptPrograms = Mutex([])
    }

    /// A legacy perf-event attachment: the program stays attached while `perfEvent` is open.
    init(legacyPerfEvent perfEvent: consuming FileDescriptor, name: String) {
        number = perfEvent.rawValue
        isPerfEventLink = true
        descriptors = Mutex(Descriptors(link: perfEvent, perfEvent: nil))
        self.name = name
        isLegacyPerfEvent = true
        closeAction = Mutex(nil)
        keptPrograms = Mutex([])
    }

    /// Sets the action `close()` (or deinit) runs after the descriptors close. An action set on
    /// a closed link runs at once.
    func onClose(_ action: @escaping @Sendable () -> Void) {
        closeAction.locked { $0 = action }
        if !isOpen { runCloseAction() }
    }

    private func runCloseAction() {
        let action = closeAction.locked { a in
            defer { a = nil }
            return a
        }
        action?()
    }

    deinit { close() }

    /// Whether the link's descriptors are still open.
    public var isOpen: Bool { descriptors.locked { $0.link != nil } }

    /// The link's descriptor (or the perf event's, for a legacy attachment); -1 once closed.
    /// Do not close it.
    public var fd: Int32 { isOpen ? number : -1 }

    func openFD() throws(BPFError) -> Int32 {
        guard isOpen else { throw .invalidArgument("\(name): the link is closed") }
        return number
    }

    /// Opens a link pinned on bpffs (`BPF_OBJ_GET`).
    public static func open(pinned path: String) throws(BPFError) -> Link {
        let fd = try BPFCommands.objGet(path: path)
        try BPFObjectKind.link.requirePinned(fd: fd.rawValue, path: path)
        return Link(taking: fd, name: "pinned link \(path)")
    }

    /// Opens a link by its global id (`BPF_LINK_GET_FD_BY_ID`).
    public static func open(id: UInt32) throws(BPFError) -> Link {
        let fd = try BPFCommands.fdByID(.link, id: id)
        return Link(taking: fd, name: "link \(id)")
    }

    /// `BPF_OBJ_GET_INFO_BY_FD`: the link's id, type and program id.
    public func info() throws(BPFError) -> LinkInfo {
        guard !isLegacyPerfEvent else {
            throw .notSupported(feature: "link info", reason: "\(name) is a legacy perf-event attachment, not a BPF link (kernel before 5.15)")
        }
        return try BPFCommands.linkInfo(fd: openFD(), name: name)
    }

    /// Pins the link on bpffs so that it outlives this process (`BPF_OBJ_PIN`).
    public func pin(_ path: String) throws(BPFError) {
        guard !isLegacyPerfEvent else {
            throw .notSupported(feature: "pinning a perf-event attachment", reason: "\(name) is not a BPF link (kernel before 5.15)")
        }
        try BPFCommands.objPin(fd: openFD(), path: path)
    }

    /// Removes a pin (unlink). The link stays attached while a descriptor refers to it.
    public static func unpin(_ path: String) throws(BPFError) {
        try Syscalls.unlink(path)
    }

    /// Detaches the program now. Links whose kind implements `BPF_LINK_DETACH` (cgroup, XDP,
    /// netns, tcx, netkit...) stay open but defunct, which also detaches a pinned copy. The
    /// others (perf-event, raw tracepoint and tracing links, which answer EOPNOTSUPP) and legacy
    /// attachments are closed instead, which detaches them unless they are pinned.
    public func detach() throws(BPFError) {
        if isPerfEventLink {
            close()
            return
        }
        do {
            try BPFCommands.linkDetach(fd: openFD(), name: name)
        } catch {
            guard BPFCommands.isErrno(error, .EOPNOTSUPP) else { throw error }
            close()
        }
    }

    /// Replaces the link's program atomically (`BPF_LINK_UPDATE`): no event is missed or seen
    /// by both. With `expected` (`BPF_F_REPLACE`), only if the link still runs that program;
    /// otherwise the kernel answers EPERM, which becomes `BPFError.invalidArgument` naming the
    /// expected and the current program.
    /// Supported by cgroup, XDP, tcx, netns and iterator links; perf-event, raw tracepoint and
    /// tracing links refuse it (EOPNOTSUPP or EINVAL).
    public func update(program: Program, expected: Program? = nil) throws(BPFError) {
        do {
            try BPFCommands.linkUpdate(fd: openFD(), newProgramFD: program.fd, expectedProgramFD: expected?.fd, name: name)
        } catch {
            guard let expected, BPFCommands.isErrno(error, .EPERM) else { throw error }
            let current = (try? info().programID).map { "program id \($0)" } ?? "another program"
            throw .invalidArgument("BPF_LINK_UPDATE(\(name)) with BPF_F_REPLACE: the link runs \(current), not the expected '\(expected.name)' (id \(expected.id)); nothing was replaced")
        }
    }

    /// Closes the link's descriptors now (idempotent). An unpinned link is detached.
    public func close() {
        descriptors.locked { d in
            d.link = nil
            d.perfEvent = nil
        }
        keptPrograms.locked { $0.removeAll() }
        runCloseAction()
    }

    /// Holds `program` (and so the prog arrays it retains, see `Program.retainedMaps`) until
    /// the link closes. The kernel keeps an attached program loaded through its link, but it
    /// empties a prog array when the last user-space descriptor of the array closes: without
    /// this, a caller who keeps only the link would silently lose the program's tail calls.
    @discardableResult
    func keeping(_ program: Program) -> Link {
        keptPrograms.locked { $0.append(program) }
        return self
    }

    public var description: String { "Link(\(name)\(isLegacyPerfEvent ? ", legacy perf event" : ""))" }
}

extension LinkInfo {
    /// `enum bpf_link_type` names.
    public var typeName: String {
        let names = [1: "raw_tracepoint", 2: "tracing", 3: "cgroup", 4: "iter", 5: "netns", 6: "xdp", 7: "perf_event",
                     8: "kprobe_multi", 9: "struct_ops", 10: "netfilter", 11: "tcx", 12: "uprobe_multi", 13: "netkit"]
        return names[Int(type)] ?? "link_type_\(type)"
    }
}
