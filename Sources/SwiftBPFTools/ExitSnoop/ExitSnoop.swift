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
        try ToolSession(EmbeddedObjects.exitsnoop, filter: filter, ringBufferSize: ringBufferSize) { opts in
            if options.threads { opts.set("targ_threads", to: UInt8(1)) }
            if options.failedOnly { opts.set("targ_failed", to: UInt8(1)) }
        }
    }
}
