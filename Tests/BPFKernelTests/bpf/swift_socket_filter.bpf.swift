// The Swift twin of net_socket_filter.bpf.c: a socket filter (SO_ATTACH_BPF) for a UDP socket.
// When it runs, the packet starts at the UDP header, so the payload starts at offset 8.
// Payloads starting with 'D' are dropped (return 0) and counted in counts[1]; the others are
// kept whole and counted in counts[0].

let counts = ArrayMap<UInt64>(maxEntries: 2)
let license = License("GPL")

@_cdecl("drop_marked") @section("socket")
public func dropMarked(_ context: UnsafeMutableRawPointer) -> Int32 {
    let skb = SocketBuffer(context)
    var marker: UInt8 = 0
    if skb.loadBytes(at: 8, into: &marker), marker == UInt8(ascii: "D") {
        counts.increment(1)
        return 0
    }
    counts.increment(0)
    return Int32(bitPattern: skb.length)
}
