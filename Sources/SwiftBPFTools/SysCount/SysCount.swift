import ToolText
import BPF

/// syscount: syscalls counted in the kernel per syscall or per process, optionally with their
/// latency (total, average and a histogram per key). Attaches raw_syscalls:sys_enter/sys_exit.
public final class SysCount: Sendable {
    /// What to count.
    public struct Options: Sendable {
        /// Count per process (tgid) instead of per syscall.
        public var byProcess: Bool
        /// Time each syscall (sys_enter → sys_exit): total, average and a histogram per key.
        public var latency: Bool
        /// Only syscalls that returned an error.
        public var failedOnly: Bool
        /// Only this syscall number.
        public var syscall: Int32?
        /// The histograms' unit and buckets (with `latency`).
        public var histogram: HistogramOptions

        public init(byProcess: Bool = false, latency: Bool = false, failedOnly: Bool = false,
                    syscall: Int32? = nil, histogram: HistogramOptions = HistogramOptions()) {
            self.byProcess = byProcess
            self.latency = latency
            self.failedOnly = failedOnly
            self.syscall = syscall
            self.histogram = histogram
        }
    }

    /// One key's counts since the last `take()`.
    public struct Entry: Sendable, Equatable {
        /// The syscall number, or the process id with `byProcess`.
        public var key: UInt32
        /// The syscall's name, or the process's command name with `byProcess`.
        public var name: String
        public var count: UInt64
        /// Total time in the syscalls (with `latency`), nanoseconds.
        public var totalNanoseconds: UInt64
        /// The latency histogram (with `latency`), in the options' unit.
        public var slots: [UInt64]

        /// Average latency in nanoseconds (0 without samples).
        public var averageNanoseconds: UInt64 { count == 0 ? 0 : totalNanoseconds / count }
    }

    public let session: ToolSession
    /// The tool's generated bindings, as loaded.
    let bindings: SyscountObject

    public let options: Options

    public init(filter: ToolFilter = ToolFilter(), options: Options = Options()) throws(BPFError) {
        self.options = options
        var config = SyscountObject.Config()
        config.byProcess = options.byProcess ? 1 : 0
        config.measureLatency = options.latency ? 1 : 0
        config.failedOnly = options.failedOnly ? 1 : 0
        config.targSyscall = options.syscall ?? -1
        try options.histogram.apply(to: &config)
        (bindings, session) = try ToolSession.load(SyscountObject.self, config: config, filter: filter, ringBufferSize: ToolRing.unusedBytes)
    }

    /// The counts since the last call (the map is emptied), sorted as BCC sorts them: by total
    /// time with `latency`, else by count, largest first.
    public func take() throws(BPFError) -> [Entry] {
        let byProcess = options.byProcess
        let out = try bindings.data.takeAll().map { key, value in
            Entry(key: key, name: byProcess ? value.commString : Self.syscallName(Int(key)), count: value.count,
                  totalNanoseconds: value.totalNs, slots: value.slots.array)
        }
        return out.sorted {
            let (a, b) = options.latency ? ($0.totalNanoseconds, $1.totalNanoseconds) : ($0.count, $1.count)
            return a != b ? a > b : $0.key < $1.key
        }
    }

    /// The x86_64 name of syscall `number`, or "[number]" if the table does not know it.
    public static func syscallName(_ number: Int) -> String { SyscallNames.x86_64[number] ?? "[\(number)]" }

    /// The x86_64 number of a syscall name (`getppid` → 110), or nil.
    public static func syscallNumber(_ name: String) -> Int? {
        SyscallNames.x86_64Numbers[name]
    }
}

extension SyscountObject: ToolObject {}
extension SyscountObject.Config: ToolFilterConfig, HistogramConfig {}
extension SyscountObject.Config.MaxEntries: ToolMaxEntries {}
