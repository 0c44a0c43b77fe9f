/// `prog_flags` of `BPF_PROG_LOAD`.
public struct ProgramFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// `BPF_F_STRICT_ALIGNMENT`.
    public static let strictAlignment = ProgramFlags(rawValue: 1 << 0)
    /// `BPF_F_ANY_ALIGNMENT`.
    public static let anyAlignment = ProgramFlags(rawValue: 1 << 1)
    /// `BPF_F_SLEEPABLE`: set by libbpf for `.s` section variants.
    public static let sleepable = ProgramFlags(rawValue: 1 << 4)
    /// `BPF_F_XDP_HAS_FRAGS`: set by libbpf for `xdp.frags` sections.
    public static let xdpHasFrags = ProgramFlags(rawValue: 1 << 5)
}

/// `map_flags` of `BPF_MAP_CREATE`.
public struct MapFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// `BPF_F_NO_PREALLOC`.
    public static let noPrealloc = MapFlags(rawValue: 1 << 0)
    /// `BPF_F_NO_COMMON_LRU`.
    public static let noCommonLRU = MapFlags(rawValue: 1 << 1)
    /// `BPF_F_NUMA_NODE`.
    public static let numaNode = MapFlags(rawValue: 1 << 2)
    /// `BPF_F_RDONLY`: read-only from user space.
    public static let readOnly = MapFlags(rawValue: 1 << 3)
    /// `BPF_F_WRONLY`.
    public static let writeOnly = MapFlags(rawValue: 1 << 4)
    /// `BPF_F_RDONLY_PROG`: read-only for programs; with a frozen map, the verifier treats contents as constants.
    public static let readOnlyProgram = MapFlags(rawValue: 1 << 7)
    /// `BPF_F_WRONLY_PROG`.
    public static let writeOnlyProgram = MapFlags(rawValue: 1 << 8)
    /// `BPF_F_MMAPABLE`: array contents can be mmap'ed.
    public static let mmapable = MapFlags(rawValue: 1 << 10)
    /// `BPF_F_INNER_MAP`.
    public static let innerMap = MapFlags(rawValue: 1 << 12)
}
