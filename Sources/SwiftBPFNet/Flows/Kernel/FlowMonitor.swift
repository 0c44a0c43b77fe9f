import BPF
import Glibc

/// The kernel side of `swiftbpf flows`, loaded and attached: per-connection metrics kept in the
/// kernel's maps (flows.bpf.c through its generated bindings `FlowsObject`), read by `refresh()`
/// once per interval; closed connections and DNS messages arrive on a ring buffer (`poll`).
///
/// Hooks, all on the cgroup v2 root or global, none a kprobe or fentry: sockops, cgroup_skb
/// ingress and egress, cgroup/sock_create (owners of UDP sockets), tp_btf/inet_sock_set_state,
/// tp_btf/tcp_rcv_space_adjust and iter/tcp. The same programs load from Linux 5.12 on (Debian
/// 12's 6.1 included): none calls a helper that only newer kernels offer its program type.
/// Releasing the monitor detaches them.
public final class FlowMonitor {
    /// What to track and how much.
    public struct Options: Sendable {
        public var filter = FlowFilter()
        /// The cap on tracked connections (each of the TCP and the UDP map). At 90 % of it the
        /// connections idle longest are evicted down to 80 %, and counted.
        public var maxFlows: UInt32 = 65536
        public var trackUDP = true
        public var trackDNS = true
        /// Closed connections and DNS messages wake the reader only once this many bytes wait
        /// (nil: an eighth of the ring; 0: every record). `poll` with a timeout reads the rest.
        public var wakeupBytes: UInt32?
        /// A UDP flow idle this long is reported closed and dropped.
        public var udpIdleSeconds: Double = 60
        /// The cgroup v2 directory whose sockets are watched (default: the root, every process).
        public var cgroupRoot: String?
        public init() {}
    }

    /// Counters of what could not be tracked or reported.
    public struct Stats: Sendable, Equatable, Codable {
        /// Ring buffer records (closed connections, DNS messages) lost: the buffer was full.
        public var lostEvents: UInt64 = 0
        /// New connections not tracked because the TCP or UDP map was full.
        public var tcpMapFull: UInt64 = 0
        public var udpMapFull: UInt64 = 0
        /// Owners not noted because the owner map was full.
        public var ownerMapFull: UInt64 = 0
        /// DNS messages longer than the 512 bytes copied (parsed as far as they go).
        public var dnsCut: UInt64 = 0
        /// Connections evicted by the cap (user space, idle longest first).
        public var evicted: UInt64 = 0
        public init() {}
    }

    /// A record from the ring buffer.
    public enum Event: Sendable {
        case closed(Flow)
        case dns(DNSPacket)
    }

    public let options: Options
    let bindings: FlowsObject
    private var links: [Link] = []
    private let iterLink: Link?
    private let events: RingBuffer
    private var listeners: Set<ListenerKey> = []
    private var socketOwners: [UInt64: Flow.Owner] = [:]
    private var evicted: UInt64 = 0
    /// The cap the eviction keeps below.
    var cap: Int { Int(options.maxFlows) }

    struct ListenerKey: Hashable {
        var netns: UInt32
        var port: UInt16
    }

