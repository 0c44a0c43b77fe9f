import BPF

/// runqlat: scheduler run-queue latency (wakeup or preemption → running), as log2 or linear
/// histograms built in the kernel from tp_btf sched_wakeup, sched_wakeup_new and sched_switch.
/// The filters apply to the task that waits, not to the task that wakes it. The BPF side is
/// runqlat.bpf.c or its Swift twin, runqlat_swift.bpf.swift (`BPFProgramLanguage`).
public final class RunQLat: Sendable {
    public struct Options: Sendable {
        /// One histogram per process (tgid), with its command name.
        public var perProcess: Bool
        /// One histogram per thread (thread id), with its command name.
        public var perThread: Bool
        /// One histogram per cgroup v2 (keyed by cgroup id).
        public var perCgroup: Bool
        public var histogram: HistogramOptions

        public init(perProcess: Bool = false, perThread: Bool = false, perCgroup: Bool = false,
                    histogram: HistogramOptions = HistogramOptions()) {
            self.perProcess = perProcess
            self.perThread = perThread
            self.perCgroup = perCgroup
            self.histogram = histogram
        }
    }

    public let session: ToolSession
    /// The tool's generated bindings, as loaded.
    let bindings: RunqlatObject

    public let options: Options

    /// Loads the programs with `filter` and `options` and attaches them. `language` picks
    /// runqlat.bpf.c or its Swift twin (by default, the build's choice).
    public init(filter: ToolFilter = ToolFilter(), options: Options = Options(),
                language: BPFProgramLanguage = .buildDefault) throws(BPFError) {
        if [options.perProcess, options.perThread, options.perCgroup].filter({ $0 }).count > 1 {
            throw .invalidArgument("runqlat: per process, per thread and per cgroup histograms exclude each other")
        }
        self.options = options
        var cgroupID: UInt64 = 0
        var cgroupLevel: Int32 = 0
        if let path = filter.cgroupPath {
            let absolute = try CgroupPaths.absolute(path)
            cgroupID = try Syscalls.inode(of: absolute)
            let relative = absolute.dropFirst(try CgroupPaths.mountPoint().count)
            cgroupLevel = Int32(relative.split(separator: "/").count)
        }
        var config = RunqlatObject.Config()
        config.perProcess = options.perProcess ? 1 : 0
        config.perThread = options.perThread ? 1 : 0
        config.perCgroup = options.perCgroup ? 1 : 0
        config.targCgroupId = cgroupID
        config.targCgroupLevel = cgroupLevel
        try options.histogram.apply(to: &config)
        switch language {
        case .c:
            (bindings, session) = try ToolSession.load(RunqlatObject.self, config: config, filter: filter,
                                                       ringBufferSize: ToolRing.unusedBytes)
        case .swift:
            let (twin, session) = try ToolSession.load(RunqlatSwiftTwin.self, config: config, filter: filter,
                                                       ringBufferSize: ToolRing.unusedBytes)
            (bindings, self.session) = (twin.bindings, session)
        }
    }

    /// The histograms since the last call (the map is emptied): key 0 for the total, else the
    /// tgid or thread id (with `comm`), or the cgroup id. Sorted by key.
    public func take() throws(BPFError) -> [KeyedHistogram] {
        let named = options.perProcess || options.perThread
        return try bindings.hists.takeAll()
            .map { KeyedHistogram(key: $0.key, slots: $0.value.slots.array, comm: named ? $0.value.commString : "") }
            .sorted { $0.key < $1.key }
    }
}

extension RunqlatObject: ToolObject {}
extension RunqlatObject.Config: ToolFilterConfig, HistogramConfig {}
extension RunqlatObject.Config.MaxEntries: ToolMaxEntries {}
