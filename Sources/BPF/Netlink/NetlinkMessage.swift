/// One netlink message: the `struct nlmsghdr` fields and the payload after the header.
/// Encoding and decoding are pure; `NetlinkSocket` (System) sends and receives the bytes.
package struct NetlinkMessage: Equatable, Sendable {
    /// `nlmsg_type`.
    package var type: UInt16
    /// `nlmsg_flags`.
    package var flags: Netlink.Flags
    /// `nlmsg_seq`.
    package var sequence: UInt32
    /// `nlmsg_pid`: the sender's port id (0 for the kernel).
    package var portID: UInt32
    /// The bytes after the header, without the trailing alignment padding.
    package var payload: [UInt8]

    package init(type: UInt16, flags: Netlink.Flags, sequence: UInt32 = 0, portID: UInt32 = 0, payload: [UInt8] = []) {
        self.type = type
        self.flags = flags
        self.sequence = sequence
        self.portID = portID
        self.payload = payload
    }

    /// The message as sent: header (with `nlmsg_len` = header + payload) and the payload,
    /// padded to 4 bytes.
    package func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Netlink.aligned(Netlink.headerSize + payload.count))
        out.appendNative(UInt32(Netlink.headerSize + payload.count))
        out.appendNative(type)
        out.appendNative(flags.rawValue)
        out.appendNative(sequence)
        out.appendNative(portID)
        out.append(contentsOf: payload)
        out.padToNetlinkAlignment()
        return out
    }

    /// Splits a datagram received from a netlink socket into its messages. Every length is
    /// checked against the buffer; a truncated or overlong message is an error.
    package static func parse(_ bytes: [UInt8]) throws(BPFError) -> [NetlinkMessage] {
        var messages: [NetlinkMessage] = []
        var offset = 0
        while offset < bytes.count {
            guard bytes.count - offset >= Netlink.headerSize else {
                throw .invalidArgument("malformed netlink reply: \(bytes.count - offset) trailing bytes at offset \(offset) are shorter than a message header")
            }
            let length = Int(bytes.loadNative(UInt32.self, at: offset))
            guard length >= Netlink.headerSize, length <= bytes.count - offset else {
                throw .invalidArgument("malformed netlink reply: message at offset \(offset) claims \(length) bytes; \(bytes.count - offset) remain")
            }
            messages.append(NetlinkMessage(
                type: bytes.loadNative(UInt16.self, at: offset + 4),
                flags: Netlink.Flags(rawValue: bytes.loadNative(UInt16.self, at: offset + 6)),
                sequence: bytes.loadNative(UInt32.self, at: offset + 8),
                portID: bytes.loadNative(UInt32.self, at: offset + 12),
                payload: Array(bytes[offset + Netlink.headerSize..<offset + length])))
            offset += min(Netlink.aligned(length), bytes.count - offset)
        }
        return messages
    }
}

/// A netlink attribute (`struct nlattr`/`struct rtattr`): a type and its value bytes.
package struct NetlinkAttribute: Equatable, Sendable {
    /// `nla_type` without `NLA_F_NESTED`/`NLA_F_NET_BYTEORDER`.
    package var type: UInt16
    /// Whether `NLA_F_NESTED` was set.
    package var isNested: Bool
    /// The value bytes (without padding).
    package var value: [UInt8]

    package init(type: UInt16, isNested: Bool = false, value: [UInt8]) {
        self.type = type
        self.isNested = isNested
        self.value = value
    }

    /// A u32 attribute in host byte order.
    package static func u32(_ type: UInt16, _ v: UInt32) -> NetlinkAttribute {
        NetlinkAttribute(type: type, value: withUnsafeBytes(of: v) { Array($0) })
    }

    /// A NUL-terminated string attribute.
    package static func string(_ type: UInt16, _ s: String) -> NetlinkAttribute {
        NetlinkAttribute(type: type, value: Array(s.utf8) + [0])
    }

    /// An attribute that holds other attributes (`NLA_F_NESTED` set).
    package static func nested(_ type: UInt16, _ children: [NetlinkAttribute]) -> NetlinkAttribute {
        NetlinkAttribute(type: type, isNested: true, value: encode(children))
    }

    /// The value as a u32, if it is exactly 4 bytes.
    package var u32: UInt32? { value.count == 4 ? value.loadNative(UInt32.self, at: 0) : nil }

    /// The value as a string, up to its first NUL.
    package var string: String { String(decoding: value.prefix(while: { $0 != 0 }), as: UTF8.self) }

    /// Encodes attributes back to back, each padded to 4 bytes.
    package static func encode(_ attributes: [NetlinkAttribute]) -> [UInt8] {
        var out: [UInt8] = []
        for a in attributes {
            out.appendNative(UInt16(4 + a.value.count))
            out.appendNative(a.type | (a.isNested ? Netlink.nestedAttributeFlag : 0))
            out.append(contentsOf: a.value)
            out.padToNetlinkAlignment()
        }
        return out
    }

    /// Decodes a run of attributes; each length is checked against the bytes.
    package static func parse<C: Collection<UInt8>>(_ bytes: C) throws(BPFError) -> [NetlinkAttribute] {
        let bytes = Array(bytes)
        var out: [NetlinkAttribute] = []
        var offset = 0
        while bytes.count - offset >= 4 {
            let length = Int(bytes.loadNative(UInt16.self, at: offset))
            let rawType = bytes.loadNative(UInt16.self, at: offset + 2)
            guard length >= 4, length <= bytes.count - offset else {
                throw .invalidArgument("malformed netlink attribute at offset \(offset): length \(length), \(bytes.count - offset) bytes remain")
            }
            out.append(NetlinkAttribute(type: rawType & Netlink.attributeTypeMask, isNested: rawType & Netlink.nestedAttributeFlag != 0,
                                        value: Array(bytes[offset + 4..<offset + length])))
            offset += min(Netlink.aligned(length), bytes.count - offset)
        }
        return out
    }
}

extension [NetlinkAttribute] {
    /// The first attribute of `type`.
    package func first(_ type: UInt16) -> NetlinkAttribute? { first { $0.type == type } }
}

extension [UInt8] {
    /// Appends a fixed-width integer in host byte order (netlink's order).
    mutating func appendNative<T: FixedWidthInteger>(_ v: T) {
        Swift.withUnsafeBytes(of: v) { append(contentsOf: $0) }
    }

    /// Pads with zeros to the netlink alignment.
    mutating func padToNetlinkAlignment() {
        while count % Netlink.alignment != 0 { append(0) }
    }

    /// Reads a fixed-width integer in host byte order at `offset`. The caller checks bounds.
    func loadNative<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        precondition(offset >= 0 && offset + MemoryLayout<T>.size <= count)
        return withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
    }
}
