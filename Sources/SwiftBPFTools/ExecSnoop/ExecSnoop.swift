import BPF

/// execsnoop: every execve(2) on the machine, with its full argv, from the tracepoints
/// `syscalls:sys_enter_execve` and `syscalls:sys_exit_execve`. Filters run in the kernel: they are
/// `const volatile` globals of `execsnoop.bpf.c`, frozen before load, so the verifier removes the
/// code of filters that are off.
public final class ExecSnoop: Sendable {
    /// Which execs to report. Empty filters report everything.
    public struct Filter: Sendable {
        /// Only execs by this process (tgid) or by its children (parent tgid).
        public var pid: UInt32?
        /// Only execs by this user id.
        public var uid: UInt32?
        /// Only execs whose command name (comm, after the exec) contains this text (at most 15 bytes).
        public var name: String?
        /// Only execs whose command name is exactly this.
        public var comm: String?
        /// Only execs in this cgroup v2 directory or below it (a container).
        public var cgroupPath: String?
        /// The ring buffer's size in bytes (a power of two, at least a page); nil keeps 512 KiB.
        public var ringBufferSize: UInt32?

        public init(pid: UInt32? = nil, uid: UInt32? = nil, name: String? = nil, comm: String? = nil,
                    cgroupPath: String? = nil, ringBufferSize: UInt32? = nil) {
            self.pid = pid
            self.uid = uid
            self.name = name
            self.comm = comm
            self.cgroupPath = cgroupPath
            self.ringBufferSize = ringBufferSize
        }
    }

    /// The loaded tool: its reader, drop counter and links.
    public let session: ToolSession

    /// The tool's generated bindings, as loaded.
    let bindings: ExecsnoopObject

    /// Loads the program with `filter` and attaches it. Events start arriving at once.
    /// `language` picks execsnoop.bpf.c or its Swift twin (by default, the build's choice).
    public convenience init(filter: Filter = Filter(), language: BPFProgramLanguage = .buildDefault) throws(BPFError) {
        try self.init(filter: filter, language: language, counting: nil)
    }

    /// What counting mode counts an exec under (`KernelCounts.Count.outcome`).
    public enum Outcome {
        public static let succeeded: UInt32 = 0
        public static let failed: UInt32 = 1
    }

    /// Loads execsnoop in counting mode: every exec that passes the filters is counted in the
    /// kernel per cgroup, command (after the exec) and `Outcome`, and at most
    /// `counting.eventsPerSecond` of them are sent as events. For a reader that wants a host's
    /// exec rate exactly without paying for each exec in user space.
    public static func startCounting(filter: Filter = Filter(), counting: CountingOptions,
                                     language: BPFProgramLanguage = .buildDefault) throws(BPFError) -> (ExecSnoop, KernelCounts) {
        let tool = try ExecSnoop(filter: filter, language: language, counting: counting)
        return (tool, KernelCounts(tool.bindings))
    }

    init(filter: Filter, language: BPFProgramLanguage, counting: CountingOptions?) throws(BPFError) {
        if let name = filter.name, name.isEmpty || name.utf8.count > 15 {
            throw .invalidArgument("--name must be 1 to 15 bytes (a task's comm is at most 15), got \(name.utf8.count)")
        }
        // The common pid filter is a tgid match; execsnoop's own also takes children.
        let common = ToolFilter(comm: filter.comm, uid: filter.uid, cgroupPath: filter.cgroupPath)
        var config = ExecsnoopObject.Config()
        if let pid = filter.pid { config.targPid = pid }
        if let name = filter.name {
            config.targNameString = name
            config.targNameLen = UInt32(name.utf8.count)
        }
        try counting?.apply(to: &config)
        switch language {
        case .c:
            (bindings, session) = try ToolSession.load(ExecsnoopObject.self, config: config, filter: common,
                                                       ringBufferSize: filter.ringBufferSize)
        case .swift:
            let (twin, session) = try ToolSession.load(ExecsnoopSwiftTwin.self, config: config, filter: common,
                                                       ringBufferSize: filter.ringBufferSize)
            (bindings, self.session) = (twin.bindings, session)
        }
    }

    /// Waits up to `timeoutMilliseconds` for events and hands each to `body`. Returns how many
    /// were delivered. A signal interrupts the wait early (returns 0).
    public func poll(timeoutMilliseconds: Int32, _ body: (ExecEvent) -> Void) throws(BPFError) -> Int {
        try session.poll(timeoutMilliseconds: timeoutMilliseconds) { record in
            if let event = ExecEvent(record: record) { body(event) }
        }
    }

    /// Hands every event already in the ring buffer to `body`, without waiting.
    public func drain(_ body: (ExecEvent) -> Void) -> Int {
        session.drain { record in
            if let event = ExecEvent(record: record) { body(event) }
        }
    }

    /// Events the kernel side could not send because the ring buffer was full.
    public func droppedEvents() throws(BPFError) -> UInt64 { try session.droppedEvents() }

    /// Stops the reader. The programs detach when the value is released.
    public func stop() { session.stop() }
}

extension ExecsnoopObject: ToolCountingObject {}
extension ExecsnoopObject.Config: ToolCountingConfig {}
extension ExecsnoopObject.Config.MaxEntries: ToolCountingMaxEntries {}
extension ExecsnoopObject.ToolCountKey: ToolCountKeyBinding {}
extension ExecsnoopObject.ToolRateWindow: ToolRateWindowBinding {}
extension ExecsnoopObject.ToolTask: ToolTaskBinding {}
