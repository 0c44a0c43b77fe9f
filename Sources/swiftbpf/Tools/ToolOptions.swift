import ArgumentParser
import BPF
import SwiftBPFTools

/// The options every tool takes, as BCC's tools spell them.
struct ToolOptions: ParsableArguments {
    @Option(name: [.short, .long], parsing: .unconditional, help: "Only this process id.")
    var pid: UInt32?

    @Option(help: "Only tasks whose command name is exactly this.")
    var comm: String?

    @Option(parsing: .unconditional, help: "Only this user id.")
    var uid: UInt32?

    @Option(help: "Only tasks in this cgroup v2 directory or below (a container's cgroup); absolute, or relative to the cgroup2 mount.")
    var cgroup: String?

    @Flag(help: "Print one JSON object per line (per event, or per interval for aggregating tools); events lost while running appear as {\"lost\":N,...} records.")
    var json = false

    @Flag(name: [.customShort("T"), .long], help: "Include a timestamp: seconds since the tool started.")
    var timestamp = false

    @Option(name: [.short, .long], parsing: .unconditional, help: "Stop after this many seconds.")
    var duration: Double?

    @Option(name: .customLong("buffer-kib"), parsing: .unconditional, help: "Ring buffer size in KiB, a power of two (default 512).")
    var bufferKiB: UInt32?

    var filter: ToolFilter { ToolFilter(pid: pid, comm: comm, uid: uid, cgroupPath: cgroup) }

    /// The largest --buffer-kib: the ring buffer's size in bytes is a u32 (`max_entries`), so
    /// 2 GiB is the largest power of two it can hold.
    static let maximumBufferKiB: UInt32 = 1 << 21

    var ringBufferSize: UInt32? { bufferKiB.map { $0 * 1024 } }

    func validate() throws {
        if let bufferKiB, bufferKiB < 4 || bufferKiB > Self.maximumBufferKiB || bufferKiB & (bufferKiB - 1) != 0 {
            throw ValidationError("--buffer-kib must be a power of two from 4 to \(Self.maximumBufferKiB) (2 GiB), got \(bufferKiB)")
        }
        if let duration, !(duration > 0) {
            throw ValidationError("-d/--duration must be a positive number of seconds, got \(duration)")
        }
        if let comm, comm.isEmpty || comm.utf8.count > 15 {
            throw ValidationError("--comm must be 1 to 15 bytes (a task's comm is at most 15)")
        }
    }
}

/// The event loop of the tools that print one line per event: waits for records until Ctrl-C,
/// SIGTERM or --duration, prints queued records at the stop, then reports drops.
enum EventLoop {
    /// Batches smaller than this are followed by a short wait (see `run`).
    static let coalesceBelowRecords = 64
    /// The wait after a small batch; also the most it delays a line.
    static let coalesceMilliseconds = 4

    static func run(_ session: ToolSession, tool: String, options: ToolOptions, header: String?,
                    _ handle: (UnsafeRawBufferPointer, Double?) -> String?) throws {
        let start = MonotonicClock.seconds()
        if let header, !options.json {
            print(header)
            Output.flush()
        }
        let emit = { (record: UnsafeRawBufferPointer) in
            if let line = handle(record, options.timestamp ? MonotonicClock.seconds() - start : nil) { print(line) }
        }
        var losses = LossReporter(tool: tool, json: options.json, start: start)
        while !stopRequested.load(ordering: .relaxed) {
            if let d = options.duration, MonotonicClock.seconds() - start >= d { break }
            let count = try session.poll(timeoutMilliseconds: 200, emit)
            try losses.check(session)
            guard count > 0 else { continue }
            Output.flush()
            // Coalescing: the kernel wakes a ring-buffer reader only when it has caught up
            // (bpf_ringbuf_output without BPF_RB_FORCE_WAKEUP), so one wakeup per event is what a
            // steady trickle costs. After a small batch, wait a few milliseconds first: the events
            // that arrive meanwhile come in the next batch without their own wakeups, and lines
            // appear at most that much later. A large batch means load: read again at once.
            if count < Self.coalesceBelowRecords { Sleep.milliseconds(Self.coalesceMilliseconds) }
        }
        _ = session.drain(emit)
        Output.flush()
        session.stop()
        try reportDrops(session, tool: tool, json: options.json)
    }

    /// Drops are never silent: stderr, and a JSON line with --json.
    static func reportDrops(_ session: ToolSession, tool: String, json: Bool) throws {
        let lost = try session.droppedEvents()
        guard lost > 0 else { return }
        if json { print("{\"dropped\":\(lost)}") }
        Output.error("\(tool): \(lost) events dropped (ring buffer full)")
    }
}

/// The loop of the aggregating tools: every interval (and at the end) calls `report`.
enum IntervalLoop {
    static func run(interval: Double?, duration: Double?, _ report: (_ final: Bool) throws -> Void) throws {
        let start = MonotonicClock.seconds()
        var last = start
        while !stopRequested.load(ordering: .relaxed) {
            let now = MonotonicClock.seconds()
            if let duration, now - start >= duration { break }
            if let interval, now - last >= interval {
                try report(false)
                last = now
            }
            Sleep.milliseconds(50)
        }
        try report(true)
    }
}

/// Formatting helpers shared by the tools' columns.
enum Columns {
    static func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s : s + String(repeating: " ", count: w - s.count) }
    static func leftPad(_ s: String, _ w: Int) -> String { s.count >= w ? s : String(repeating: " ", count: w - s.count) + s }
    static func seconds(_ t: Double) -> String {
        let ms = Int((t * 1000).rounded())
        let frac = String(ms % 1000)
        return "\(ms / 1000)." + String(repeating: "0", count: 3 - frac.count) + frac
    }
}
