import BPF
import Testing

/// `BPFError`'s structured accessors: what a caller tests instead of the message's text, which
/// stays as it was.
@Suite struct BPFErrorFieldsTests {
    @Test func syscallErrorCarriesErrnoOperationAndSubject() {
        let error = BPFError.syscall(operation: "BPF_MAP_CREATE(events)", errno: .EPERM)
        #expect(error.kind == .syscall)
        #expect(error.errno == .EPERM)
        #expect(error.operation == "BPF_MAP_CREATE(events)")
        #expect(error.subjectName == "events")
        #expect(error.programName == nil)
        #expect(error.verifierLog == nil)
        #expect(error.description == "BPF_MAP_CREATE(events) failed: EPERM (Operation not permitted) (are you root, with CAP_BPF and CAP_PERFMON?)")
    }

    @Test func verifierErrorCarriesProgramLogAndHint() {
        let error = BPFError.verifier(program: "handle_exec", errno: .EACCES, log: "R0 invalid mem access", hint: "check for NULL")
        #expect(error.kind == .verifier)
        #expect(error.errno == .EACCES)
        #expect(error.programName == "handle_exec")
        #expect(error.subjectName == "handle_exec")
        #expect(error.verifierLog == "R0 invalid mem access")
        #expect(error.hint == "check for NULL")
        #expect(error.description == "program 'handle_exec' was rejected by the kernel: EACCES (Permission denied)\nhint: check for NULL\nverifier log:\nR0 invalid mem access")
    }

    @Test func errorsFoundWithoutTheKernelHaveNoErrno() {
        let cases: [(BPFError, BPFError.Kind)] = [
            (.malformedObject("no .text"), .malformedObject),
            (.malformedBTF("bad magic"), .malformedBTF),
            (.coreRelocation(program: "p", "no field"), .coreRelocation),
            (.missing("map 'x'"), .missing),
            (.notSupported(feature: "kprobe", reason: "off"), .notSupported),
            (.invalidArgument("size"), .invalidArgument),
        ]
        for (error, kind) in cases {
            #expect(error.kind == kind)
            #expect(error.errno == nil)
            #expect(error.operation == nil)
        }
        #expect(BPFError.coreRelocation(program: "p", "no field").programName == "p")
        #expect(BPFError.btfRejected(errno: .EINVAL, log: "bad").verifierLog == "bad")
        #expect(BPFError.btfRejected(errno: .EINVAL, log: "bad").errno == .EINVAL)
        #expect(BPFError.syscall(operation: "mmap", errno: .ENOSPC).subjectName == nil)
    }
}
