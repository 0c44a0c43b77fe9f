import BPF
import Synchronization

/// profile: a sampling CPU profiler, as BCC's `profile` and bpftrace's
/// `profile:hz:99 { @[ustack, kstack] = count(); }`. A perf_event program runs at a fixed
/// frequency on every CPU (software cpu-clock, which needs no hardware PMU) and counts
/// (process, command, kernel stack, user stack) in the kernel; the stacks go to a
/// `BPF_MAP_TYPE_STACK_TRACE` map. User space reads the counts at the end and symbolises
/// kernel frames with /proc/kallsyms and user frames with the binaries' ELF symbol tables.
public final class Profile: Sendable {
    public struct Options: Sendable {
        /// Samples per second on each CPU (BCC's default is 49).
        public var frequency: UInt64
        /// Collect user stacks (off: BCC's `-K`, kernel stacks only).
        public var userStacks: Bool
        /// Collect kernel stacks (off: BCC's `-U`, user stacks only).
        public var kernelStacks: Bool
        /// Count the idle task (pid 0) too.
        public var includeIdle: Bool
        /// Key the counts by thread as well as by process.
        public var perThread: Bool
        /// Key the counts by cgroup v2 id as well (the agent's queries by container).
        public var perCgroup: Bool
        /// How many distinct stacks the stack-trace map holds (BCC's `--stack-storage-size`).
        public var stackStorageSize: UInt32
        /// How many distinct (process, stacks) keys the count table holds.
        public var maxKeys: UInt32

        public init(frequency: UInt64 = 49, userStacks: Bool = true, kernelStacks: Bool = true, includeIdle: Bool = false,
                    perThread: Bool = false, perCgroup: Bool = false, stackStorageSize: UInt32 = 16384, maxKeys: UInt32 = 16384) {
            self.frequency = frequency
            self.userStacks = userStacks
            self.kernelStacks = kernelStacks
            self.includeIdle = includeIdle
            self.perThread = perThread
            self.perCgroup = perCgroup
            self.stackStorageSize = stackStorageSize
            self.maxKeys = maxKeys
        }
    }

    public let session: ToolSession
    /// The tool's generated bindings, as loaded.
    let bindings: ProfileObject
    public let options: Options
    /// Maps of processes seen so far (`rememberProcesses()`), for processes that exit before
    /// their stacks are symbolised.
    private let rememberedMaps = Mutex<[UInt32: [ProcessMapping]]>([:])
    private let binaries = BinarySymbolCache()

    /// `PERF_TYPE_SOFTWARE` / `PERF_COUNT_SW_CPU_CLOCK`.
    static let softwareType: UInt32 = 1
    static let cpuClock: UInt64 = 0

    public init(filter: ToolFilter = ToolFilter(), options: Options = Options()) throws(BPFError) {
        guard options.userStacks || options.kernelStacks else {
            throw .invalidArgument("profile: user-only and kernel-only exclude each other")
        }
        guard options.frequency > 0 else { throw .invalidArgument("profile: the frequency must be at least 1 Hz") }
        guard options.stackStorageSize > 0, options.maxKeys > 0 else {
            throw .invalidArgument("profile: the stack storage and key table need at least one entry")
        }
        self.options = options
        var config = ProfileObject.Config()
        config.userStacks = options.userStacks ? 1 : 0
        config.kernelStacks = options.kernelStacks ? 1 : 0
        config.includeIdle = options.includeIdle ? 1 : 0
        config.perThread = options.perThread ? 1 : 0
        config.perCgroup = options.perCgroup ? 1 : 0
        config.maxEntries.stacks = options.stackStorageSize
        config.maxEntries.counts = options.maxKeys
        (bindings, session) = try ToolSession.load(ProfileObject.self, config: config, filter: filter, ringBufferSize: ToolRing.unusedBytes) {
            (o: ProfileObject) throws(BPFError) in
            try o.profileSample.attach(sampling: Self.softwareType, config: Self.cpuClock, frequency: options.frequency)
        }
    }

