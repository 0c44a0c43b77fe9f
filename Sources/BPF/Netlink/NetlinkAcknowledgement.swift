/// A decoded `NLMSG_ERROR` reply (`struct nlmsgerr`): the errno of the request it answers (0
/// for a plain acknowledgement) and the kernel's extended-ack text when it sent one.
package struct NetlinkAcknowledgement: Equatable, Sendable {
    /// The positive errno, or 0 for success.
    package var errno: Int32
    /// `nlmsg_seq` of the request this answers (from the echoed header).
    package var requestSequence: UInt32
    /// `NLMSGERR_ATTR_MSG`: the kernel's explanation, e.g. "Exclusivity flag on, cannot modify".
    package var message: String?
    /// `NLMSGERR_ATTR_OFFS`: the byte offset of the offending attribute in the request.
    package var attributeOffset: UInt32?

    package init(errno: Int32, requestSequence: UInt32, message: String? = nil, attributeOffset: UInt32? = nil) {
        self.errno = errno
        self.requestSequence = requestSequence
        self.message = message
        self.attributeOffset = attributeOffset
    }

    /// Decodes the payload of an `NLMSG_ERROR` message whose header flags are `flags`: an i32
    /// `-errno`, the request's header (and its payload unless `NLM_F_CAPPED`), then, with
    /// `NLM_F_ACK_TLVS`, the extended-ack attributes.
    package init(payload: [UInt8], flags: Netlink.Flags) throws(BPFError) {
        guard payload.count >= 4 + Netlink.headerSize else {
            throw .invalidArgument("malformed netlink reply: NLMSG_ERROR payload of \(payload.count) bytes is shorter than struct nlmsgerr (20)")
        }
        let code = payload.loadNative(Int32.self, at: 0)
        errno = code == Int32.min ? Int32.max : -code
        requestSequence = payload.loadNative(UInt32.self, at: 4 + 8)
        message = nil
        attributeOffset = nil
        guard flags.contains(.acknowledgementTLVs) else { return }
        var tlvStart = 4 + Netlink.headerSize
        if !flags.contains(.capped) {
            let requestLength = Int(payload.loadNative(UInt32.self, at: 4))
            guard requestLength >= Netlink.headerSize, requestLength <= payload.count - 4 else {
                throw .invalidArgument("malformed netlink reply: NLMSG_ERROR echoes a \(requestLength)-byte request in \(payload.count - 4) bytes")
            }
            tlvStart = 4 + Netlink.aligned(requestLength)
        }
        guard tlvStart <= payload.count else { return }
        let attributes = try NetlinkAttribute.parse(payload[tlvStart...])
        if let m = attributes.first(Netlink.ExtendedAckAttribute.message) {
            let text = m.string
            message = text.isEmpty ? nil : text
        }
        attributeOffset = attributes.first(Netlink.ExtendedAckAttribute.offset)?.u32
    }
}
