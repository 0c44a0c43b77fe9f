/// `struct tcmsg`, the fixed header of qdisc and filter messages, and the requests the TC
/// client sends. Pure: the bytes are sent by `NetlinkSocket`.
package struct TCMessage: Equatable, Sendable {
    /// `sizeof(struct tcmsg)`.
    package static let size = 20

    /// `tcm_family` (`AF_UNSPEC`).
    package var family: UInt8 = TrafficControl.family
    /// `tcm_ifindex`.
    package var interfaceIndex: Int32
    /// `tcm_handle`: the qdisc handle, or the filter's handle.
    package var handle: UInt32
    /// `tcm_parent`: e.g. `TrafficControl.clsactParent` or `ingressParent`.
    package var parent: UInt32
    /// `tcm_info`: for filters `TC_H_MAKE(priority << 16, htons(protocol))`.
    package var info: UInt32
    /// The attributes after the header.
    package var attributes: [NetlinkAttribute]

    package init(interfaceIndex: Int32, handle: UInt32 = 0, parent: UInt32, info: UInt32 = 0, attributes: [NetlinkAttribute] = []) {
        self.interfaceIndex = interfaceIndex
        self.handle = handle
        self.parent = parent
        self.info = info
        self.attributes = attributes
    }

    /// A filter's priority (the high 16 bits of `tcm_info`).
    package var priority: UInt16 { UInt16(info >> 16) }
    /// A filter's protocol in host order (the low 16 bits of `tcm_info`, which are big endian).
    package var protocolNumber: UInt16 { UInt16(truncatingIfNeeded: info).byteSwapped }

    /// The header and attributes as a netlink payload.
    package func encoded() -> [UInt8] {
        var out: [UInt8] = [family, 0, 0, 0]
        out.appendNative(interfaceIndex)
        out.appendNative(handle)
        out.appendNative(parent)
        out.appendNative(info)
        out.append(contentsOf: NetlinkAttribute.encode(attributes))
        return out
    }

    /// Decodes the payload of a qdisc or filter message.
    package init(payload: [UInt8]) throws(BPFError) {
        guard payload.count >= Self.size else {
            throw .invalidArgument("malformed netlink reply: a TC message of \(payload.count) bytes is shorter than struct tcmsg (20)")
        }
        family = payload[0]
        interfaceIndex = payload.loadNative(Int32.self, at: 4)
        handle = payload.loadNative(UInt32.self, at: 8)
        parent = payload.loadNative(UInt32.self, at: 12)
        info = payload.loadNative(UInt32.self, at: 16)
        attributes = try NetlinkAttribute.parse(payload[Self.size...])
    }

    /// `TCA_KIND`, when present.
    package var kind: String? { attributes.first(TrafficControl.Attribute.kind)?.string }
}

