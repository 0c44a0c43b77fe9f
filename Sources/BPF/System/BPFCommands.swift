import CBPF

/// Typed wrappers of the bpf(2) commands the runtime uses. Each fills a zeroed `union bpf_attr`,
/// keeps every buffer it points to alive for the duration of the call, and goes through
/// `Syscalls.bpf`. Errors name the UAPI command and the object, e.g. `BPF_MAP_CREATE(events)`.
///
/// The installed UAPI headers are from Linux 6.1. Fields added later (for example
/// `log_true_size` of `BPF_PROG_LOAD`/`BPF_BTF_LOAD`, 6.4) are not used; the wrappers work on
/// kernels that have them because the kernel accepts a shorter `bpf_attr` whose tail it zero-fills.
package enum BPFCommands {
    /// The address of a buffer as the UAPI's `__aligned_u64`.
    @inline(__always)
    static func address(_ p: UnsafeRawPointer?) -> UInt64 {
        UInt64(UInt(bitPattern: p))
    }

    /// Runs `body` with the bytes of `array`, passing typed errors through.
    @inline(__always)
    static func withBytes<R>(_ array: [UInt8], _ body: (UnsafeRawBufferPointer) throws(BPFError) -> R) throws(BPFError) -> R {
        try array.withUnsafeBytes { p in Result { () throws(BPFError) in try body(p) } }.get()
    }

    /// Runs `body` with a NUL-terminated C string, passing typed errors through.
    @inline(__always)
    static func withCString<R>(_ string: String, _ body: (UnsafePointer<CChar>) throws(BPFError) -> R) throws(BPFError) -> R {
        try string.withCString { p in Result { () throws(BPFError) in try body(p) } }.get()
    }

    /// Writes `name` into a `char[BPF_OBJ_NAME_LEN]` field: at most 15 bytes and a NUL. Characters
    /// the kernel rejects in object names (anything but letters, digits, `_` and `.`) become `_`.
    static func setObjectName<T>(_ field: inout T, _ name: String) {
        withUnsafeMutableBytes(of: &field) { raw in
            let limit = min(raw.count - 1, Int(BPF_OBJ_NAME_LEN) - 1)
            var i = 0
            for byte in name.utf8 where i < limit {
                let ok = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
                    || byte == 0x5f || byte == 0x2e
                raw[i] = ok ? byte : 0x5f
                i += 1
            }
            while i < raw.count { raw[i] = 0; i += 1 }
        }
    }

    /// Reads a NUL-terminated `char[N]` field.
    static func objectName<T>(_ field: T) -> String {
        withUnsafeBytes(of: field) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
    }

    /// Whether `error` is a failed system call with errno `code`.
    static func isErrno(_ error: BPFError, _ code: BPFErrno) -> Bool {
        if case let .syscall(_, errno) = error, errno == code { return true }
        return false
    }

    /// Runs `body`; returns false instead of throwing when it fails with ENOENT ("no such element").
    @inline(__always)
    static func found(_ body: () throws(BPFError) -> Void) throws(BPFError) -> Bool {
        do {
            try body()
            return true
        } catch {
            if isErrno(error, .ENOENT) { return false }
            throw error
        }
    }
}
