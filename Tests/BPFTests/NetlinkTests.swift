@testable import BPF
import Testing

/// The pure netlink encoding and decoding of the TC fallback: exact request bytes, replies
/// with extended acks, and truncated or lying lengths.
@Suite("netlink messages")
struct NetlinkTests {
    @Test func clsactRequestHasTheBytesTcSends() {
        let bytes = TCRequests.addClsact(interfaceIndex: 5).encoded()
        let expected: [UInt8] = [
            48, 0, 0, 0, 36, 0, 0x05, 0x06, 0, 0, 0, 0, 0, 0, 0, 0,  // nlmsghdr: RTM_NEWQDISC, REQUEST|ACK|EXCL|CREATE
            0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0xff, 0xff, 0xf1, 0xff, 0xff, 0xff, 0, 0, 0, 0,  // tcmsg: ifindex 5, handle ffff:, parent ffff:fff1
            11, 0, 1, 0, 0x63, 0x6c, 0x73, 0x61, 0x63, 0x74, 0, 0,  // TCA_KIND "clsact\0" + 1 pad byte
        ]
        #expect(bytes == expected)
    }

    @Test func bpfFilterRequestNestsItsOptions() throws {
        let request = TCRequests.addBPFFilter(interfaceIndex: 7, parent: TrafficControl.egressParent, priority: 3, handle: 2, programFD: 42, name: "prog")
        #expect(request.type == Netlink.MessageType.newFilter)
        #expect(request.flags == [.request, .ack, .echo, .create, .exclusive])
        let parsed = try #require(try NetlinkMessage.parse(request.encoded()).first)
        let tc = try TCMessage(payload: parsed.payload)
        #expect(tc.interfaceIndex == 7 && tc.parent == 0xffff_fff3 && tc.handle == 2)
        #expect(tc.priority == 3 && tc.protocolNumber == 0x0003)  // ETH_P_ALL, sent big endian
        #expect(tc.kind == "bpf")
        let options = try #require(tc.attributes.first(TrafficControl.Attribute.options))
        #expect(options.isNested)
        let inner = try NetlinkAttribute.parse(options.value)
        #expect(inner.first(TrafficControl.BPFAttribute.fd)?.u32 == 42)
        #expect(inner.first(TrafficControl.BPFAttribute.name)?.string == "prog")
        #expect(inner.first(TrafficControl.BPFAttribute.flags)?.u32 == TrafficControl.bpfFlagDirectAction)
        let replacing = TCRequests.addBPFFilter(interfaceIndex: 7, parent: TrafficControl.ingressParent, priority: 3, handle: 2, programFD: 42, name: "p", replace: true)
        #expect(replacing.flags.contains(.replace) && !replacing.flags.contains(.exclusive))
    }

    /// An `NLMSG_ERROR` as a kernel with NETLINK_CAP_ACK and NETLINK_EXT_ACK sends it.
    static func errorReply(errno: Int32, message: String?, sequence: UInt32) -> [UInt8] {
        var payload: [UInt8] = []
        payload.appendNative(-errno)
        payload += NetlinkMessage(type: Netlink.MessageType.newFilter, flags: [.request, .ack], sequence: sequence).encoded()
        var flags: Netlink.Flags = [.capped]
        if let message {
            payload += NetlinkAttribute.encode([.string(Netlink.ExtendedAckAttribute.message, message), .u32(Netlink.ExtendedAckAttribute.offset, 36)])
            flags.insert(.acknowledgementTLVs)
        }
        return NetlinkMessage(type: Netlink.MessageType.error, flags: flags, sequence: sequence, payload: payload).encoded()
    }

    @Test func errorRepliesCarryTheExtendedAck() throws {
        let reply = try NetlinkMessage.parse(Self.errorReply(errno: 17, message: "Filter already exists", sequence: 9))
        #expect(reply.count == 1 && reply[0].type == Netlink.MessageType.error && reply[0].sequence == 9)
        let ack = try NetlinkAcknowledgement(payload: reply[0].payload, flags: reply[0].flags)
        #expect(ack == NetlinkAcknowledgement(errno: 17, requestSequence: 9, message: "Filter already exists", attributeOffset: 36))
        let plain = try NetlinkMessage.parse(Self.errorReply(errno: 0, message: nil, sequence: 10))[0]
        #expect(try NetlinkAcknowledgement(payload: plain.payload, flags: plain.flags) == NetlinkAcknowledgement(errno: 0, requestSequence: 10))
    }

