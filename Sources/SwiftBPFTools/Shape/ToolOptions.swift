import ArgumentParser
import BPF

/// The options every tracing tool takes, as BCC's tools spell them: the common filters (run in
/// the kernel), the output mode and the ring buffer's size.
public struct ToolOptions: ParsableArguments, Sendable {
    @Option(name: [.short, .long], parsing: .unconditional, help: "Only this process id.")
    public var pid: UInt32?

    @Option(help: "Only tasks whose command name is exactly this.")
    public var comm: String?

    @Option(parsing: .unconditional, help: "Only this user id.")
    public var uid: UInt32?

    @Option(help: "Only tasks in this cgroup v2 directory or below (a container's cgroup); absolute, or relative to the cgroup2 mount.")
    public var cgroup: String?

    @Flag(help: "Print one JSON object per line (per event, or per interval for aggregating tools); events lost while running appear as {\"lost\":N,...} records.")
    public var json = false

    @Flag(name: [.customShort("T"), .long], help: "Include a timestamp: seconds since the tool started.")
    public var timestamp = false

    @Option(name: [.short, .long], parsing: .unconditional, help: "Stop after this many seconds.")
    public var duration: Double?

    @Option(name: .customLong("buffer-kib"), parsing: .unconditional, help: "Ring buffer size in KiB, a power of two (default \(ToolRing.defaultBytes / 1024)).")
    public var bufferKiB: UInt32?

    public init() {}

    /// The filters, for the tool's kernel side.
    public var filter: ToolFilter { ToolFilter(pid: pid, comm: comm, uid: uid, cgroupPath: cgroup) }

    /// How the tool prints.
    public var output: ToolOutputOptions { ToolOutputOptions(json: json, timestamp: timestamp, duration: duration) }

    /// `tool_events`' size in bytes, nil for the default.
    public var ringBufferSize: UInt32? { bufferKiB.map { $0 * 1024 } }

    public func validate() throws {
        if let bufferKiB, bufferKiB < ToolRing.minimumKiB || bufferKiB > ToolRing.maximumKiB || bufferKiB & (bufferKiB - 1) != 0 {
            throw ValidationError("--buffer-kib must be a power of two from \(ToolRing.minimumKiB) to \(ToolRing.maximumKiB) (2 GiB), got \(bufferKiB)")
        }
        if let duration, !(duration > 0) {
            throw ValidationError("-d/--duration must be a positive number of seconds, got \(duration)")
        }
        if let comm, comm.isEmpty || comm.utf8.count > 15 {
            throw ValidationError("--comm must be 1 to 15 bytes (a task's comm is at most 15)")
        }
    }
}

/// How a tool prints: columns or JSON lines, with or without a timestamp, until when.
public struct ToolOutputOptions: Sendable {
    /// One JSON object per line instead of columns.
    public var json: Bool
    /// Prefix each event (or report) with the seconds since the tool started.
    public var timestamp: Bool
    /// Stop after this many seconds; nil: at Ctrl-C or SIGTERM.
    public var duration: Double?

    public init(json: Bool = false, timestamp: Bool = false, duration: Double? = nil) {
        self.json = json
        self.timestamp = timestamp
        self.duration = duration
    }
}