    /// Loads flows.bpf.c with `options`' filters, attaches every hook and takes in the
    /// connections that already exist. A hook the kernel lacks is named in the error.
    public init(options: Options = Options()) throws(FlowMonitorError) {
        self.options = options
        let root: String
        do {
            root = try options.cgroupRoot ?? Link.cgroup2MountPoint()
        } catch {
            throw FlowMonitorError("flows needs cgroup v2 (for its sockops and cgroup_skb hooks): \(error)")
        }
        var config = FlowsObject.Config()
        try Self.apply(options, to: &config)
        do {
            bindings = try FlowsObject.load(config: config)
        } catch {
            throw FlowMonitorError(Self.explainLoadFailure(error, config: config))
        }
        if let path = options.filter.cgroupPath {
            do {
                let dir = try Syscalls.open(path, O_RDONLY | O_DIRECTORY)
                try bindings.flowCgroup.map.update(key: UInt32(0), value: UInt32(bitPattern: dir.rawValue))
            } catch {
                throw FlowMonitorError("--cgroup \(path): \(error)")
            }
        }
        do {
            events = try RingBuffer(map: bindings.flowEvents.map)
        } catch {
            throw FlowMonitorError("cannot read the ring buffer: \(error)")
        }
        func attach(_ hook: String, _ body: () throws(BPFError) -> Link) throws(FlowMonitorError) -> Link {
            do { return try body() } catch {
                throw FlowMonitorError("cannot attach \(hook): \(error)")
            }
        }
        let b = bindings
        links.append(try attach("tp_btf/inet_sock_set_state (owners, FINs, closed connections)") { () throws(BPFError) in try b.flowsSetState.attach() })
        links.append(try attach("tp_btf/tcp_rcv_space_adjust (owners of accepted connections)") { () throws(BPFError) in try b.flowsRcvSpace.attach() })
        links.append(try attach("sockops on \(root) (TCP state, RTT and retransmit callbacks)") { () throws(BPFError) in try b.flowsSockops.attach(cgroup: root) })
        if options.trackUDP || options.trackDNS {
            // Before the packet hooks: a socket made in between would have no owner. With --cgroup,
            // on that directory: only sockets its processes make get an owner.
            let owners = options.filter.cgroupPath ?? root
            links.append(try attach("cgroup/sock_create on \(owners) (owners of UDP sockets)") { () throws(BPFError) in try b.flowsSockCreate.attach(cgroup: owners) })
            links.append(try attach("cgroup_skb/egress on \(root) (UDP, DNS queries)") { () throws(BPFError) in try b.flowsEgress.attach(cgroup: root) })
            links.append(try attach("cgroup_skb/ingress on \(root) (UDP, DNS answers)") { () throws(BPFError) in try b.flowsIngress.attach(cgroup: root) })
        }
        iterLink = try attach("iter/tcp (connections that predate the tool)") { () throws(BPFError) in try b.flowsIterTcp.attach() }
        try walkSockets()
    }

    static func apply(_ options: Options, to config: inout FlowsObject.Config) throws(FlowMonitorError) {
        let f = options.filter
        if let pid = f.pid { config.targTgid = pid }
        if let comm = f.comm {
            guard !comm.isEmpty, comm.utf8.count <= 15 else {
                throw FlowMonitorError("--comm must be 1 to 15 bytes (a task's comm is at most 15), got \(comm.utf8.count)")
            }
            config.targCommString = comm
            config.targCommLen = UInt32(comm.utf8.count)
        }
        if f.cgroupPath != nil { config.targCgroup = 1 }
        if let port = f.port { config.targPort = port }
        if let prefix = f.remote {
            config.targFamily = prefix.family == .ipv4 ? 2 : 10
            config.targPrefixlen = UInt8(prefix.length)
            var addr = InlineArray<16, UInt8>(repeating: 0)
            for (i, b) in prefix.address.enumerated() { addr[i] = b }
            config.targAddr = addr
        }
        config.trackUdp = options.trackUDP ? 1 : 0
        config.trackDns = options.trackDNS ? 1 : 0
        // An eighth of the ring (flow_events is 1 MiB): see wakeup_bytes in flows.bpf.c.
        config.wakeupBytes = options.wakeupBytes ?? (1 << 20) / 8
        guard options.maxFlows >= 16 else { throw FlowMonitorError("--max-flows must be at least 16, got \(options.maxFlows)") }
        config.maxEntries.tcpFlows = options.maxFlows
        config.maxEntries.udpFlows = options.maxFlows
    }

    /// The hooks this kernel refuses (each program of flows.bpf.c loaded alone), described as
    /// "SECTION (what it is for; Linux X): error; hint"; empty when all load. Tests skip with this.
    public static func missingHooks() -> [String] {
        missingHooks(config: FlowsObject.Config())
    }

    static func missingHooks(config: FlowsObject.Config) -> [String] {
        FlowHook.refused(config: config)
    }

    /// Names the hooks the kernel refused.
    static func explainLoadFailure(_ error: BPFError, config: FlowsObject.Config) -> String {
        let missing = missingHooks(config: config)
        if missing.isEmpty { return "cannot load flows.bpf.c: \(error)" }
        return "this kernel (Linux \(Features.kernelVersion)) refuses hooks that flows needs (together they need Linux \(FlowHook.minimumLinux) or later):\n  "
            + missing.joined(separator: "\n  ")
    }