    @Test func uncappedErrorsSkipTheEchoedRequest() throws {
        // Without NLM_F_CAPPED the whole request (header and payload) is echoed before the TLVs.
        var payload: [UInt8] = []
        payload.appendNative(Int32(-22))
        payload += TCRequests.addClsact(interfaceIndex: 3).encoded()
        payload += NetlinkAttribute.encode([.string(Netlink.ExtendedAckAttribute.message, "Invalid qdisc name")])
        let ack = try NetlinkAcknowledgement(payload: payload, flags: [.acknowledgementTLVs])
        #expect(ack.errno == 22 && ack.message == "Invalid qdisc name")
    }

    @Test func severalMessagesInOneDatagram() throws {
        let filter = TCMessage(interfaceIndex: 4, handle: 1, parent: TrafficControl.ingressParent, info: TrafficControl.filterInfo(priority: 49152, protocol: 3),
                               attributes: [.string(TrafficControl.Attribute.kind, "bpf"),
                                            .nested(TrafficControl.Attribute.options, [.u32(TrafficControl.BPFAttribute.id, 77), .string(TrafficControl.BPFAttribute.name, "f"),
                                                                                       .u32(TrafficControl.BPFAttribute.flags, 1)])])
        let datagram = NetlinkMessage(type: Netlink.MessageType.newFilter, flags: [.multi], sequence: 5, payload: filter.encoded()).encoded()
            + NetlinkMessage(type: Netlink.MessageType.done, flags: [.multi], sequence: 5, payload: [0, 0, 0, 0]).encoded()
        let messages = try NetlinkMessage.parse(datagram)
        #expect(messages.map(\.type) == [Netlink.MessageType.newFilter, Netlink.MessageType.done])
        let description = try #require(try TCFilterDescription(TCMessage(payload: messages[0].payload)))
        #expect(description.programID == 77 && description.name == "f" && description.isDirectAction)
        #expect(description.priority == 49152 && description.handle == 1 && description.kind == "bpf")
        // The priority-only placeholder a dump may include has no kind: no filter.
        #expect(try TCFilterDescription(TCMessage(interfaceIndex: 4, parent: TrafficControl.ingressParent)) == nil)
        // The classifier's own entry in a dump (kind, no handle) is no filter either.
        #expect(try TCFilterDescription(TCMessage(interfaceIndex: 4, handle: 0, parent: TrafficControl.ingressParent,
                                                  attributes: [.string(TrafficControl.Attribute.kind, "bpf")])) == nil)
    }

    @Test func truncatedAndLyingLengthsAreErrors() throws {
        let good = TCRequests.addClsact(interfaceIndex: 5).encoded()
        for cut in [1, 15, 20, 47] {
            #expect(throws: BPFError.self) { try NetlinkMessage.parse(Array(good.prefix(cut))) }
        }
        var lying = good
        lying[0] = 200  // nlmsg_len beyond the datagram
        #expect(throws: BPFError.self) { try NetlinkMessage.parse(lying) }
        lying[0] = 8  // shorter than a header
        #expect(throws: BPFError.self) { try NetlinkMessage.parse(lying) }
        #expect(throws: BPFError.self) { try NetlinkAttribute.parse([40, 0, 1, 0, 0, 0]) }
        #expect(throws: BPFError.self) { try NetlinkAttribute.parse([2, 0, 1, 0]) }
        #expect(throws: BPFError.self) { try TCMessage(payload: [0, 0, 0]) }
        #expect(throws: BPFError.self) { try NetlinkAcknowledgement(payload: [0xef, 0xff, 0xff, 0xff], flags: []) }
        // An error that claims to echo more request than it holds.
        var error = Self.errorReply(errno: 17, message: "x", sequence: 1)
        let message = try NetlinkMessage.parse(error)[0]
        error = message.payload
        error[4] = 250
        #expect(throws: BPFError.self) { try NetlinkAcknowledgement(payload: error, flags: [.acknowledgementTLVs]) }
        // Random garbage never crashes.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            var bytes = good + Self.errorReply(errno: 1, message: "m", sequence: 2)
            for _ in 0..<4 { bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            if let messages = try? NetlinkMessage.parse(bytes) {
                for m in messages {
                    _ = try? NetlinkAcknowledgement(payload: m.payload, flags: m.flags)
                    _ = try? TCMessage(payload: m.payload).attributes
                }
            }
        }
    }
}
