/// `BPF_PROG_LOAD` with libbpf's verifier log strategy:
/// 1. Load at the requested log level; at level 0 no buffer is passed (a buffer with level 0 is
///    EINVAL). EAGAIN is retried up to 5 times.
/// 2. On failure, load again with `log_level` 1 (or the requested level) and a buffer that
///    starts at `logSize` (64 KiB) and doubles on ENOSPC up to 128 MiB, so the log is whole.
/// 3. Throw `BPFError.verifier` with the whole log and a hint for common failures.
///
/// Kernels since 6.4 report the needed size in `log_true_size`; the 6.1 headers lack it, so the
/// buffer is doubled instead.
enum ProgramLoader {
    static let maxLogSize = 128 * 1024 * 1024
    static let eagainRetries = 5

    /// Loads; returns the raw descriptor (the caller takes ownership) and the log if one was asked for.
    static func load(_ attrs: ProgramLoadAttributes) throws(BPFError) -> (fd: Int32, log: String) {
        guard !attrs.instructions.isEmpty else {
            throw .invalidArgument("program '\(attrs.name)' has no instructions")
        }
        let requested = attrs.logLevel ?? 0
        var firstErrno: BPFErrno? = nil
        if requested == 0 {
            switch attempt(attrs, logLevel: 0, log: nil) {
            case let .success(raw): return (raw, "")
            case let .failure(.syscall(_, e)): firstErrno = e
            case let .failure(other): throw other
            }
        }
        var size = max(attrs.logSize, 4096)
        while true {
            var buffer = [UInt8](repeating: 0, count: size)
            let result = buffer.withUnsafeMutableBytes { attempt(attrs, logLevel: max(requested, 1), log: $0) }
            let log = String(decoding: buffer.prefix(while: { $0 != 0 }), as: UTF8.self)
            switch result {
            case let .success(raw):
                return (raw, requested > 0 ? log : "")
            case let .failure(.syscall(_, e)):
                if e == .ENOSPC, size < maxLogSize {
                    size *= 2
                    continue
                }
                // ENOSPC with a full buffer of maximum size: report the first load's error.
                let errno = (e == .ENOSPC ? firstErrno : nil) ?? e
                throw .verifier(program: attrs.name, errno: errno, log: log, hint: hint(errno: errno, log: log, type: attrs.type))
            case let .failure(other):
                throw other
            }
        }
    }

    /// One load, retrying EAGAIN (the kernel returns it when a signal or memory pressure
    /// interrupted verification).
    static func attempt(_ attrs: ProgramLoadAttributes, logLevel: UInt32, log: UnsafeMutableRawBufferPointer?) -> Result<Int32, BPFError> {
        var tries = 0
        while true {
            let r = Result { () throws(BPFError) in try BPFCommands.progLoad(attrs, logLevel: logLevel, log: log) }
            if case let .failure(.syscall(_, e)) = r, e == .EAGAIN, tries < eagainRetries {
                tries += 1
                continue
            }
            return r
        }
    }

    /// A one-line explanation of a common failure, or nil.
    static func hint(errno: BPFErrno, log: String, type: ProgramType) -> String? {
        // libbpf poisons instructions of CO-RE relocations it could not resolve with a call to
        // helper 0xbad2310 (195896080).
        if log.contains("unknown#195896080") || log.contains("invalid func unknown#195896080") {
            return "an unresolved CO-RE relocation: a field, type or enum value the program uses does not exist in this kernel's BTF (the loader poisoned the instruction with call 0xbad2310)"
        }
        // "unknown func bpf_x#N" (older kernels) or "program of this type cannot use helper bpf_x#N".
        if let line = log.split(separator: "\n").first(where: { $0.contains("unknown func") || $0.contains("cannot use helper") }) {
            return "a helper is not available to \(type) programs on this kernel (\(String(line).strippingCharacters(" ")))"
        }
        if errno == .EPERM {
            return "not permitted: run as root (or with CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN); kernels before 5.11 also need a higher RLIMIT_MEMLOCK; kernel lockdown or a disabled program type (e.g. fentry/LSM here) also give EPERM"
        }
        if errno == .E2BIG {
            return "the program is too large or too complex for the verifier (over 1M processed instructions), or an attribute is larger than this kernel knows"
        }
        if errno == .ENOTSUPP || errno == .EOPNOTSUPP {
            return "this kernel does not support \(type) programs or one of the requested features"
        }
        if let last = lastVerifierMessage(log) {
            return "the verifier said: \(last)"
        }
        if errno == .EINVAL {
            return "the kernel rejected the load attributes before verification (program type, expected attach type, flags, license or BTF info)"
        }
        return nil
    }

    /// The verifier's last message, skipping its closing statistics lines.
    static func lastVerifierMessage(_ log: String) -> String? {
        let lines = log.split(separator: "\n").map { String($0).strippingCharacters(" \t") }.filter { !$0.isEmpty }
        return lines.last { line in
            !line.hasPrefix("processed ") && !line.hasPrefix("verification time") && !line.hasPrefix("stack depth")
                && !line.hasPrefix("max_states_per_insn") && !line.hasPrefix("mark_read")
        }
    }
}
