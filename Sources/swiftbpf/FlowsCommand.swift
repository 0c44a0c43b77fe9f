import ArgumentParser
import Glibc
import SwiftBPFNet
import SwiftBPFTools

/// `swiftbpf flows`: thin argument handling and the refresh loop over `SwiftBPFNet.FlowMonitor`.
struct FlowsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flows",
        abstract: "Per-connection network monitoring: bytes, packets, RTT and retransmits, DNS names, topology.",
        discussion: """
            Every TCP and UDP connection of the machine (IPv4 and IPv6), aggregated in the kernel \
            from sockops, cgroup_skb, tracepoints and a TCP socket iterator (no kprobes). Bytes are \
            payload bytes. On a terminal a live table sorted by throughput, refreshed every \
            interval; otherwise one line per active connection per interval and one per closed one. \
            --json: one object per connection per interval ("type":"flow"), per closed connection \
            ("type":"closed"), per DNS exchange with --dns ("type":"dns"), and counters of loss \
            ("type":"stats") when they change. --graph json|dot|svg prints the topology of the \
            whole run when it stops (Ctrl-C, SIGTERM or --duration).
            """
    )

    @Option(name: [.short, .long], help: "Only connections of this process (tgid).") var pid: UInt32?
    @Option(help: "Only connections of processes with this command name.") var comm: String?
    @Option(help: "Only connections of processes in this cgroup v2 directory (or below).") var cgroup: String?
    @Option(help: "Only connections with this local or remote port.") var port: UInt16?
    @Option(help: "Only connections whose remote address is in this prefix (e.g. 10.0.0.0/8).") var address: String?
    @Option(help: "Seconds between refreshes.") var interval: Double = 1
    @Option(help: "Stop after this many seconds.") var duration: Double?
    @Flag(help: "JSON lines output.") var json = false
    @Flag(help: "Stream DNS exchanges (name, type, rcode, answers, latency, process) instead of the flow table.") var dns = false
    @Option(help: "At the end, print the topology as json, dot or svg.") var graph: String?
    @Option(help: "Write the topology to this file instead of stdout.") var graphOutput: String?
    @Option(help: "The cap on tracked connections (TCP and UDP each); the idlest are evicted past it.") var maxFlows: UInt32 = 65536
    @Flag(help: "Do not track UDP flows.") var noUdp = false
    @Option(help: "Rows of the live table.") var top: Int = 25

    func validate() throws {
        guard interval >= 0.05 else { throw ValidationError("--interval must be at least 0.05 s") }
        if let graph, !["json", "dot", "svg"].contains(graph) { throw ValidationError("--graph is json, dot or svg, not '\(graph)'") }
    }

    func run() throws {
        installStopHandlers()
        var options = FlowMonitor.Options()
        var remote: IPPrefix?
        if let address { remote = try IPPrefix(parsing: address) }
        options.filter = FlowFilter(pid: pid, comm: comm, cgroupPath: cgroup, port: port, remote: remote)
        options.maxFlows = maxFlows
        options.trackUDP = !noUdp
        let monitor = try FlowMonitor(options: options)
        var loop = FlowsLoop(command: self, monitor: monitor, live: isatty(1) == 1 && !json && !dns)
        try loop.run()
        if let graph {
            let t = loop.topology
            let text = graph == "json" ? t.json() + "\n" : graph == "dot" ? t.dot() : t.svg()
            if let graphOutput {
                guard let file = fopen(graphOutput, "w") else { throw ValidationError("cannot write \(graphOutput): \(String(cString: strerror(errno)))") }
                fputs(text, file)
                fclose(file)
            } else {
                print(text, terminator: "")
            }
        }
    }
}

/// The refresh loop: ring buffer events between refreshes, the table or lines at each.
struct FlowsLoop {
    let command: FlowsCommand
    let monitor: FlowMonitor
    let live: Bool
    var tracker = DNSTracker()
    var rates = FlowRates()
    var topology = Topology()
    var reportedStats = FlowMonitor.Stats()

    init(command: FlowsCommand, monitor: FlowMonitor, live: Bool) {
        self.command = command
        self.monitor = monitor
        self.live = live
    }

