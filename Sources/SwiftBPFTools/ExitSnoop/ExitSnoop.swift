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

    /// Loads and attaches exitsnoop; decode records with `ExitEvent(record:)`.
    public static func start(filter: ToolFilter = ToolFilter(), options: Options = Options(),
                             ringBufferSize: UInt32? = nil) throws(BPFError) -> ToolSession {
        var config = ExitsnoopObject.Config()
        config.targThreads = options.threads ? 1 : 0
        config.targFailed = options.failedOnly ? 1 : 0
        return try ToolSession.load(ExitsnoopObject.self, config: config, filter: filter, ringBufferSize: ringBufferSize).1
    }
}

extension ExitsnoopObject: ToolObject {}
extension ExitsnoopObject.Config: ToolFilterConfig {}
extension ExitsnoopObject.Config.MaxEntries: ToolMaxEntries {}
extension ExitsnoopObject.ToolTask: ToolTaskBinding {}