    // MARK: Reading

    /// Runs the socket iterator: notes listeners, takes in connections not yet tracked (those
    /// that predate the tool) and refreshes their counters (they get no sockops callbacks).
    func walkSockets() throws(FlowMonitorError) {
        guard let iterLink else { return }
        do {
            _ = try bindings.flowsIterTcp.read(iterLink)
            for (key, _) in try bindings.listeners.entries() {
                listeners.insert(ListenerKey(netns: key.netns, port: key.port))
            }
        } catch {
            throw FlowMonitorError("cannot walk the TCP sockets (iter/tcp): \(error)")
        }
    }

    /// Every tracked connection now, after walking the sockets and evicting over the cap.
    /// UDP flows idle longer than `udpIdleSeconds` are removed and returned in `expired`.
    public func refresh() throws(FlowMonitorError) -> (flows: [Flow], expired: [Flow]) {
        try walkSockets()
        var flows: [Flow] = []
        var expired: [Flow] = []
        let now = Self.monotonicNanos()
        do {
            var tcp = try bindings.tcpFlows.entries()
            if tcp.count > cap * 9 / 10 {
                tcp.sort { $0.value.lastNs < $1.value.lastNs }
                let excess = tcp.count - cap * 8 / 10
                for (key, _) in tcp.prefix(excess) { _ = try bindings.tcpFlows.delete(key: key) }
                evicted += UInt64(excess)
                tcp.removeFirst(excess)
            }
            flows += tcp.map { decode($0.value) }
            var udp = try bindings.udpFlows.entries()
            let idle = UInt64(options.udpIdleSeconds * 1e9)
            for (key, value) in udp where now > value.lastNs && now - value.lastNs > idle {
                _ = try bindings.udpFlows.delete(key: key)
                var f = decode(value)
                f.closed = true
                expired.append(f)
            }
            udp.removeAll { now > $0.value.lastNs && now - $0.value.lastNs > idle }
            if udp.count > cap * 9 / 10 {
                udp.sort { $0.value.lastNs < $1.value.lastNs }
                let excess = udp.count - cap * 8 / 10
                for (key, _) in udp.prefix(excess) { _ = try bindings.udpFlows.delete(key: key) }
                evicted += UInt64(excess)
                udp.removeFirst(excess)
            }
            flows += udp.map { decode($0.value) }
        } catch {
            throw FlowMonitorError("cannot read the flow maps: \(error)")
        }
        resolveOwners(&flows)
        return (flows, expired)
    }

    /// Pre-existing connections have no owner from the hooks: find it through the socket's
    /// inode in /proc/PID/fd (once per new inode).
    private func resolveOwners(_ flows: inout [Flow]) {
        let wanted = flows.indices.filter { flows[$0].owner == nil && flows[$0].inode != 0 }
        guard !wanted.isEmpty else { return }
        if wanted.contains(where: { socketOwners[flows[$0].inode] == nil }) {
            socketOwners.merge(SocketOwners.scan()) { a, _ in a }
        }
        for i in wanted { flows[i].owner = socketOwners[flows[i].inode] }
    }

    /// Waits up to `timeoutMilliseconds` for closed connections and DNS messages.
    public func poll(timeoutMilliseconds: Int32, _ body: (Event) -> Void) throws(FlowMonitorError) {
        do {
            _ = try events.poll(timeoutMilliseconds: timeoutMilliseconds) { record in
                if let e = decodeEvent(record) { body(e) }
            }
        } catch {
            if case let .syscall(_, e) = error, e == .EINTR { return }
            throw FlowMonitorError("cannot read the ring buffer: \(error)")
        }
    }

    func decodeEvent(_ record: UnsafeRawBufferPointer) -> Event? {
        guard record.count >= 4 else { return nil }
        switch record.loadUnaligned(as: UInt32.self) {
        case 1:
            guard record.count >= MemoryLayout<FlowsObject.Flow>.size else { return nil }
            var f = decode(RingBufferReader<FlowsObject.Flow>.decode(record))
            if f.owner == nil, f.inode != 0 { f.owner = socketOwners[f.inode] }
            return .closed(f)
        case 2:
            guard record.count >= MemoryLayout<FlowsObject.DnsEvent>.size else { return nil }
            return .dns(DNSPacket(RingBufferReader<FlowsObject.DnsEvent>.decode(record)))
        default:
            return nil
        }
    }