/// The TC requests of the netlink fallback (what `tc qdisc add dev X clsact` and
/// `tc filter add dev X ingress bpf da fd N` send).
package enum TCRequests {
    /// `RTM_NEWQDISC` of the clsact qdisc. With `exclusive`, EEXIST tells that one exists.
    package static func addClsact(interfaceIndex: Int32) -> NetlinkMessage {
        let tc = TCMessage(interfaceIndex: interfaceIndex, handle: TrafficControl.clsactHandle, parent: TrafficControl.clsactParent,
                           attributes: [.string(TrafficControl.Attribute.kind, "clsact")])
        return NetlinkMessage(type: Netlink.MessageType.newQdisc, flags: [.request, .ack, .create, .exclusive], payload: tc.encoded())
    }

    /// `RTM_DELQDISC` of the clsact qdisc (which deletes its filters too).
    package static func deleteClsact(interfaceIndex: Int32) -> NetlinkMessage {
        let tc = TCMessage(interfaceIndex: interfaceIndex, handle: TrafficControl.clsactHandle, parent: TrafficControl.clsactParent,
                           attributes: [.string(TrafficControl.Attribute.kind, "clsact")])
        return NetlinkMessage(type: Netlink.MessageType.deleteQdisc, flags: [.request, .ack], payload: tc.encoded())
    }

    /// `RTM_NEWTFILTER` of a direct-action cls_bpf filter running `programFD`, echoed back so
    /// that the kernel's choice of handle and priority (when 0) is known. Without `replace`
    /// an existing filter of the same priority and handle is an error (EEXIST).
    package static func addBPFFilter(interfaceIndex: Int32, parent: UInt32, priority: UInt16, handle: UInt32,
                                    programFD: Int32, name: String, replace: Bool = false) -> NetlinkMessage {
        let options: [NetlinkAttribute] = [
            .u32(TrafficControl.BPFAttribute.fd, UInt32(bitPattern: programFD)),
            .string(TrafficControl.BPFAttribute.name, name),
            .u32(TrafficControl.BPFAttribute.flags, TrafficControl.bpfFlagDirectAction),
        ]
        let tc = TCMessage(interfaceIndex: interfaceIndex, handle: handle, parent: parent,
                           info: TrafficControl.filterInfo(priority: priority, protocol: TrafficControl.allProtocols),
                           attributes: [.string(TrafficControl.Attribute.kind, "bpf"), .nested(TrafficControl.Attribute.options, options)])
        var flags: Netlink.Flags = [.request, .ack, .echo, .create]
        flags.insert(replace ? .replace : .exclusive)
        return NetlinkMessage(type: Netlink.MessageType.newFilter, flags: flags, payload: tc.encoded())
    }

    /// `RTM_DELTFILTER` of one filter.
    package static func deleteFilter(interfaceIndex: Int32, parent: UInt32, priority: UInt16, handle: UInt32) -> NetlinkMessage {
        let tc = TCMessage(interfaceIndex: interfaceIndex, handle: handle, parent: parent,
                           info: TrafficControl.filterInfo(priority: priority, protocol: TrafficControl.allProtocols),
                           attributes: [.string(TrafficControl.Attribute.kind, "bpf")])
        return NetlinkMessage(type: Netlink.MessageType.deleteFilter, flags: [.request, .ack], payload: tc.encoded())
    }

    /// `RTM_GETTFILTER` dump of the filters under `parent`.
    package static func dumpFilters(interfaceIndex: Int32, parent: UInt32) -> NetlinkMessage {
        let tc = TCMessage(interfaceIndex: interfaceIndex, parent: parent)
        return NetlinkMessage(type: Netlink.MessageType.getFilter, flags: [.request, .dump], payload: tc.encoded())
    }
}

/// A filter as the kernel reports it in an `RTM_NEWTFILTER` message (an echo or a dump).
public struct TCFilterDescription: Equatable, Sendable {
    /// `tcm_ifindex`.
    public var interfaceIndex: Int32
    /// `tcm_parent`.
    public var parent: UInt32
    /// `tcm_handle`.
    public var handle: UInt32
    /// The filter's priority.
    public var priority: UInt16
    /// `TCA_KIND` ("bpf" for BPF filters).
    public var kind: String
    /// `TCA_BPF_NAME`.
    public var name: String?
    /// `TCA_BPF_ID`: the program id.
    public var programID: UInt32?
    /// Whether `TCA_BPF_FLAG_ACT_DIRECT` is set.
    public var isDirectAction: Bool

    /// Decodes a filter message. A dump lists each priority's classifier itself (handle 0)
    /// before its filters; that entry, or one without a kind, describes no filter and gives nil.
    package init?(_ message: TCMessage) throws(BPFError) {
        guard let kind = message.kind, message.handle != 0 else { return nil }
        interfaceIndex = message.interfaceIndex
        parent = message.parent
        handle = message.handle
        priority = message.priority
        self.kind = kind
        name = nil
        programID = nil
        isDirectAction = false
        guard kind == "bpf", let options = message.attributes.first(TrafficControl.Attribute.options) else { return }
        let inner = try NetlinkAttribute.parse(options.value)
        name = inner.first(TrafficControl.BPFAttribute.name)?.string
        programID = inner.first(TrafficControl.BPFAttribute.id)?.u32
        isDirectAction = (inner.first(TrafficControl.BPFAttribute.flags)?.u32 ?? 0) & TrafficControl.bpfFlagDirectAction != 0
    }
}
