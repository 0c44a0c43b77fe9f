// The firewall's XDP program in Swift: the twin of firewall.bpf.c, with the same program
// (`firewall`, section `xdp`), map names, key and value layouts and pinning, so the C object's
// generated bindings, FirewallObject, load this object too and `Firewall` drives it unchanged.
// The firewall uses it when built with SWIFTBPF_BPF_LANGUAGE=swift or when asked
// (Firewall.install(..., language:), see FirewallSwiftTwin.swift).
// For each IPv4 or IPv6 packet (after up to two VLAN tags) the first decision wins: rate
// limits, address+port tuples, source prefixes, destination prefixes, the blocklist, TCP/UDP
// destination ports, ICMP types, IP protocols, then the default policy. Count rules count and
// the walk goes on. Non-IP frames pass. firewall.bpf.c describes each stage.

/// `struct fw_lpm4_key`: an IPv4 prefix.
struct fw_lpm4_key {
    var prefixlen: UInt32
    var addr: InlineArray<4, UInt8>
}

/// `struct fw_lpm6_key`: an IPv6 prefix.
struct fw_lpm6_key {
    var prefixlen: UInt32
    var addr: InlineArray<16, UInt8>
}

/// `struct fw_tuple_key`: source (dir 0) or destination (dir 1) address, protocol, destination port.
struct fw_tuple_key {
    var family: UInt8
    var dir: UInt8
    var `protocol`: UInt8
    var reserved: UInt8
    var port: UInt16
    var reserved2: UInt16
    var addr: InlineArray<16, UInt8>
}

/// `struct fw_rule`, written by user space; the program reads the action, flags and limits.
struct fw_rule {
    var action: UInt8
    var kind: UInt8
    var `protocol`: UInt8
    var prefixlen: UInt8
    var port_first: UInt16
    var port_last: UInt16
    var flags: UInt8
    var reserved: InlineArray<7, UInt8>
    var addr: InlineArray<16, UInt8>
    var rate_packets: UInt64
    var burst_packets: UInt64
    var fill_ns_packets: UInt64
    var rate_bytes: UInt64
    var burst_bytes: UInt64
    var fill_ns_bytes: UInt64
}

/// `struct fw_counter`.
struct fw_counter {
    var packets: UInt64
    var bytes: UInt64
}

/// `struct fw_config`, slot 0 of `config`.
struct fw_config {
    var default_action: UInt32
    var blocklist_action: UInt32
    var blocklist4_entries: UInt32
    var blocklist6_entries: UInt32
    var xdp_mode: UInt32
    var stages: UInt32
    var track_sources: UInt32
    var event_sample: UInt32
    var event_rate: UInt64
}

/// `struct fw_event`, a drop for `firewall watch`.
struct fw_event {
    var timestamp_ns: UInt64
    var rule: UInt32
    var bytes: UInt32
    var family: UInt8
    var `protocol`: UInt8
    var source_port: UInt16
    var destination_port: UInt16
    var action: UInt8
    var reserved: UInt8
    var source: InlineArray<16, UInt8>
    var destination: InlineArray<16, UInt8>
}

/// `struct fw_limit_key`: a limit rule and a source (zero for one bucket per prefix).
struct fw_limit_key {
    var rule: UInt32
    var addr: InlineArray<16, UInt8>
}

/// `struct fw_bucket`: the token buckets of one source.
struct fw_bucket {
    var last_ns: UInt64
    var credit_packets: UInt64
    var credit_bytes: UInt64
    var limited_packets: UInt64
    var limited_bytes: UInt64
    var passed_packets: UInt64
}

/// `struct fw_source_key`.
struct fw_source_key {
    var family: UInt8
    var reserved: InlineArray<3, UInt8>
    var addr: InlineArray<16, UInt8>
}

/// `struct fw_event_bucket`: the event rate's bucket and the 1-in-N sampling count.
struct fw_event_bucket {
    var last_ns: UInt64
    var credit: UInt64
    var sampled: UInt64
}