    /// The kernel's counters of loss and full maps, and the evictions.
    public func stats() throws(FlowMonitorError) -> Stats {
        func sum(_ slot: UInt32) throws(BPFError) -> UInt64 { try bindings.flowStats.values(at: slot).reduce(0, +) }
        do {
            var s = Stats()
            s.lostEvents = try sum(0)
            s.tcpMapFull = try sum(1)
            s.udpMapFull = try sum(2)
            s.ownerMapFull = try sum(3)
            s.dnsCut = try sum(4)
            s.evicted = evicted
            return s
        } catch {
            throw FlowMonitorError("cannot read the counters: \(error)")
        }
    }

    /// CLOCK_MONOTONIC in nanoseconds, the clock of bpf_ktime_get_ns().
    public static func monotonicNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    // MARK: Decoding

    /// A kernel record as a `Flow`: TCP sequence-space counters become payload bytes.
    func decode(_ r: FlowsObject.Flow) -> Flow {
        let tcp = r.protocol == 6
        var direction: Flow.Direction = r.direction == 1 ? .outgoing : r.direction == 2 ? .incoming : .unknown
        if direction == .unknown {
            direction = listeners.contains(ListenerKey(netns: r.netns, port: r.lport)) ? .incoming : .outgoing
        }
        var sent = r.bytesOut
        var received = r.bytesIn
        if tcp {
            (sent, received) = TCPPayload.bytes(acked: r.bytesOut, received: r.bytesIn, outgoing: direction == .outgoing,
                                                finOutAcked: r.flags & 4 != 0, finIn: r.flags & 8 != 0)
        }
        let family: IPPrefix.Family = r.family == 10 ? .ipv6 : .ipv4
        func address(_ a: InlineArray<16, UInt8>) -> String {
            var bytes: [UInt8] = []
            for i in 0..<family.byteCount { bytes.append(a[i]) }
            return IPPrefix.text(bytes, family: family)
        }
        let remote = Endpoint(address: address(r.raddr), port: r.rport)
        let owned = r.flags & 16 != 0
        return Flow(
            id: FlowID(cookie: r.cookie, peer: tcp ? nil : remote),
            transport: tcp ? .tcp : .udp,
            local: Endpoint(address: address(r.laddr), port: r.lport),
            remote: remote,
            remoteName: nil,
            direction: direction,
            state: tcp ? Flow.tcpStateName(r.state) : nil,
            netns: r.netns,
            owner: owned ? Flow.Owner(pid: r.owner.tgid, uid: r.owner.uid, comm: r.owner.commString, cgroupID: r.owner.cgroupId) : nil,
            bytesSent: sent, bytesReceived: received,
            packetsSent: r.packetsOut, packetsReceived: r.packetsIn,
            rttMicros: r.srttUs, rttVarMicros: r.rttvarUs, retransmits: r.totalRetrans,
            firstSeenNanos: r.startNs, lastSeenNanos: r.lastNs,
            preexisting: r.flags & 1 != 0, closed: r.flags & 32 != 0,
            inode: r.inode)
    }
}

/// The arithmetic from RFC 4898 counters to payload bytes.
public enum TCPPayload {
    /// `bytes_acked` counts acknowledged sequence space: on the side that connected it includes
    /// the SYN (snd_una starts at the ISN there, at ISN+1 on the accepting side), and it
    /// includes our FIN once acknowledged. `bytes_received` includes the peer's FIN (rcv_nxt
    /// steps over it) but never its SYN (rcv_nxt is set to IRS+1 directly).
    public static func bytes(acked: UInt64, received: UInt64, outgoing: Bool, finOutAcked: Bool, finIn: Bool) -> (sent: UInt64, received: UInt64) {
        var sent = acked
        if outgoing, sent > 0 { sent -= 1 }
        if finOutAcked, sent > 0 { sent -= 1 }
        var got = received
        if finIn, got > 0 { got -= 1 }
        return (sent, got)
    }
}
