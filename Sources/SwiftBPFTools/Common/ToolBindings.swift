import BPF
import Glibc

/// What every tool's generated bindings share through `BPFInclude/swiftbpf_tool.h`: the common
/// filter globals in its `Config`, the maps `tool_cgroup`, `tool_dropped` and `tool_events`, and
/// `struct tool_task` at the start of its events. Each generated type nests its own copies;
/// conforming them here (one line per tool: `extension XObject: ToolObject {}`) lets
/// `ToolFilter`, `ToolSession` and `TaskInfo` work with any tool's bindings by type rather than
/// by global or map name.
protocol ToolObject {
    associatedtype Config: ToolFilterConfig
    associatedtype Events: TypedMap
    static func load(config: Config, options: LoadOptions) throws(BPFError) -> Self
    var object: BPFObject { get }
    /// `tool_cgroup`: the cgroup filter's directory.
    var toolCgroup: UntypedMap { get }
    /// `tool_dropped`: events the ring buffer had no room for, per CPU.
    var toolDropped: PerCPUArrayMap<UInt64> { get }
    /// `tool_events`: the ring buffer (a page, unused, for tools that aggregate in maps).
    var toolEvents: Events { get }
}

/// `max_entries` overrides of a tool's maps: `tool_events` is the common one.
protocol ToolMaxEntries {
    var toolEvents: UInt32? { get set }
}

/// The histogram globals of the latency tools (`unit_msecs`, `linear_step`).
protocol HistogramConfig {
    var unitMsecs: UInt8 { get set }
    var linearStep: UInt64 { get set }
}

extension HistogramOptions {
    /// Writes the unit and the bucket width into a latency tool's load-time configuration.
    func apply(to config: inout some HistogramConfig) throws(BPFError) {
        if let linearStep, linearStep == 0 { throw .invalidArgument("--linear needs a bucket width of at least 1") }
        config.unitMsecs = milliseconds ? 1 : 0
        config.linearStep = linearStep ?? 0
    }
}

extension ToolSession {
    /// Loads a tool through its generated bindings: the common filters and the ring's size go
    /// into `config` (after the tool's own settings), the cgroup filter is bound, and `attach`
    /// attaches (by default every program by its SEC() name).
    static func load<Object: ToolObject>(
        _ type: Object.Type, config: Object.Config, filter: ToolFilter, ringBufferSize: UInt32?,
        attach: (Object) throws(BPFError) -> [Link] = { (o: Object) throws(BPFError) in try o.object.attachAll() }
    ) throws(BPFError) -> (Object, ToolSession) {
        var config = config
        try filter.apply(to: &config)
        config.maxEntries.toolEvents = ringBufferSize
        // A tool's start is measured to its first event: later starts in this boot reuse the
        // CO-RE results instead of reading the kernel's BTF.
        var options = LoadOptions()
        options.coreCacheDirectory = LoadOptions.defaultCORECacheDirectory
        let bindings = try Object.load(config: config, options: options)
        try filter.bind(cgroupArray: bindings.toolCgroup)
        let session = try ToolSession(object: bindings.object, events: bindings.toolEvents.map, dropped: bindings.toolDropped,
                                      attach: { () throws(BPFError) in try attach(bindings) })
        return (bindings, session)
    }
}

protocol ToolFilterConfig {
    associatedtype MaxEntries: ToolMaxEntries
    /// The maps' `max_entries` overrides.
    var maxEntries: MaxEntries { get set }
    /// `tool_targ_tgid`: 0 for any process.
    var toolTargTgid: UInt32 { get set }
    /// `tool_targ_uid`: `UInt32.max` for any user.
    var toolTargUid: UInt32 { get set }
    /// `tool_targ_comm` as text.
    var toolTargCommString: String { get set }
    /// `tool_targ_comm_len`: 0 for any command.
    var toolTargCommLen: UInt32 { get set }
    /// `tool_targ_cgroup`: 1 to check `tool_cgroup`.
    var toolTargCgroup: UInt8 { get set }
}

/// `struct tool_task` as a generated binding type.
protocol ToolTaskBinding {
    var timestampNs: UInt64 { get }
    var cgroupId: UInt64 { get }
    var pid: UInt32 { get }
    var tgid: UInt32 { get }
    var ppid: UInt32 { get }
    var uid: UInt32 { get }
    var commString: String { get }
}

extension TaskInfo {
    /// The attribution of an event, from its generated `tool_task`.
    init(_ task: some ToolTaskBinding) {
        self.init(timestampNanoseconds: task.timestampNs, cgroupID: task.cgroupId, pid: task.pid, tgid: task.tgid,
                  ppid: task.ppid, uid: task.uid, comm: task.commString)
    }
}

extension ToolFilter {
    /// Writes the filters into a tool's typed load-time configuration.
    func apply(to config: inout some ToolFilterConfig) throws(BPFError) {
        if let pid { config.toolTargTgid = pid }
        if let uid { config.toolTargUid = uid }
        if let comm {
            guard !comm.isEmpty, comm.utf8.count < 16 else {
                throw .invalidArgument("--comm must be 1 to 15 bytes (a task's comm is at most 15), got \(comm.utf8.count)")
            }
            config.toolTargCommString = comm
            config.toolTargCommLen = UInt32(comm.utf8.count)
        }
        if cgroupPath != nil { config.toolTargCgroup = 1 }
    }

    /// After load: stores the cgroup directory's fd in slot 0 of the tool's `tool_cgroup` array
    /// (the kernel keeps its own reference, so the fd is closed again at once).
    func bind(cgroupArray: UntypedMap) throws(BPFError) {
        guard let cgroupPath else { return }
        let dir = try Syscalls.open(CgroupPaths.absolute(cgroupPath), O_RDONLY | O_DIRECTORY)
        try cgroupArray.map.update(key: UInt32(0), value: UInt32(bitPattern: dir.rawValue))
    }
}