let rules = ArrayMap<fw_rule>(maxEntries: 1024, pinned: true)
let counters = PerCPUArray<fw_counter>(maxEntries: 1029, pinned: true)   // rules, then default, blocklist, events sent/lost/suppressed
let config = ArrayMap<fw_config>(maxEntries: 1, pinned: true)
let src4 = LPMTrie<fw_lpm4_key, UInt32>(maxEntries: 1024, pinned: true)
let src6 = LPMTrie<fw_lpm6_key, UInt32>(maxEntries: 1024, pinned: true)
let dst4 = LPMTrie<fw_lpm4_key, UInt32>(maxEntries: 1024, pinned: true)
let dst6 = LPMTrie<fw_lpm6_key, UInt32>(maxEntries: 1024, pinned: true)
let limit4 = LPMTrie<fw_lpm4_key, UInt32>(maxEntries: 1024, pinned: true)
let limit6 = LPMTrie<fw_lpm6_key, UInt32>(maxEntries: 1024, pinned: true)
let tuples = HashMap<fw_tuple_key, UInt32>(maxEntries: 65536, preallocated: false, pinned: true)
let ports = ArrayMap<UInt32>(maxEntries: 2 * 65536, pinned: true)       // (0 TCP, 1 UDP) * 65536 + port -> rule id
let icmp_types = ArrayMap<UInt32>(maxEntries: 512, pinned: true)        // ICMP type, 256 + ICMPv6 type -> rule id
let protocols = ArrayMap<UInt32>(maxEntries: 256, pinned: true)         // IP protocol -> rule id
let buckets = LRUHash<fw_limit_key, fw_bucket>(maxEntries: 16384, pinned: true)
let dropped_sources = LRUHash<fw_source_key, fw_counter>(maxEntries: 16384, pinned: true)
let events = RingBuffer<fw_event>(bytes: 256 * 1024, pinned: true)
let event_bucket = ArrayMap<fw_event_bucket>(maxEntries: 1, pinned: true)
let blocklist4 = ArrayOfMaps<LPMTrie<fw_lpm4_key, UInt32>>(maxEntries: 1, innerMaxEntries: 1024 * 1024, pinned: true)
let blocklist6 = ArrayOfMaps<LPMTrie<fw_lpm6_key, UInt32>>(maxEntries: 1, innerMaxEntries: 1024 * 1024, pinned: true)
let license = License("GPL")

/// Counter slots after the rules' (FW_SLOT_*).
enum Slot {
    static let defaultPolicy: UInt32 = 1024
    static let blocklist: UInt32 = 1025
    static let eventsSent: UInt32 = 1026
    static let eventsLost: UInt32 = 1027
    static let eventsSuppressed: UInt32 = 1028
}

/// `enum fw_action`.
enum Action {
    static let none: UInt8 = 0
    static let allow: UInt8 = 1
    static let deny: UInt8 = 2
    static let count: UInt8 = 3
    static let limit: UInt8 = 4
}

/// `enum fw_stage`: config.stages bits.
enum Stage {
    static let limit: UInt32 = 1
    static let tupleSource: UInt32 = 2
    static let tupleDestination: UInt32 = 4
    static let source: UInt32 = 8
    static let destination: UInt32 = 16
    static let ports: UInt32 = 32
    static let icmp: UInt32 = 64
    static let protocols: UInt32 = 128
}

let nsec: UInt64 = 1_000_000_000

/// What the walk knows of the packet. Addresses are kept as the packet has them (network
/// order), IPv4 in the low four bytes of `source.0`; the rest is zero.
struct Packet {
    var bytes: UInt64 = 0
    var family: UInt8 = 0
    var proto: UInt8 = 0
    var hasPorts = false
    var hasICMP = false
    var sourcePort: UInt16 = 0
    var destinationPort: UInt16 = 0
    var icmpType: UInt8 = 0
    var source: (UInt64, UInt64) = (0, 0)
    var destination: (UInt64, UInt64) = (0, 0)
}

/// 16 address bytes as a key field.
@_transparent func bytes16(_ words: (UInt64, UInt64)) -> InlineArray<16, UInt8> {
    unsafeBitCast(words, to: InlineArray<16, UInt8>.self)
}

/// The first 4 address bytes as a key field.
@_transparent func bytes4(_ words: (UInt64, UInt64)) -> InlineArray<4, UInt8> {
    unsafeBitCast(UInt32(truncatingIfNeeded: words.0), to: InlineArray<4, UInt8>.self)
}

@_transparent func count(_ slot: UInt32, _ bytes: UInt64) {
    if let c = counters.lookup(slot) {
        c.pointee.packets &+= 1
        c.pointee.bytes &+= bytes
    }
}

/// Refills a bucket of `rate` per second after `elapsed` ns and takes `cost` tokens if it has
/// them. Credits are tokens * 1e9, so a rate needs no division here.
@_transparent
func take(_ credit: inout UInt64, _ elapsed: UInt64, _ rate: UInt64, _ burst: UInt64, _ fillNs: UInt64, _ cost: UInt64) -> Bool {
    let cap = burst &* nsec
    if elapsed >= fillNs {
        credit = cap
    } else if credit &+ elapsed &* rate > cap {
        credit = cap
    } else {
        credit &+= elapsed &* rate
    }
    if credit < cost &* nsec { return false }
    credit &-= cost &* nsec
    return true
}

