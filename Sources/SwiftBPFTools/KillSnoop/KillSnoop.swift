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
        try filter.apply(to: &config)
        if let signal = options.signal { config.targSignal = signal }
        config.targFailed = options.failedOnly ? 1 : 0
        config.maxEntries.toolEvents = ringBufferSize
        let bindings = try KillsnoopObject.load(config: config)
        try filter.bind(cgroupArray: bindings.toolCgroup)
        return try ToolSession(object: bindings.object, events: bindings.toolEvents.map, dropped: bindings.toolDropped.map,
                               attach: { () throws(BPFError) in try bindings.attachAll() })
    }
}

extension KillsnoopObject.Config: ToolFilterConfig {}
extension KillsnoopObject.ToolTask: ToolTaskBinding {}
