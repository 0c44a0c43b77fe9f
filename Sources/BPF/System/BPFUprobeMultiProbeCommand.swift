import CBPF

extension BPFCommands {
    /// `BPF_LINK_CREATE` with `BPF_TRACE_UPROBE_MULTI` (Linux 6.6) on `path` at one file
    /// offset, written at the UAPI offsets of `link_create.uprobe_multi` (path at 16, offsets at
    /// 24, cnt at 48), which the 6.1 headers the shim uses do not have. libbpf's feature probe
    /// calls it on "/" and reads EBADF (the path is not a regular file) as "supported", EINVAL
    /// (unknown attach type) as "not".
    package static func linkCreateUprobeMulti(programFD: Int32, path: String, offset: UInt64, name: String) throws(BPFError) -> FileDescriptor {
        var attr = bpf_attr()
        var offsets = [offset]
        let raw: Int32 = try withCString(path) { (p) throws(BPFError) in
            try offsets.withUnsafeMutableBufferPointer { (o) throws(BPFError) -> Int32 in
                withUnsafeMutableBytes(of: &attr) { bytes in
                    bytes.storeBytes(of: UInt32(bitPattern: programFD), toByteOffset: 0, as: UInt32.self)
                    bytes.storeBytes(of: AttachType.traceUprobeMulti.rawValue, toByteOffset: 8, as: UInt32.self)
                    bytes.storeBytes(of: address(p), toByteOffset: 16, as: UInt64.self)
                    bytes.storeBytes(of: UInt64(UInt(bitPattern: o.baseAddress)), toByteOffset: 24, as: UInt64.self)
                    bytes.storeBytes(of: UInt32(1), toByteOffset: 48, as: UInt32.self)
                }
                return try Syscalls.bpf(BPF_LINK_CREATE, &attr, "BPF_LINK_CREATE(\(name))")
            }
        }
        return try FileDescriptor(taking: raw)
    }
}
