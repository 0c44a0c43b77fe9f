extension BPFError {
    /// What kind of failure an error is, without its data: `error.kind == .verifier`.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A system call failed (``BPFError/syscall(operation:errno:)``).
        case syscall
        /// The verifier rejected a program (``BPFError/verifier(program:errno:log:hint:)``).
        case verifier
        /// `BPF_BTF_LOAD` rejected BTF (``BPFError/btfRejected(errno:log:)``).
        case btfRejected
        /// An ELF object could not be parsed (``BPFError/malformedObject(_:)``).
        case malformedObject
        /// BTF could not be parsed (``BPFError/malformedBTF(_:)``).
        case malformedBTF
        /// A CO-RE relocation could not be applied (``BPFError/coreRelocation(program:_:)``).
        case coreRelocation
        /// Something the object refers to is not there (``BPFError/missing(_:)``).
        case missing
        /// The kernel lacks a feature (``BPFError/notSupported(feature:reason:)``).
        case notSupported
        /// An argument was wrong (``BPFError/invalidArgument(_:)``).
        case invalidArgument
    }

    /// The kind of failure.
    public var kind: Kind {
        switch self {
        case .syscall: .syscall
        case .verifier: .verifier
        case .btfRejected: .btfRejected
        case .malformedObject: .malformedObject
        case .malformedBTF: .malformedBTF
        case .coreRelocation: .coreRelocation
        case .missing: .missing
        case .notSupported: .notSupported
        case .invalidArgument: .invalidArgument
        }
    }

    /// The kernel's error number, for failures the kernel reported: `error.errno == .EPERM`.
    /// Nil for errors found without asking the kernel (parsing, arguments, missing names).
    public var errno: BPFErrno? {
        switch self {
        case let .syscall(_, errno), let .verifier(_, errno, _, _), let .btfRejected(errno, _): errno
        default: nil
        }
    }

    /// The failed system call and what it was about, e.g. `BPF_MAP_CREATE(events)`, for
    /// ``Kind/syscall`` errors.
    public var operation: String? {
        if case let .syscall(operation, _) = self { return operation }
        return nil
    }

    /// The program the error is about: the one the verifier rejected or whose CO-RE relocation
    /// failed.
    public var programName: String? {
        switch self {
        case let .verifier(program, _, _, _), let .coreRelocation(program, _): program
        default: nil
        }
    }

    /// The name of the program, map, link or object a failed system call was about, where the
    /// operation names one (`events` in `BPF_MAP_CREATE(events)`), or the rejected program.
    public var subjectName: String? {
        if let programName { return programName }
        guard let operation, let open = operation.firstIndex(of: "("), operation.hasSuffix(")") else { return nil }
        let name = operation[operation.index(after: open)..<operation.index(before: operation.endIndex)]
        return name.isEmpty ? nil : String(name)
    }

    /// The kernel's log: the verifier's for a rejected program, the BTF verifier's for rejected
    /// BTF. Nil for other errors, and empty when the kernel wrote none.
    public var verifierLog: String? {
        switch self {
        case let .verifier(_, _, log, _), let .btfRejected(_, log): log
        default: nil
        }
    }

    /// A suggestion for a rejected program, when the log matches a known cause.
    public var hint: String? {
        if case let .verifier(_, _, _, hint) = self { return hint }
        return nil
    }
}
