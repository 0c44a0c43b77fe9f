import Swift

/// Walks a packet between `data` and `data_end` with the bounds checks the verifier needs.
///
/// `take(n)` compares `position + n` with the end before handing out `n` bytes, the test the
/// verifier turns into a known packet range (`pkt(off=…,r=…)`); reads through the returned
/// `PacketBytes` are then within that range. Multi-byte fields are read in network byte order.
public struct PacketCursor {
    public var position: UInt
    public let end: UInt

    @_transparent public init(start: UInt, end: UInt) {
        position = start
        self.end = end
    }

    /// The next `count` bytes, or nil when the packet is shorter; advances past them.
    @_transparent
    public mutating func take(_ count: UInt) -> PacketBytes? {
        let start = position
        guard start + count <= end else { return nil }
        position = start + count
        return PacketBytes(address: start)
    }

    /// Skips `count` bytes (a header's variable part); false when the packet is shorter.
    @_transparent
    public mutating func skip(_ count: UInt) -> Bool { take(count) != nil }
}

/// Bytes of a packet whose length a `PacketCursor` checked.
public struct PacketBytes {
    public let address: UInt
    @_transparent public init(address: UInt) { self.address = address }

    /// The first byte (a packet pointer to the verifier).
    @_transparent public var pointer: UnsafeRawPointer { UnsafeRawPointer(bitPattern: address).unsafelyUnwrapped }

    @_transparent public func u8(_ offset: Int) -> UInt8 { pointer.load(fromByteOffset: offset, as: UInt8.self) }
    /// A 16-bit field in network byte order.
    @_transparent public func u16(_ offset: Int) -> UInt16 { UInt16(bigEndian: pointer.load(fromByteOffset: offset, as: UInt16.self)) }
    /// A 32-bit field in network byte order.
    @_transparent public func u32(_ offset: Int) -> UInt32 { UInt32(bigEndian: pointer.load(fromByteOffset: offset, as: UInt32.self)) }
    /// The bytes at `offset` as they are in the packet, unswapped (an address copied into a
    /// map key whose field is in network order): one load of `T`'s width.
    @_transparent public func raw<T: BitwiseCopyable>(_ offset: Int, as type: T.Type) -> T { pointer.load(fromByteOffset: offset, as: T.self) }
}

/// EtherTypes and IP protocol numbers (`ETH_P_*`, `IPPROTO_*`).
public enum EtherType {
    public static let ipv4: UInt16 = 0x0800
    public static let ipv6: UInt16 = 0x86DD
    public static let arp: UInt16 = 0x0806
}

public enum IPProtocol {
    public static let icmp: UInt8 = 1
    public static let tcp: UInt8 = 6
    public static let udp: UInt8 = 17
    public static let icmpv6: UInt8 = 58
}
