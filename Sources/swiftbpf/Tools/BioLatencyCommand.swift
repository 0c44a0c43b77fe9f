import ArgumentParser
import BPF
import SwiftBPFTools

struct BioLatencyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
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

    @OptionGroup var latencyOptions: LatencyOptions

    @Flag(name: [.customShort("D"), .customLong("disks")], help: "One histogram per disk.")
    var perDisk = false

    @Flag(name: [.customShort("Q"), .customLong("queued")], help: "Include the time queued in the OS (from block_rq_insert).")
    var queued = false

    @Option(help: "Only this disk (e.g. sda, nvme0n1, loop0).")
    var disk: String?

    @Flag(help: "Print one JSON object per interval.")
    var json = false

    @Flag(name: [.customShort("T"), .long], help: "Include a timestamp: seconds since the tool started.")
    var timestamp = false

    @Option(name: [.short, .long], parsing: .unconditional, help: "Stop after this many seconds.")
    var duration: Double?

    func validate() throws {
        if let duration, !(duration > 0) {
            throw ValidationError("-d/--duration must be a positive number of seconds, got \(duration)")
        }
    }

    func run() throws {
        installStopHandlers()
        let hopts = latencyOptions.histogram
        let tool = try BioLatency(options: .init(perDisk: perDisk, disk: disk, includeQueued: queued, histogram: hopts))
        let start = MonotonicClock.seconds()
        if !json {
            print("Tracing block device I/O... Hit Ctrl-C to end.")
            Output.flush()
        }
        func diskName(_ h: KeyedHistogram) -> String { BlockDevices.name(of: .init(kernelDev: h.key)) }
        try IntervalLoop.run(interval: latencyOptions.interval, duration: duration) { _ in
            let hists = try tool.take()
            let t = timestamp ? MonotonicClock.seconds() - start : nil
            if json {
                print(LatencyFormat.json(hists, options: hopts, listKey: "histograms", seconds: t,
                                         dropped: try tool.session.droppedEvents()) { h in
                    guard perDisk else { return [] }
                    let d = BlockDevices.Device(kernelDev: h.key)
                    return [("disk", JSON.string(diskName(h))), ("dev", JSON.string("\(d.major):\(d.minor)"))]
                })
            } else {
                if latencyOptions.interval != nil || t != nil { print(t.map { "\n[\(Columns.seconds($0))]" } ?? "\n\(WallClock.hms())") }
                print(LatencyFormat.text(hists, options: hopts) { h in perDisk ? "disk = \(diskName(h))" : nil })
            }
            Output.flush()
        }
        tool.session.stop()
    }
}
