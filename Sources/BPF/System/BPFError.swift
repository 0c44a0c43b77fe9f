/// Every error the library throws. Each case names its cause; kernel errors carry the errno and,
/// for program loads, the verifier's whole log.
public enum BPFError: Error, CustomStringConvertible, Sendable {
    /// A system call failed. `operation` names it, e.g. `BPF_MAP_CREATE(events)`.
    case syscall(operation: String, errno: BPFErrno)
    /// The verifier (or `BPF_PROG_LOAD`) rejected a program.
    case verifier(program: String, errno: BPFErrno, log: String, hint: String?)
    /// `BPF_BTF_LOAD` rejected BTF; the log is the kernel's BTF verifier log.
    case btfRejected(errno: BPFErrno, log: String)
    /// An ELF object could not be parsed.
    case malformedObject(String)
    /// BTF could not be parsed.
    case malformedBTF(String)
    /// A CO-RE relocation could not be applied.
    case coreRelocation(program: String, String)
    /// The object refers to something it does not define (a map, a section, a symbol).
    case missing(String)
    /// The running kernel lacks a feature. `feature` names it.
    case notSupported(feature: String, reason: String)
    /// An argument was wrong: a flag, a size, a name.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .syscall(op, errno):
            var text = "\(op) failed: \(errno)"
            if errno == .EPERM { text += " (are you root, with CAP_BPF and CAP_PERFMON?)" }
            return text
        case let .verifier(program, errno, log, hint):
            var text = "program '\(program)' was rejected by the kernel: \(errno)"
            if let hint { text += "\nhint: \(hint)" }
            if !log.isEmpty { text += "\nverifier log:\n\(log)" }
            return text
        case let .btfRejected(errno, log):
            return "BPF_BTF_LOAD rejected the object's BTF: \(errno)" + (log.isEmpty ? "" : "\nBTF log:\n\(log)")
        case let .malformedObject(why): return "malformed BPF object: \(why)"
        case let .malformedBTF(why): return "malformed BTF: \(why)"
        case let .coreRelocation(program, why): return "CO-RE relocation failed in program '\(program)': \(why)"
        case let .missing(what): return "missing: \(what)"
        case let .notSupported(feature, reason): return "\(feature) is not supported by this kernel: \(reason)"
        case let .invalidArgument(why): return "invalid argument: \(why)"
        }
    }
}