    mutating func run() throws {
        let start = (Double(FlowMonitor.monotonicNanos()) / 1e9)
        var last = start
        var nextRefresh = start + command.interval
        if !live && !command.json && !command.dns { print(FlowFormat.header) }
        while !stopRequested.load(ordering: .relaxed) {
            let now = (Double(FlowMonitor.monotonicNanos()) / 1e9)
            if let d = command.duration, now - start >= d { break }
            let wait = max(0, min(nextRefresh, command.duration.map { start + $0 } ?? nextRefresh) - now)
            try monitor.poll(timeoutMilliseconds: Int32(wait * 1000)) { event in handle(event) }
            if (Double(FlowMonitor.monotonicNanos()) / 1e9) >= nextRefresh {
                let t = (Double(FlowMonitor.monotonicNanos()) / 1e9)
                try refresh(seconds: t - last)
                last = t
                nextRefresh += command.interval
                if nextRefresh < t { nextRefresh = t + command.interval }
            }
        }
        try monitor.poll(timeoutMilliseconds: 0) { event in handle(event) }
        try refresh(seconds: (Double(FlowMonitor.monotonicNanos()) / 1e9) - last, final: true)
    }

    mutating func handle(_ event: FlowMonitor.Event) {
        switch event {
        case var .closed(flow):
            var one = [flow]
            tracker.label(&one, nowNanos: FlowMonitor.monotonicNanos())
            flow = one[0]
            if command.filtersProcesses && flow.owner == nil { return }
            if command.graph != nil { topology.add([flow]) }
            if command.dns { return }
            if command.json {
                print(FlowFormat.json(flow, kind: "closed"))
            } else if !live {
                print(FlowFormat.line(flow, txRate: 0, rxRate: 0) + " closed")
            }
        case let .dns(packet):
            guard let e = tracker.take(packet) else { return }
            guard command.dns else { return }
            print(command.json ? FlowFormat.json(e) : FlowFormat.line(e))
        }
    }

    mutating func refresh(seconds: Double, final: Bool = false) throws {
        var (flows, expired) = try monitor.refresh()
        let now = FlowMonitor.monotonicNanos()
        tracker.label(&flows, nowNanos: now)
        tracker.label(&expired, nowNanos: now)
        if command.filtersProcesses {
            flows.removeAll { $0.owner == nil }
            expired.removeAll { $0.owner == nil }
        }
        if command.graph != nil { topology.add(flows + expired) }
        let r = rates.update(flows, seconds: seconds)
        try reportStats()
        guard !command.dns else { Output.flush(); return }
        if command.json {
            for f in flows {
                let rate = r[f.id] ?? (0, 0)
                print(FlowFormat.json(f, kind: "flow", txRate: rate.tx, rxRate: rate.rx))
            }
            for f in expired { print(FlowFormat.json(f, kind: "closed")) }
        } else if live && !final {
            let sorted = flows.sorted { (r[$0.id].map { $0.tx + $0.rx } ?? 0) > (r[$1.id].map { $0.tx + $0.rx } ?? 0) }
            var screen = "\u{1b}[H\u{1b}[2J" + "swiftbpf flows: \(flows.count) connections\n" + FlowFormat.header + "\n"
            for f in sorted.prefix(command.top) {
                let rate = r[f.id] ?? (0, 0)
                screen += FlowFormat.line(f, txRate: rate.tx, rxRate: rate.rx) + "\n"
            }
            print(screen, terminator: "")
        } else if !live {
            for f in flows {
                let rate = r[f.id] ?? (0, 0)
                if rate.tx > 0 || rate.rx > 0 { print(FlowFormat.line(f, txRate: rate.tx, rxRate: rate.rx)) }
            }
            for f in expired { print(FlowFormat.line(f, txRate: 0, rxRate: 0) + " closed") }
        }
        Output.flush()
    }

    /// Loss and full maps, reported while they happen (stderr; a stats record with --json).
    mutating func reportStats() throws {
        let s = try monitor.stats()
        guard s != reportedStats else { return }
        let d = reportedStats
        reportedStats = s
        Output.error("flows: lost events \(s.lostEvents - d.lostEvents), map full tcp \(s.tcpMapFull - d.tcpMapFull) udp \(s.udpMapFull - d.udpMapFull) owners \(s.ownerMapFull - d.ownerMapFull), dns cut \(s.dnsCut - d.dnsCut), evicted \(s.evicted - d.evicted) (since start: \(s.lostEvents) lost, \(s.evicted) evicted)")
        if command.json { print(FlowFormat.json(s)) }
    }
}

extension FlowsCommand {
    var filtersProcesses: Bool { pid != nil || comm != nil || cgroup != nil }
}
