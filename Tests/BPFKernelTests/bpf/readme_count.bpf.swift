// The README's example ("Writing BPF programs in Swift"), verbatim below this line.
// Counts IPv4 packets by IP protocol, and every packet in `packets`.
let counts = ArrayMap<UInt64>(maxEntries: 256)
let license = License("GPL")

/// A `.bss` global, read from user space by its Swift name.
public var packets: UInt64 = 0

@_cdecl("count_protocols") @section("xdp")
public func countProtocols(_ context: UnsafeMutableRawPointer) -> Int32 {
    atomicAdd(&packets, 1)
    var cursor = XDPContext(context).packet
    guard let ethernet = cursor.take(14), ethernet.u16(12) == EtherType.ipv4,
          let ip = cursor.take(20) else { return XDPAction.pass }
    counts.increment(UInt32(ip.u8(9)))
    return XDPAction.pass
}
