import BPF

/// opensnoop: every open(2), openat(2) and openat2(2), from the `syscalls` enter/exit
/// tracepoints. Failed-only and path-prefix filters run in the kernel, with the common ones.
public enum OpenSnoop {
    /// opensnoop's own filters.
    public struct Options: Sendable {
        /// Only opens that failed (BCC's `-x`).
        public var failedOnly: Bool
        /// Only paths (as passed by the process) starting with this text, at most 255 bytes.
        public var pathPrefix: String?
        /// For paths relative to the working directory, capture that directory in the kernel
        /// (BCC's `-F`), so the event shows the full path.
        public var fullPath: Bool

        public init(failedOnly: Bool = false, pathPrefix: String? = nil, fullPath: Bool = false) {
            self.failedOnly = failedOnly
            self.pathPrefix = pathPrefix
            self.fullPath = fullPath
        }
    }

    /// What counting mode counts an open under (`KernelCounts.Count.outcome`).
    public enum Outcome {
        public static let succeeded: UInt32 = 0
        public static let failed: UInt32 = 1
    }

    /// Loads and attaches opensnoop in counting mode: every open that passes the filters is
    /// counted in the kernel per cgroup, command and `Outcome`, and only one in `sampleEvery` of
    /// them (1: every one), at most `counting.eventsPerSecond`, is sent as an event. For a reader
    /// that wants a host's open rate exactly without paying for each open in user space.
    public static func startCounting(filter: ToolFilter = ToolFilter(), options: Options = Options(), sampleEvery: UInt32,
                                     counting: CountingOptions = CountingOptions(),
                                     ringBufferSize: UInt32? = nil) throws(BPFError) -> (ToolSession, KernelCounts) {
        guard sampleEvery >= 1 else { throw .invalidArgument("opens: sample every must be at least 1, got 0") }
        var config = try configuration(options)
        try counting.apply(to: &config)
        config.targSample = sampleEvery
        let (bindings, session) = try ToolSession.load(OpensnoopObject.self, config: config, filter: filter,
                                                       ringBufferSize: ringBufferSize, attach: attach)
        return (session, KernelCounts(bindings))
    }

    /// The longest path prefix the kernel side compares (`OPEN_PREFIX_MAX` - 1).
    public static let maxPrefixLength = 255

    /// Loads and attaches opensnoop. Events arrive in the session's ring buffer; decode them
    /// with `OpenEvent(record:)`.
    public static func start(filter: ToolFilter = ToolFilter(), options: Options = Options(),
                             ringBufferSize: UInt32? = nil) throws(BPFError) -> ToolSession {
        try ToolSession.load(OpensnoopObject.self, config: configuration(options), filter: filter, ringBufferSize: ringBufferSize,
                             attach: attach).1
    }

    static func configuration(_ options: Options) throws(BPFError) -> OpensnoopObject.Config {
        if let prefix = options.pathPrefix, prefix.isEmpty || prefix.utf8.count > maxPrefixLength {
            throw .invalidArgument("--path-prefix must be 1 to \(maxPrefixLength) bytes, got \(prefix.utf8.count)")
        }
        var config = OpensnoopObject.Config()
        config.targFailed = options.failedOnly ? 1 : 0
        config.targFullPath = options.fullPath ? 1 : 0
        if let prefix = options.pathPrefix {
            config.targPrefixString = prefix
            config.targPrefixLen = UInt32(prefix.utf8.count)
        }
        return config
    }

    /// openat(2) and openat2(2) always; open(2) where the architecture has it (x86-64 does,
    /// arm64 has no `syscalls:sys_enter_open`).
    static func attach(_ o: OpensnoopObject) throws(BPFError) -> [Link] {
        var links = [try o.enterOpenat.attach(), try o.exitOpenat.attach(), try o.enterOpenat2.attach(), try o.exitOpenat2.attach()]
        if let enter = try? o.enterOpen.attach(), let exit = try? o.exitOpen.attach() { links += [enter, exit] }
        return links
    }
}

extension OpensnoopObject: ToolCountingObject {}
extension OpensnoopObject.Config: ToolCountingConfig {}
extension OpensnoopObject.Config.MaxEntries: ToolCountingMaxEntries {}
extension OpensnoopObject.ToolCountKey: ToolCountKeyBinding {}
extension OpensnoopObject.ToolRateWindow: ToolRateWindowBinding {}
extension OpensnoopObject.ToolTask: ToolTaskBinding {}
