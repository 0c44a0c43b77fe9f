import CBPF

extension BPFCommands {
    /// `BPF_LINK_CREATE` with `BPF_TRACE_UPROBE_MULTI` (Linux 6.6): one link attaching the
    /// program at every file offset of `path`, written at the UAPI offsets of
    /// `link_create.uprobe_multi` (path at 16, offsets at 24, ref_ctr_offsets at 32, cookies at
    /// 40, cnt at 48, flags at 52, pid at 56), which the 6.1 headers the shim uses do not have.
    /// `referenceCounterOffsets` and `cookies` are nil or one per offset; `pid` 0 means every
    /// process. libbpf's feature probe calls it on "/" and reads EBADF (the path is not a regular
    /// file) as "supported", EINVAL (unknown attach type) as "not".
    package static func linkCreateUprobeMulti(programFD: Int32, path: String, offsets: [UInt64], referenceCounterOffsets: [UInt64]? = nil,
                                              cookies: [UInt64]? = nil, pid: UInt32 = 0, name: String) throws(BPFError) -> FileDescriptor {
        precondition(referenceCounterOffsets.map { $0.count == offsets.count } ?? true && cookies.map { $0.count == offsets.count } ?? true)
        var attr = bpf_attr()
        let raw: Int32 = try withCString(path) { (p) throws(BPFError) in
            try offsets.withUnsafeBufferPointer { (o) throws(BPFError) -> Int32 in
                try (referenceCounterOffsets ?? []).withUnsafeBufferPointer { (r) throws(BPFError) -> Int32 in
                    try (cookies ?? []).withUnsafeBufferPointer { (c) throws(BPFError) -> Int32 in
                        withUnsafeMutableBytes(of: &attr) { bytes in
                            bytes.storeBytes(of: UInt32(bitPattern: programFD), toByteOffset: 0, as: UInt32.self)
                            bytes.storeBytes(of: AttachType.traceUprobeMulti.rawValue, toByteOffset: 8, as: UInt32.self)
                            bytes.storeBytes(of: address(p), toByteOffset: 16, as: UInt64.self)
                            bytes.storeBytes(of: UInt64(UInt(bitPattern: o.baseAddress)), toByteOffset: 24, as: UInt64.self)
                            if referenceCounterOffsets != nil {
                                bytes.storeBytes(of: UInt64(UInt(bitPattern: r.baseAddress)), toByteOffset: 32, as: UInt64.self)
                            }
                            if cookies != nil {
                                bytes.storeBytes(of: UInt64(UInt(bitPattern: c.baseAddress)), toByteOffset: 40, as: UInt64.self)
                            }
                            bytes.storeBytes(of: UInt32(offsets.count), toByteOffset: 48, as: UInt32.self)
                            bytes.storeBytes(of: pid, toByteOffset: 56, as: UInt32.self)
                        }
                        return try Syscalls.bpf(BPF_LINK_CREATE, &attr, "BPF_LINK_CREATE(\(name))")
                    }
                }
            }
        }
        return try FileDescriptor(taking: raw)
    }
}