/// Whether the packet is over limit rule `r` (id `id`) for its source.
@_transparent
func overLimit(_ id: UInt32, _ r: UnsafeMutablePointer<fw_rule>, _ p: inout Packet) -> Bool {
    let key = fw_limit_key(rule: id, addr: r.pointee.flags & 2 == 0 ? bytes16(p.source) : bytes16((0, 0)))
    let now = bpf_ktime_get_ns()
    var found = buckets.lookup(key)
    if found == nil {
        // A new source starts with full buckets.
        buckets.update(key, fw_bucket(last_ns: now, credit_packets: r.pointee.burst_packets &* nsec,
                                      credit_bytes: r.pointee.burst_bytes &* nsec,
                                      limited_packets: 0, limited_bytes: 0, passed_packets: 0),
                       flags: UpdateFlags.noExist)
        found = buckets.lookup(key)
    }
    guard let b = found else { return false }
    // Two CPUs may refill the same bucket at once; the loss is a token at most.
    let last = b.pointee.last_ns
    let elapsed = now > last ? now &- last : 0
    b.pointee.last_ns = now
    var packets = b.pointee.credit_packets, bytes = b.pointee.credit_bytes
    var ok = true
    let ratePackets = r.pointee.rate_packets, rateBytes = r.pointee.rate_bytes
    if ratePackets != 0 && !take(&packets, elapsed, ratePackets, r.pointee.burst_packets, r.pointee.fill_ns_packets, 1) { ok = false }
    if rateBytes != 0 && !take(&bytes, elapsed, rateBytes, r.pointee.burst_bytes, r.pointee.fill_ns_bytes, p.bytes) { ok = false }
    if ok {
        // Both buckets had the tokens: both give them.
        b.pointee.credit_packets = packets
        b.pointee.credit_bytes = bytes
        atomicAdd(&b.pointee.passed_packets, 1)
        return false
    }
    // Only the refill stays: a limited packet takes no tokens.
    if ratePackets != 0 { _ = take(&b.pointee.credit_packets, elapsed, ratePackets, r.pointee.burst_packets, r.pointee.fill_ns_packets, 0) }
    if rateBytes != 0 { _ = take(&b.pointee.credit_bytes, elapsed, rateBytes, r.pointee.burst_bytes, r.pointee.fill_ns_bytes, 0) }
    atomicAdd(&b.pointee.limited_packets, 1)
    atomicAdd(&b.pointee.limited_bytes, p.bytes)
    return true
}

/// Records a drop: per source, and as a sampled, rate-limited event.
@_transparent
func dropped(_ cfg: UnsafeMutablePointer<fw_config>, _ p: inout Packet, _ rule: UInt32, _ action: UInt8) {
    if cfg.pointee.track_sources != 0 {
        let key = fw_source_key(family: p.family, reserved: InlineArray(repeating: 0), addr: bytes16(p.source))
        if let c = dropped_sources.lookup(key) {
            atomicAdd(&c.pointee.packets, 1)
            atomicAdd(&c.pointee.bytes, p.bytes)
        } else {
            dropped_sources.update(key, fw_counter(packets: 1, bytes: p.bytes))
        }
    }
    let sample = cfg.pointee.event_sample
    if sample == 0 { return }
    guard let eb = event_bucket.lookup(0) else { return }
    if sample > 1 && atomicFetchAdd(&eb.pointee.sampled, 1) % UInt64(sample) != 0 { return }
    let now = bpf_ktime_get_ns()
    let last = eb.pointee.last_ns
    let elapsed = now > last ? now &- last : 0
    eb.pointee.last_ns = now
    let configured = cfg.pointee.event_rate
    let rate = configured != 0 ? configured : 1
    // Burst: one second of events; filling an empty bucket takes a second.
    if !take(&eb.pointee.credit, elapsed, rate, rate, nsec, 1) {
        count(Slot.eventsSuppressed, p.bytes)
        return
    }
    guard let e = events.reserve() else {
        count(Slot.eventsLost, p.bytes)
        return
    }
    e.pointee = fw_event(timestamp_ns: now, rule: rule, bytes: UInt32(truncatingIfNeeded: p.bytes),
                         family: p.family, protocol: p.proto,
                         source_port: p.hasPorts ? p.sourcePort : 0, destination_port: p.hasPorts ? p.destinationPort : 0,
                         action: action, reserved: 0, source: bytes16(p.source), destination: bytes16(p.destination))
    events.submit(e)
    count(Slot.eventsSent, p.bytes)
}

