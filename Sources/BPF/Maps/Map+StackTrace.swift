/// Stack traces stored by `bpf_get_stackid()` in a `BPF_MAP_TYPE_STACK_TRACE` map: the key is
/// the stack id (u32) the helper returned, the value `max_depth` u64 instruction pointers,
/// innermost first, padded with zeros. Symbolise them with `KernelSymbols` (kernel stacks) or
/// `ProcessSymbolizer` (stacks taken with `BPF_F_USER_STACK`).
extension Map {
    /// `BPF_F_STACK_BUILD_ID` (1 << 5): values are `struct bpf_stack_build_id` (build id +
    /// offset), not addresses.
    static let stackBuildIDFlag: UInt32 = 1 << 5

    /// The addresses of stack `id`, innermost frame first, up to the first zero; nil if the
    /// map holds no such stack (never stored, or deleted).
    /// - Throws: `.invalidArgument` if this is not a stack-trace map of addresses.
    public func stackTrace(id: UInt32) throws(BPFError) -> [UInt64]? {
        try checkStackTraceMap()
        return try withUnsafeTemporaryAllocation(byteCount: valueSize, alignment: 8) { buffer in
            Result { () throws(BPFError) -> [UInt64]? in
                let found = try withUnsafeBytes(of: id) { (key) throws(BPFError) -> Bool in
                    try lookup(rawKey: key, into: buffer)
                }
                guard found else { return nil }
                var frames: [UInt64] = []
                for slot in 0..<(valueSize / 8) {
                    let ip = buffer.loadUnaligned(fromByteOffset: slot * 8, as: UInt64.self)
                    if ip == 0 { break }
                    frames.append(ip)
                }
                return frames
            }
        }.get()
    }

    /// The addresses of the stack whose id a BPF program stored as a signed value (the return
    /// value of `bpf_get_stackid()`): nil for a negative id, which is the helper's `-errno`
    /// (`-EFAULT`: no stack of that kind, e.g. no user stack for a kernel thread; `-EEXIST`: a
    /// hash collision with `BPF_F_FAST_STACK_CMP`/without `BPF_F_REUSE_STACKID`; `-ENOMEM`).
    public func stackTrace(signedID id: Int32) throws(BPFError) -> [UInt64]? {
        guard id >= 0 else { return nil }
        return try stackTrace(id: UInt32(id))
    }

    /// Removes stack `id` so the kernel can reuse its bucket; true if it was there.
    @discardableResult
    public func deleteStackTrace(id: UInt32) throws(BPFError) -> Bool {
        try checkStackTraceMap()
        return try delete(key: id)
    }

    /// The frames a value holds at most (`max_depth`, from the value size).
    public var stackTraceDepth: Int { valueSize / 8 }

    func checkStackTraceMap() throws(BPFError) {
        guard type == .stackTrace else {
            throw .invalidArgument("map '\(name)' (\(type)) is not a stack-trace map (BPF_MAP_TYPE_STACK_TRACE)")
        }
        guard flags.rawValue & Self.stackBuildIDFlag == 0 else {
            throw .invalidArgument("map '\(name)' stores build ids (BPF_F_STACK_BUILD_ID), not addresses")
        }
        guard keySize == 4, valueSize % 8 == 0, valueSize > 0 else {
            throw .invalidArgument("map '\(name)' has \(keySize)-byte keys and \(valueSize)-byte values; a stack-trace map has u32 keys and u64 frames")
        }
    }
}
