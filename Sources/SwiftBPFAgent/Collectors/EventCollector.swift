import BPF
import Foundation
import Synchronization
import SwiftBPFTools

/// Turns one ring-buffer record into an event.
struct EventSource: Sendable {
    let session: ToolSession
    /// The tool value that owns the session, kept alive as long as it.
    let owner: (any Sendable & AnyObject)?
    let decode: @Sendable (UnsafeRawBufferPointer, EventContext) -> AgentEvent?
    /// The kernel already sent only the sampled events: every one read is kept.
    var sampledInKernel = false
    /// Reads the source's kernel-side counts on the agent's tick (every second).
    var tick: (@Sendable (any CollectorSink) -> Void)? = nil
    /// How the reader waits after a small batch (longer for a source whose kernel side limits its rate).
    var pacing = ReadPacing.agent
}

/// What a decoder needs besides the record: the collector's name, the clock offset, cgroup names.
struct EventContext: Sendable {
    let collector: String
    let wallOffset: Int64
    let cgroups: CgroupLabels

    /// An event from a tool's task attribution.
    func event(kind: String, task: TaskInfo, fields: [String: String]) -> AgentEvent {
        let t = task.timestampNanoseconds == 0 ? Clocks.wallNanoseconds() : Int64(task.timestampNanoseconds) + wallOffset
        return AgentEvent(timeNanoseconds: t, kind: kind, collector: collector, pid: task.tgid, ppid: task.ppid,
                          uid: task.uid, comm: task.comm, cgroupID: task.cgroupID,
                          cgroup: cgroups.names(of: task.cgroupID).path, fields: fields)
    }
}

/// A collector of events: one reader thread per ring buffer, polling with a short timeout so
/// that `stop()` returns within a quarter second.
final class EventCollector: Collector {
    let name: String
    let config: CollectorConfig
    private let sources: [EventSource]
    private let running = Atomic<Bool>(true)
    private let sampleCounter = Atomic<Int>(0)
    private let finished = DispatchGroup()
    private let sink: any CollectorSink
    private let cgroups: CgroupLabels

    init(name: String, config: CollectorConfig, sources: [EventSource], sink: any CollectorSink, cgroups: CgroupLabels) {
        self.name = name
        self.config = config
        self.sources = sources
        self.sink = sink
        self.cgroups = cgroups
        for source in sources {
            finished.enter()
            let thread = Thread { [self] in
                self.read(source)
                self.finished.leave()
            }
            thread.name = "collector-\(name)"
            thread.start()
        }
    }

    private func read(_ source: EventSource) {
        var events: [AgentEvent] = []
        var kept: [Bool] = []
        let sample = source.sampledInKernel ? 1 : config.sample
        while running.load(ordering: .relaxed) {
            let context = EventContext(collector: name, wallOffset: Clocks.monotonicToWallOffset(), cgroups: cgroups)
            events.removeAll(keepingCapacity: true)
            kept.removeAll(keepingCapacity: true)
            var records = 0
            do {
                records = try source.session.poll(timeoutMilliseconds: 250) { record in
                    guard let event = source.decode(record, context) else { return }
                    events.append(event)
                    kept.append(sample == 1 || sampleCounter.wrappingAdd(1, ordering: .relaxed).oldValue % sample == 0)
                }
            } catch {
                // A failed poll (the ring's fd gone) ends this reader; the state shows it.
                running.store(false, ordering: .relaxed)
            }
            if !events.isEmpty { sink.deliver(events, kept: kept, from: name) }
            source.pacing.afterBatch(records)
        }
    }

    func tick(now: Int64) {
        for source in sources { source.tick?(sink) }
    }

    func lostEvents() -> UInt64 {
        sources.reduce(0) { $0 + ((try? $1.session.droppedEvents()) ?? 0) }
    }

    var programs: [(name: String, program: Program)] { sources.flatMap { $0.session.namedPrograms } }

    var maps: [String: Map] {
        sources.reduce(into: [:]) { all, s in all.merge(s.session.object.maps) { a, _ in a } }
    }

    func stop() {
        running.store(false, ordering: .relaxed)
        finished.wait()
        // The kernel's counts since the last tick, so a reload or a shed loses none.
        for source in sources { source.tick?(sink) }
        for source in sources { source.session.stop() }
    }
}
