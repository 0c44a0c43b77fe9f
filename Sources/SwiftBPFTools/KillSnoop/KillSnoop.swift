import BPF

/// killsnoop: every kill(2), tkill(2) and tgkill(2) with sender, target, signal and result, from
/// the `syscalls` enter/exit tracepoints. The common filters select the sender.
public enum KillSnoop {
    /// killsnoop's own filters.
    public struct Options: Sendable {
        /// Only this signal (BCC's `-s`).
        public var signal: UInt32?
        /// Only calls that failed (BCC's `-x`).
        public var failedOnly: Bool

        public init(signal: UInt32? = nil, failedOnly: Bool = false) {
            self.signal = signal
            self.failedOnly = failedOnly
        }
    }

    /// Loads and attaches killsnoop; decode records with `KillEvent(record:)`.
    public static func start(filter: ToolFilter = ToolFilter(), options: Options = Options(),
                             ringBufferSize: UInt32? = nil) throws(BPFError) -> ToolSession {
        if let signal = options.signal, signal == 0 || signal > 64 {
            throw .invalidArgument("--signal must be 1 to 64, got \(signal)")
        }
        var config = KillsnoopObject.Config()
        if let signal = options.signal { config.targSignal = signal }
        config.targFailed = options.failedOnly ? 1 : 0
        return try ToolSession.load(KillsnoopObject.self, config: config, filter: filter, ringBufferSize: ringBufferSize).1
    }
}

extension KillsnoopObject: ToolObject {}
extension KillsnoopObject.Config: ToolFilterConfig {}
extension KillsnoopObject.Config.MaxEntries: ToolMaxEntries {}
extension KillsnoopObject.ToolTask: ToolTaskBinding {}