/// Applies rule `id`: the verdict when the rule decides, nil to go on (no such rule, a free
/// slot, or a count rule).
@_transparent
func apply(_ id: UInt32, _ p: inout Packet, _ cfg: UnsafeMutablePointer<fw_config>) -> Int32? {
    guard let r = rules.lookup(id) else { return nil }
    let action = r.pointee.action
    if action == Action.none { return nil }
    count(id, p.bytes)
    if action == Action.count { return nil }
    if action == Action.deny {
        dropped(cfg, &p, id, Action.deny)
        return XDPAction.drop
    }
    return XDPAction.pass
}

/// Applies the rule whose id a lookup found (0: none).
@_transparent
func applyFound(_ id: UnsafeMutablePointer<UInt32>?, _ p: inout Packet, _ cfg: UnsafeMutablePointer<fw_config>) -> Int32? {
    guard let id else { return nil }
    let rule = id.pointee
    if rule == 0 { return nil }
    return apply(rule, &p, cfg)
}

/// The rule of the longest prefix of `address` in `map4` or `map6`, applied.
@_transparent
func lookupPrefix(_ map4: LPMTrie<fw_lpm4_key, UInt32>, _ map6: LPMTrie<fw_lpm6_key, UInt32>, _ address: (UInt64, UInt64),
                  _ p: inout Packet, _ cfg: UnsafeMutablePointer<fw_config>) -> Int32? {
    if p.family == 4 {
        return applyFound(map4.lookup(fw_lpm4_key(prefixlen: 32, addr: bytes4(address))), &p, cfg)
    }
    return applyFound(map6.lookup(fw_lpm6_key(prefixlen: 128, addr: bytes16(address))), &p, cfg)
}

@_transparent
func lookupTuple(_ dir: UInt8, _ address: (UInt64, UInt64), _ p: inout Packet, _ cfg: UnsafeMutablePointer<fw_config>) -> Int32? {
    let key = fw_tuple_key(family: p.family, dir: dir, protocol: p.proto, reserved: 0, port: p.destinationPort,
                           reserved2: 0, addr: bytes16(address))
    return applyFound(tuples.lookup(key), &p, cfg)
}

/// The limit rule that drops this packet, or 0.
@_transparent
func limited(_ p: inout Packet) -> UInt32 {
    let id: UnsafeMutablePointer<UInt32>?
    if p.family == 4 {
        id = limit4.lookup(fw_lpm4_key(prefixlen: 32, addr: bytes4(p.source)))
    } else {
        id = limit6.lookup(fw_lpm6_key(prefixlen: 128, addr: bytes16(p.source)))
    }
    guard let id else { return 0 }
    let rule = id.pointee
    if rule == 0 { return 0 }
    guard let r = rules.lookup(rule), r.pointee.action == Action.limit, overLimit(rule, r, &p) else { return 0 }
    count(rule, p.bytes)
    // A dry-run limit counts what it would drop.
    return r.pointee.flags & 1 != 0 ? 0 : rule
}

/// Whether `etherType` is a VLAN tag (802.1Q or 802.1ad).
@_transparent func isVLAN(_ etherType: UInt16) -> Bool { etherType == 0x8100 || etherType == 0x88A8 }

