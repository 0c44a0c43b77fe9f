/// The language a tool's BPF program was written in, for tools that have both (execsnoop,
/// runqlat, the firewall): the C program
/// (`bpf/NAME.bpf.c`) and its Swift twin (`bpf/NAME_swift.bpf.swift`), which declares the same
/// programs, maps, globals and records, so both load through the bindings generated from the C.
///
/// The default is chosen at build time: `SWIFTBPF_BPF_LANGUAGE=swift swift build` (Package.swift
/// then defines `SWIFTBPF_SWIFT_PROGRAMS` for this module) makes the tools load their Swift
/// twins; otherwise C. It lives in `BPF` so that every module with a twin (SwiftBPFTools,
/// SwiftBPFNet) shares one choice.
/// Tests pass a language explicitly to run both.
public enum BPFProgramLanguage: String, Sendable, CaseIterable, CustomStringConvertible {
    case c
    case swift

    /// The language this build loads unless told otherwise.
    public static var buildDefault: BPFProgramLanguage {
        #if SWIFTBPF_SWIFT_PROGRAMS
        .swift
        #else
        .c
        #endif
    }

    public var description: String { self == .c ? "C" : "Swift" }
}
