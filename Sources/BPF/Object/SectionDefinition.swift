/// One entry of libbpf's `SEC()` table (`libbpf.c: section_defs[]`): which program type and
/// expected attach type a section name selects, and the load-time options that go with it.
///
/// Matching follows `sec_def_matches()`:
/// - a plain pattern (`"xdp"`) matches only that exact name;
/// - `"x+"` matches `x` exactly or `x/` followed by anything;
/// - `"x/"` requires the prefix `x/`.
public struct SectionDefinition: Hashable, Sendable, CustomStringConvertible {
    /// libbpf's `enum sec_def_flags`.
    public struct Options: OptionSet, Hashable, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        /// `SEC_EXP_ATTACH_OPT`: the expected attach type is dropped on kernels that do not support one.
        public static let expectedAttachTypeOptional = Options(rawValue: 1)
        /// `SEC_ATTACHABLE`: legacy marker for programs attached with `BPF_PROG_ATTACH`.
        public static let attachable = Options(rawValue: 2)
        /// `SEC_ATTACH_BTF`: the attach target is a BTF id, named after the first '/' of the section.
        public static let attachBTF = Options(rawValue: 4)
        /// `SEC_SLEEPABLE`: load with `BPF_F_SLEEPABLE`.
        public static let sleepable = Options(rawValue: 8)
        /// `SEC_XDP_FRAGS`: load XDP programs with `BPF_F_XDP_HAS_FRAGS`.
        public static let xdpFrags = Options(rawValue: 16)
        /// `SEC_USDT`: libbpf switches the expected attach type to `BPF_TRACE_UPROBE_MULTI` when the
        /// kernel supports uprobe-multi links.
        public static let usdt = Options(rawValue: 32)
        /// `SEC_ATTACHABLE_OPT`.
        public static let attachableOptional: Options = [.attachable, .expectedAttachTypeOptional]
    }

    /// The pattern as libbpf writes it, e.g. `"kprobe+"`, `"cgroup/connect4"`.
    public let pattern: String
    /// `prog_type` for `BPF_PROG_LOAD`.
    public let programType: ProgramType
    /// `expected_attach_type` for `BPF_PROG_LOAD` (`.none` = 0).
    public let expectedAttachType: AttachType
    /// libbpf's flags for this entry.
    public let options: Options

    /// A row of the section table: `pattern`, its program and attach types, and options.
    public init(_ pattern: String, _ programType: ProgramType, _ expectedAttachType: AttachType, _ options: Options = []) {
        self.pattern = pattern
        self.programType = programType
        self.expectedAttachType = expectedAttachType
        self.options = options
    }

    /// The `prog_flags` libbpf adds at load (`libbpf_prepare_prog_load()`): `BPF_F_SLEEPABLE` for
    /// sleepable entries, `BPF_F_XDP_HAS_FRAGS` for XDP frags entries.
    public var programFlags: ProgramFlags {
        var flags: ProgramFlags = []
        if options.contains(.sleepable) { flags.insert(.sleepable) }
        if options.contains(.xdpFrags) && programType == .xdp { flags.insert(.xdpHasFrags) }
        return flags
    }

    /// The program is loaded against a kernel BTF id (`attach_btf_id`): tp_btf, fentry, fexit,
    /// fmod_ret, freplace, lsm, iter and their variants.
    public var needsAttachBTFID: Bool { options.contains(.attachBTF) }

    /// Whether `sectionName` (already without a leading '?') selects this entry.
    public func matches(_ sectionName: String) -> Bool {
        var pat = Substring(pattern)
        if pat.last == "/" { return sectionName.hasPrefix(pat) }
        if pat.last == "+" {
            pat.removeLast()
            guard sectionName.hasPrefix(pat) else { return false }
            let rest = sectionName.utf8.dropFirst(pat.utf8.count)
            return rest.isEmpty || rest.first == UInt8(ascii: "/")
        }
        return sectionName == pat
    }

    /// The text after the first '/' of the section name: the attach target libbpf reads for BTF
    /// attach (`fentry/do_unlinkat` → `do_unlinkat`) and auto-attach (`tp/syscalls/sys_enter_execve`
    /// → `syscalls/sys_enter_execve`). Nil if the name has no '/' or the entry is an exact name
    /// (e.g. `cgroup/connect4`, whose '/' is part of the name).
    public func attachTarget(in sectionName: String) -> String? {
        guard pattern.last == "+" || pattern.last == "/" else { return nil }
        guard let slash = sectionName.firstIndex(of: "/") else { return nil }
        return String(sectionName[sectionName.index(after: slash)...])
    }

    public var description: String {
        "SEC(\"\(pattern)\") → \(programType), eat \(expectedAttachType.rawValue)"
    }

    /// The first table entry matching `sectionName` (`find_sec_def()`), or nil. A nil result means
    /// program type `BPF_PROG_TYPE_UNSPEC`, which the kernel rejects at load.
    /// - Parameter sectionName: the section name without a leading '?'.
    public static func find(_ sectionName: String) -> SectionDefinition? {
        all.first { $0.matches(sectionName) }
    }
}
