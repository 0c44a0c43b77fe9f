import BPF

/// exitsnoop: every process exit (or every thread exit) with its exit code or killing signal
/// and its lifetime, from `sched:sched_process_exit`.
public enum ExitSnoop {
    /// exitsnoop's own filters.
    public struct Options: Sendable {
        /// Every thread's exit, not only whole processes (BCC's `--per-thread`).
        public var threads: Bool
        /// Only exits with a non-zero code or a signal (BCC's `-x`).
        public var failedOnly: Bool

        public init(threads: Bool = false, failedOnly: Bool = false) {
            self.threads = threads
            self.failedOnly = failedOnly
        }
    }

    /// What counting mode counts an exit under (`KernelCounts.Count.outcome`).
    public enum Outcome {
        /// Exit code 0.
        public static let ok: UInt32 = 0
        /// Another exit code.
        public static let error: UInt32 = 1
        /// Killed by a signal.
        public static let signal: UInt32 = 2
    }

    /// Loads and attaches exitsnoop; decode records with `ExitEvent(record:)`.
    public static func start(filter: ToolFilter = ToolFilter(), options: Options = Options(),
                             ringBufferSize: UInt32? = nil) throws(BPFError) -> ToolSession {
        try ToolSession.load(ExitsnoopObject.self, config: configuration(options), filter: filter, ringBufferSize: ringBufferSize).1
    }

    /// Loads exitsnoop in counting mode: every exit that passes the filters is counted in the
    /// kernel per cgroup, command and `Outcome`, and at most `counting.eventsPerSecond` of them
    /// are sent as events.
    public static func startCounting(filter: ToolFilter = ToolFilter(), options: Options = Options(), counting: CountingOptions,
                                     ringBufferSize: UInt32? = nil) throws(BPFError) -> (ToolSession, KernelCounts) {
        var config = configuration(options)
        try counting.apply(to: &config)
        let (bindings, session) = try ToolSession.load(ExitsnoopObject.self, config: config, filter: filter, ringBufferSize: ringBufferSize)
        return (session, KernelCounts(bindings))
    }

    static func configuration(_ options: Options) -> ExitsnoopObject.Config {
        var config = ExitsnoopObject.Config()
        config.targThreads = options.threads ? 1 : 0
        config.targFailed = options.failedOnly ? 1 : 0
        return config
    }
}

extension ExitsnoopObject: ToolCountingObject {}
extension ExitsnoopObject.Config: ToolCountingConfig {}
extension ExitsnoopObject.Config.MaxEntries: ToolCountingMaxEntries {}
extension ExitsnoopObject.ToolCountKey: ToolCountKeyBinding {}
extension ExitsnoopObject.ToolRateWindow: ToolRateWindowBinding {}
extension ExitsnoopObject.ToolTask: ToolTaskBinding {}
