import CBPF

extension BPFCommands {
    /// `BPF_LINK_CREATE` for a tracing or LSM program (fentry, fexit, fmod_ret, lsm, tp_btf):
    /// `target_fd` 0 and `target_btf_id` 0 attach the program to the target it was loaded for;
    /// `attachType` must equal the program's expected attach type (EINVAL otherwise).
    /// `cookie` goes to `link_create.tracing.cookie` (`bpf_get_attach_cookie`, Linux 6.0).
    package static func linkCreateTracing(programFD: Int32, attachType: AttachType, cookie: UInt64 = 0, name: String) throws(BPFError) -> FileDescriptor {
        var attr = bpf_attr()
        attr.link_create.prog_fd = UInt32(bitPattern: programFD)
        attr.link_create.target_fd = 0
        attr.link_create.attach_type = attachType.rawValue
        attr.link_create.tracing.target_btf_id = 0
        attr.link_create.tracing.cookie = cookie
        return try Syscalls.bpfFD(BPF_LINK_CREATE, &attr, "BPF_LINK_CREATE(\(name))")
    }
}
