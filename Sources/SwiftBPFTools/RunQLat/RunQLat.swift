import BPF

/// runqlat: scheduler run-queue latency (wakeup or preemption → running), as log2 or linear
/// histograms built in the kernel from tp_btf sched_wakeup, sched_wakeup_new and sched_switch.
/// The filters apply to the task that waits, not to the task that wakes it.
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

    public let options: Options

    public init(filter: ToolFilter = ToolFilter(), options: Options = Options()) throws(BPFError) {
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
        session = try ToolSession(EmbeddedObjects.runqlat, filter: filter, ringBufferSize: ToolRing.unusedBytes) { opts throws(BPFError) in
            opts.set("per_process", to: UInt8(options.perProcess ? 1 : 0))
            opts.set("per_thread", to: UInt8(options.perThread ? 1 : 0))
            opts.set("per_cgroup", to: UInt8(options.perCgroup ? 1 : 0))
            opts.set("targ_cgroup_id", to: cgroupID)
            opts.set("targ_cgroup_level", to: cgroupLevel)
            try options.histogram.apply(to: &opts)
        }
    }

    /// The histograms since the last call (the map is emptied): key 0 for the total, else the
    /// tgid or thread id (with `comm`), or the cgroup id. Sorted by key.
    public func take() throws(BPFError) -> [KeyedHistogram] {
        try KeyedHistograms.take(session.object.map("hists"), commOffset: options.perProcess || options.perThread ? 512 : nil)
            .sorted { $0.key < $1.key }
    }
}