    /// The counted contexts so far with their stacks' addresses, largest count first. With
    /// `reset`, the counts and stacks are removed (each interval starts empty).
    public func take(reset: Bool = true) throws(BPFError) -> [ProfileSample] {
        let entries = reset ? try bindings.counts.takeAll() : try bindings.counts.entries()
        var out: [ProfileSample] = []
        var stackIDs: Set<UInt32> = []
        for (key, count) in entries {
            var sample = ProfileSample(tgid: key.tgid, tid: key.pid, comm: key.commString, userStackID: key.userStackId,
                                       kernelStackID: key.kernelStackId, count: count, cgroupID: key.cgroupId)
            sample.userAddresses = try bindings.stacks.stackTrace(signedID: sample.userStackID) ?? []
            sample.kernelAddresses = try bindings.stacks.stackTrace(signedID: sample.kernelStackID) ?? []
            for id in [sample.userStackID, sample.kernelStackID] where id >= 0 { stackIDs.insert(UInt32(id)) }
            out.append(sample)
        }
        if reset { for id in stackIDs { try bindings.stacks.delete(id: id) } }
        return out.sorted { $0.count != $1.count ? $0.count > $1.count : ($0.tgid, $0.comm) < ($1.tgid, $1.comm) }
    }

    /// Reads /proc/PID/maps of every process counted so far that was not seen before, so that
    /// its user stacks still symbolise after it exits. Call it now and then while profiling.
    public func rememberProcesses() throws(BPFError) {
        let known = rememberedMaps.locked { Set($0.keys) }
        var fresh: [UInt32: [ProcessMapping]] = [:]
        for key in try bindings.counts.keys() {
            let tgid = key.tgid
            guard tgid != 0, !known.contains(tgid), fresh[tgid] == nil else { continue }
            fresh[tgid] = (try? ProcessMaps.read(pid: Int32(bitPattern: tgid)))?.filter { $0.isExecutable } ?? []
        }
        guard !fresh.isEmpty else { return }
        rememberedMaps.locked { $0.merge(fresh) { old, _ in old } }
    }

    /// Symbolises samples: kernel frames through /proc/kallsyms (read once per call), user
    /// frames through each process's binaries (each binary read once per tool). A process that
    /// is gone resolves through the maps `rememberProcesses()` kept; else its frames are
    /// `[unknown]`.
    public func symbolize(_ samples: [ProfileSample]) -> [ProfileStack] {
        let kernel = samples.contains { !$0.kernelAddresses.isEmpty } ? try? KernelSymbols.load() : nil
        var processes: [UInt32: ProcessSymbolizer?] = [:]
        // Stacks share most frames: resolve each address once.
        var kernelSeen: [UInt64: Symbol?] = [:]
        var userSeen: [UInt32: [UInt64: Symbol?]] = [:]
        return samples.map { sample in
            let kernelFrames = sample.kernelAddresses.map { address in
                if let known = kernelSeen[address] { return ProfileFrame(address: address, symbol: known) }
                let symbol = kernel?.symbolize(address)
                kernelSeen[address] = .some(symbol)
                return ProfileFrame(address: address, symbol: symbol)
            }
            var userFrames: [ProfileFrame] = []
            if !sample.userAddresses.isEmpty {
                if processes[sample.tgid] == nil { processes[sample.tgid] = .some(symbolizer(for: sample.tgid)) }
                let process = processes[sample.tgid] ?? nil
                userFrames = sample.userAddresses.map { address in
                    if let known = userSeen[sample.tgid]?[address] { return ProfileFrame(address: address, symbol: known) }
                    let symbol = process?.symbolize(address)
                    userSeen[sample.tgid, default: [:]][address] = .some(symbol)
                    return ProfileFrame(address: address, symbol: symbol)
                }
            }
            return ProfileStack(sample: sample, kernelFrames: kernelFrames, userFrames: userFrames)
        }
    }

    private func symbolizer(for tgid: UInt32) -> ProcessSymbolizer? {
        let pid = Int32(bitPattern: tgid)
        // A process that has exited but is not yet reaped still has /proc/PID, with no maps.
        if let live = try? ProcessSymbolizer(pid: pid, cache: binaries), !live.mappings.isEmpty { return live }
        guard let maps = rememberedMaps.locked({ $0[tgid] }), !maps.isEmpty else { return nil }
        return ProcessSymbolizer(pid: pid, mappings: maps, cache: binaries)
    }
}

extension ProfileObject: ToolObject {}
extension ProfileObject.Config: ToolFilterConfig {}
extension ProfileObject.Config.MaxEntries: ToolMaxEntries {}
