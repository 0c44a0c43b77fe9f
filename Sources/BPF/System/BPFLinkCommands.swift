import CBPF

extension BPFCommands {
    /// `BPF_RAW_TRACEPOINT_OPEN`: attaches a raw_tracepoint program to the tracepoint `name`, or a
    /// tracing program (tp_btf, fentry...) to its load-time target when `name` is nil.
    /// Returns the link's descriptor.
    package static func rawTracepointOpen(programFD: Int32, name: String?, programName: String) throws(BPFError) -> FileDescriptor {
        let op = "BPF_RAW_TRACEPOINT_OPEN(\(programName)\(name.map { " on " + $0 } ?? ""))"
        var attr = bpf_attr()
        attr.raw_tracepoint.prog_fd = UInt32(bitPattern: programFD)
        guard let name else { return try Syscalls.bpfFD(BPF_RAW_TRACEPOINT_OPEN, &attr, op) }
        let raw = try withCString(name) { (p) throws(BPFError) in
            attr.raw_tracepoint.name = address(p)
            return try Syscalls.bpf(BPF_RAW_TRACEPOINT_OPEN, &attr, op)
        }
        return try FileDescriptor(taking: raw)
    }

    /// `BPF_LINK_CREATE` with the common fields: `targetFD` is the perf event, cgroup, netns...
    /// (or an ifindex for XDP), `targetBTFID` the BTF id for tracing links, `perfEventCookie` the
    /// `bpf_cookie` of a `BPF_PERF_EVENT` link.
    package static func linkCreate(
        programFD: Int32, targetFD: Int32, attachType: AttachType, flags: UInt32 = 0,
        targetBTFID: UInt32 = 0, perfEventCookie: UInt64 = 0, name: String
    ) throws(BPFError) -> FileDescriptor {
        var attr = bpf_attr()
        attr.link_create.prog_fd = UInt32(bitPattern: programFD)
        attr.link_create.target_fd = UInt32(bitPattern: targetFD)
        attr.link_create.attach_type = attachType.rawValue
        attr.link_create.flags = flags
        if attachType == .perfEvent {
            attr.link_create.perf_event.bpf_cookie = perfEventCookie
        } else if targetBTFID != 0 {
            attr.link_create.target_btf_id = targetBTFID
        }
        return try Syscalls.bpfFD(BPF_LINK_CREATE, &attr, "BPF_LINK_CREATE(\(name))")
    }

    /// `BPF_LINK_UPDATE`: replaces the link's program atomically. With `expectedProgramFD`
    /// (`BPF_F_REPLACE`), only if the current program is that one (EPERM otherwise).
    package static func linkUpdate(fd: Int32, newProgramFD: Int32, expectedProgramFD: Int32? = nil, name: String) throws(BPFError) {
        var attr = bpf_attr()
        attr.link_update.link_fd = UInt32(bitPattern: fd)
        attr.link_update.new_prog_fd = UInt32(bitPattern: newProgramFD)
        if let expectedProgramFD {
            attr.link_update.flags = UInt32(BPF_F_REPLACE)
            attr.link_update.old_prog_fd = UInt32(bitPattern: expectedProgramFD)
        }
        try Syscalls.bpf(BPF_LINK_UPDATE, &attr, "BPF_LINK_UPDATE(\(name))")
    }

    /// `BPF_LINK_DETACH`: detaches the link's program; the link fd stays valid but defunct.
    package static func linkDetach(fd: Int32, name: String) throws(BPFError) {
        var attr = bpf_attr()
        attr.link_detach.link_fd = UInt32(bitPattern: fd)
        try Syscalls.bpf(BPF_LINK_DETACH, &attr, "BPF_LINK_DETACH(\(name))")
    }
}
