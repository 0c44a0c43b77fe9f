/// What a kprobe-family section name asks for, parsed as libbpf's `attach_kprobe` and
/// `attach_ksyscall` parse it. Pure: no kernel access.
public struct KprobeSection: Sendable, Equatable {
    /// What the probe attaches to.
    public enum Target: Sendable, Equatable {
        /// `kprobe/FUNC[+OFFSET]`, `kretprobe/FUNC`.
        case function(String, offset: UInt64)
        /// `ksyscall/NAME`, `kretsyscall/NAME`: the system call, resolved to its kernel
        /// function (`__x64_sys_NAME`) at attach time.
        case syscall(String)
    }

    /// The function or address.
    public var target: Target
    /// Whether it fires on return (a kretprobe).
    public var retprobe: Bool

    /// A kprobe on `target`, or a kretprobe with `retprobe`.
    public init(target: Target, retprobe: Bool) {
        self.target = target
        self.retprobe = retprobe
    }

    /// Parses `kprobe/FUNC`, `kprobe/FUNC+OFF` (OFF in decimal, `0x` hex or `0` octal, as C's
    /// `%li`), `kretprobe/FUNC`, `ksyscall/NAME`, `kretsyscall/NAME`. Returns nil for the bare
    /// `kprobe`, `kretprobe`, `ksyscall` and `kretsyscall`, which libbpf does not auto-attach.
    /// Throws for anything else: an empty or invalid name, a bad offset, an offset on a
    /// kretprobe.
    public static func parse(_ section: String) throws(BPFError) -> KprobeSection? {
        let parts = section.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let kind = parts[0]
        guard ["kprobe", "kretprobe", "ksyscall", "kretsyscall"].contains(kind) else {
            throw .invalidArgument("section '\(section)' is not a kprobe, kretprobe, ksyscall or kretsyscall section")
        }
        guard parts.count == 2 else { return nil }
        let rest = parts[1]
        let retprobe = kind == "kretprobe" || kind == "kretsyscall"
        if kind == "ksyscall" || kind == "kretsyscall" {
            guard isName(rest) else {
                throw .invalidArgument("section '\(section)': '\(rest)' is not a system call name (letters, digits, '_')")
            }
            return KprobeSection(target: .syscall(rest), retprobe: retprobe)
        }
        let pieces = rest.split(separator: "+", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let function = pieces[0]
        guard isName(function) else {
            throw .invalidArgument("section '\(section)': kprobe name '\(function)' is invalid (letters, digits, '_', '.')")
        }
        var offset: UInt64 = 0
        if pieces.count == 2 {
            guard let value = parseCInteger(pieces[1]) else {
                throw .invalidArgument("section '\(section)': offset '\(pieces[1])' is not a number")
            }
            offset = value
        }
        if retprobe && offset != 0 {
            throw .invalidArgument("section '\(section)': kretprobes do not support an offset")
        }
        return KprobeSection(target: .function(function, offset: offset), retprobe: retprobe)
    }

    static func isName(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count < 256 && s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5a) || ($0 >= 0x61 && $0 <= 0x7a) || $0 == 0x5f || $0 == 0x2e }
    }

    /// A non-negative integer as C's `strtol` base 0 reads it: `0x1f`, `017`, `31`.
    static func parseCInteger(_ text: String) -> UInt64? {
        if text.hasPrefix("0x") || text.hasPrefix("0X") { return UInt64(text.dropFirst(2), radix: 16) }
        if text.count > 1, text.hasPrefix("0") { return UInt64(text.dropFirst(), radix: 8) }
        return UInt64(text, radix: 10)
    }
}

extension BPFObject {
    /// Auto-attach for `SEC("kprobe/FUNC[+OFF]")`, `SEC("kretprobe/FUNC")`,
    /// `SEC("ksyscall/NAME")` and `SEC("kretsyscall/NAME")`, as libbpf's `attach_kprobe` and
    /// `attach_ksyscall`.
    func attachKprobeSection(program: Program, spec: ProgramSpec) throws(BPFError) -> Link {
        guard let section = try KprobeSection.parse(spec.sectionName) else {
            throw .invalidArgument("program '\(spec.name)': section '\(spec.sectionName)' names no kernel function; attach it with KprobeProgram.attach(function:)")
        }
        switch section.target {
        case let .function(function, offset):
            return try Link.attachKprobe(program: program, function: function, offset: offset, retprobe: section.retprobe)
        case let .syscall(name):
            return try Link.attachKsyscall(program: program, syscall: name, retprobe: section.retprobe)
        }
    }
}
