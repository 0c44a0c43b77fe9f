// An XDP packet counter by protocol, in Swift (twin: c_xdp_protocols.bpf.c).
// counts[p] counts IPv4 packets of IP protocol p, counts[256] IPv6 packets, counts[257] the
// rest; `packets` counts every packet. Every packet passes.

let counts = ArrayMap<UInt64>(maxEntries: 258)
let license = License("GPL")

/// Every packet the program saw (a `.bss` global, read from user space by name).
public var packets: UInt64 = 0

@_cdecl("xdp_count_protocols") @section("xdp")
public func xdpCountProtocols(_ context: UnsafeMutableRawPointer) -> Int32 {
    atomicAdd(&packets, 1)
    var cursor = XDPContext(context).packet
    guard let ethernet = cursor.take(14) else {
        counts.increment(257)
        return XDPAction.pass
    }
    switch ethernet.u16(12) {
    case EtherType.ipv4:
        if let ip = cursor.take(20) {
            counts.increment(UInt32(ip.u8(9)))
        } else {
            counts.increment(257)
        }
    case EtherType.ipv6:
        counts.increment(256)
    default:
        counts.increment(257)
    }
    return XDPAction.pass
}