@_cdecl("firewall") @section("xdp")
public func firewall(_ context: UnsafeMutableRawPointer) -> Int32 {
    let xdp = XDPContext(context)
    var cursor = xdp.packet
    var p = Packet()
    p.bytes = UInt64(cursor.end &- cursor.position)
    guard let ethernet = cursor.take(14) else { return XDPAction.pass }
    var proto = ethernet.u16(12)
    // Up to two VLAN tags.
    if isVLAN(proto) {
        guard let vlan = cursor.take(4) else { return XDPAction.pass }
        proto = vlan.u16(2)
        if isVLAN(proto) {
            guard let inner = cursor.take(4) else { return XDPAction.pass }
            proto = inner.u16(2)
        }
    }

    let l4: UInt
    let firstFragment: Bool
    if proto == EtherType.ipv4 {
        let start = cursor.position
        guard let ip = cursor.take(20) else { return XDPAction.pass }
        let ihl = ip.u8(0) & 0x0f
        if ihl < 5 { return XDPAction.pass }  // not a packet the stack would take either
        p.family = 4
        p.source = (UInt64(ip.raw(12, as: UInt32.self)), 0)
        p.destination = (UInt64(ip.raw(16, as: UInt32.self)), 0)
        p.proto = ip.u8(9)
        l4 = start &+ UInt(ihl) &* 4
        // Only the first fragment carries the ports and the ICMP type.
        firstFragment = ip.u16(6) & 0x1fff == 0
    } else if proto == EtherType.ipv6 {
        guard let ip6 = cursor.take(40) else { return XDPAction.pass }
        p.family = 6
        p.source = (ip6.raw(8, as: UInt64.self), ip6.raw(16, as: UInt64.self))
        p.destination = (ip6.raw(24, as: UInt64.self), ip6.raw(32, as: UInt64.self))
        // Extension headers are not walked: their next-header value is the protocol.
        p.proto = ip6.u8(6)
        l4 = cursor.position
        firstFragment = true
    } else {
        return XDPAction.pass
    }
    cursor.position = l4
    if firstFragment && (p.proto == IPProtocol.tcp || p.proto == IPProtocol.udp) {
        guard let ports = cursor.take(4) else { return XDPAction.pass }
        p.hasPorts = true
        p.sourcePort = ports.u16(0)
        p.destinationPort = ports.u16(2)
    } else if firstFragment && (p.proto == IPProtocol.icmp || p.proto == IPProtocol.icmpv6) {
        guard let type = cursor.take(1) else { return XDPAction.pass }
        p.hasICMP = true
        p.icmpType = type.u8(0)
    }

    guard let cfg = config.lookup(0) else { return XDPAction.pass }
    let stages = cfg.pointee.stages

    if stages & Stage.limit != 0 {
        let rule = limited(&p)
        if rule != 0 {
            dropped(cfg, &p, rule, Action.limit)
            return XDPAction.drop
        }
    }
    if p.hasPorts && stages & Stage.tupleSource != 0, let verdict = lookupTuple(0, p.source, &p, cfg) { return verdict }
    if p.hasPorts && stages & Stage.tupleDestination != 0, let verdict = lookupTuple(1, p.destination, &p, cfg) { return verdict }
    if stages & Stage.source != 0, let verdict = lookupPrefix(src4, src6, p.source, &p, cfg) { return verdict }
    if stages & Stage.destination != 0, let verdict = lookupPrefix(dst4, dst6, p.destination, &p, cfg) { return verdict }

    // Each family's trie is looked up on its own path (one map per call site).
    var hit = false
    if p.family == 4 {
        if let trie = blocklist4.lookup(0) { hit = trie.lookup(fw_lpm4_key(prefixlen: 32, addr: bytes4(p.source))) != nil }
    } else {
        if let trie = blocklist6.lookup(0) { hit = trie.lookup(fw_lpm6_key(prefixlen: 128, addr: bytes16(p.source))) != nil }
    }
    if hit {
        count(Slot.blocklist, p.bytes)
        if cfg.pointee.blocklist_action == UInt32(Action.count) { return XDPAction.pass }
        dropped(cfg, &p, Slot.blocklist, Action.deny)
        return XDPAction.drop
    }

    if p.hasPorts && stages & Stage.ports != 0 {
        let slot = (p.proto == IPProtocol.udp ? 65536 : 0) &+ UInt32(p.destinationPort)
        if let verdict = applyFound(ports.lookup(slot), &p, cfg) { return verdict }
    }
    if p.hasICMP && stages & Stage.icmp != 0 {
        let slot = (p.family == 6 ? 256 : 0) &+ UInt32(p.icmpType)
        if let verdict = applyFound(icmp_types.lookup(slot), &p, cfg) { return verdict }
    }
    if stages & Stage.protocols != 0, let verdict = applyFound(protocols.lookup(UInt32(p.proto)), &p, cfg) { return verdict }

    // A default deny keeps IPv6 neighbour discovery (ICMPv6 133-137), as ARP passes for IPv4.
    let defaultAction = cfg.pointee.default_action
    if defaultAction == UInt32(Action.deny) && p.family == 6 && p.hasICMP && p.icmpType >= 133 && p.icmpType <= 137 {
        return XDPAction.pass
    }
    count(Slot.defaultPolicy, p.bytes)
    if defaultAction != UInt32(Action.deny) { return XDPAction.pass }
    dropped(cfg, &p, Slot.defaultPolicy, Action.deny)
    return XDPAction.drop
}
