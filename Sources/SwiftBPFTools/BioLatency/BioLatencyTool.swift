import ArgumentParser
import BPF
import ToolText

/// `swiftbpf biolatency`.
public struct BioLatencyTool: IntervalTool {
    public static let configuration = CommandConfiguration(
        commandName: "biolatency",
        abstract: "Summarize block I/O latency (issue to completion) as a histogram, built in the kernel.",
        discussion: """
            From issue to the device to completion, or with -Q from the OS queue. -D gives a \
            histogram per disk; --disk keeps one disk. Completions run in interrupt \
            context, so there are no process filters.
            JSON (one object per interval): time (with -T), unit, histograms [{disk, dev (with \
            -D), count, hist}], dropped. hist is [{low, high, count}] in unit.
            """
    )

    /// biolatency takes no process filters (completions run in interrupt context), so not
    /// `ToolOptions`: only the output options.
    public struct Arguments: ToolArguments {
        @OptionGroup public var latency: LatencyOptions

        @Flag(name: [.customShort("D"), .customLong("disks")], help: "One histogram per disk.")
        public var perDisk = false

        @Flag(name: [.customShort("Q"), .customLong("queued")], help: "Include the time queued in the OS (from block_rq_insert).")
        public var queued = false

        @Option(help: "Only this disk (e.g. sda, nvme0n1, loop0).")
        public var disk: String?

        @Flag(help: "Print one JSON object per interval.")
        public var json = false

        @Flag(name: [.customShort("T"), .long], help: "Include a timestamp: seconds since the tool started.")
        public var timestamp = false

        @Option(name: [.short, .long], parsing: .unconditional, help: "Stop after this many seconds.")
        public var duration: Double?

        public init() {}
        public var output: ToolOutputOptions { ToolOutputOptions(json: json, timestamp: timestamp, duration: duration) }

        public func validate() throws {
            if let duration, !(duration > 0) {
                throw ValidationError("-d/--duration must be a positive number of seconds, got \(duration)")
            }
        }
    }

    let tool: BioLatency
    let arguments: Arguments

    public init(arguments: Arguments) throws {
        tool = try BioLatency(options: .init(perDisk: arguments.perDisk, disk: arguments.disk, includeQueued: arguments.queued,
                                             histogram: arguments.latency.histogram))
        self.arguments = arguments
    }

    public var session: ToolSession { tool.session }
    public var interval: Double? { arguments.latency.interval }
    public func header() -> String? { "Tracing block device I/O... Hit Ctrl-C to end." }
    public func take(final: Bool) throws -> [KeyedHistogram]? { try tool.take() }

    static func diskName(_ h: KeyedHistogram) -> String { BlockDevices.name(of: .init(kernelDev: h.key)) }

    public func text(_ hists: [KeyedHistogram], seconds: Double?) -> String {
        LatencyFormat.report(hists, options: arguments.latency.histogram, interval: interval, seconds: seconds) { h in
            arguments.perDisk ? "disk = \(Self.diskName(h))" : nil
        }
    }

    public func json(_ hists: [KeyedHistogram], seconds: Double?) -> String {
        LatencyFormat.json(hists, options: arguments.latency.histogram, listKey: "histograms", seconds: seconds,
                           dropped: (try? session.droppedEvents()) ?? 0) { h in
            guard arguments.perDisk else { return [] }
            let d = BlockDevices.Device(kernelDev: h.key)
            return [("disk", JSON.string(Self.diskName(h))), ("dev", JSON.string("\(d.major):\(d.minor)"))]
        }
    }
}
