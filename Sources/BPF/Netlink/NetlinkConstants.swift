/// Numbers of the netlink and rtnetlink UAPI (<linux/netlink.h>, <linux/rtnetlink.h>,
/// <linux/pkt_sched.h>, <linux/pkt_cls.h>) that the TC client uses, with their UAPI names.
package enum Netlink {
    /// `NETLINK_ROUTE`: the rtnetlink protocol of `socket(AF_NETLINK, SOCK_RAW, ...)`.
    package static let routeProtocol: Int32 = 0
    /// `AF_NETLINK`.
    package static let addressFamily: Int32 = 16
    /// `SOL_NETLINK`, the level of the netlink socket options.
    package static let socketOptionLevel: Int32 = 270
    /// `NETLINK_CAP_ACK`: error replies carry only the request's header, not its payload.
    package static let optionCapAck: Int32 = 10
    /// `NETLINK_EXT_ACK`: error replies carry the kernel's extended-ack message.
    package static let optionExtendedAck: Int32 = 11

    /// `sizeof(struct nlmsghdr)`.
    package static let headerSize = 16
    /// `NLMSG_ALIGNTO` and `NLA_ALIGNTO`.
    package static let alignment = 4
    /// Rounds `n` up to the netlink alignment (`NLMSG_ALIGN`, `NLA_ALIGN`).
    package static func aligned(_ n: Int) -> Int { (n + alignment - 1) & ~(alignment - 1) }

    /// `nlmsg_type` values.
    package enum MessageType {
        /// `NLMSG_NOOP`.
        package static let noop: UInt16 = 1
        /// `NLMSG_ERROR`: an error, or an acknowledgement when its error is 0.
        package static let error: UInt16 = 2
        /// `NLMSG_DONE`: the end of a dump.
        package static let done: UInt16 = 3
        /// `NLMSG_OVERRUN`.
        package static let overrun: UInt16 = 4
        /// `RTM_NEWQDISC`.
        package static let newQdisc: UInt16 = 36
        /// `RTM_DELQDISC`.
        package static let deleteQdisc: UInt16 = 37
        /// `RTM_GETQDISC`.
        package static let getQdisc: UInt16 = 38
        /// `RTM_NEWTFILTER`.
        package static let newFilter: UInt16 = 44
        /// `RTM_DELTFILTER`.
        package static let deleteFilter: UInt16 = 45
        /// `RTM_GETTFILTER`.
        package static let getFilter: UInt16 = 46

        /// The UAPI name of a message type, for errors.
        package static func name(_ type: UInt16) -> String {
            switch type {
            case error: return "NLMSG_ERROR"
            case done: return "NLMSG_DONE"
            case newQdisc: return "RTM_NEWQDISC"
            case deleteQdisc: return "RTM_DELQDISC"
            case getQdisc: return "RTM_GETQDISC"
            case newFilter: return "RTM_NEWTFILTER"
            case deleteFilter: return "RTM_DELTFILTER"
            case getFilter: return "RTM_GETTFILTER"
            default: return "netlink message \(type)"
            }
        }
    }

    /// `nlmsg_flags` bits.
    package struct Flags: OptionSet, Hashable, Sendable {
        package let rawValue: UInt16
        package init(rawValue: UInt16) { self.rawValue = rawValue }
        /// `NLM_F_REQUEST`.
        package static let request = Flags(rawValue: 0x1)
        /// `NLM_F_MULTI`: part of a multi-part reply ended by `NLMSG_DONE`.
        package static let multi = Flags(rawValue: 0x2)
        /// `NLM_F_ACK`: reply with an `NLMSG_ERROR` (error 0 on success).
        package static let ack = Flags(rawValue: 0x4)
        /// `NLM_F_ECHO`: echo the created object back.
        package static let echo = Flags(rawValue: 0x8)
        /// `NLM_F_DUMP` (`NLM_F_ROOT | NLM_F_MATCH`), for GET requests.
        package static let dump = Flags(rawValue: 0x300)
        /// `NLM_F_REPLACE`, for NEW requests.
        package static let replace = Flags(rawValue: 0x100)
        /// `NLM_F_EXCL`, for NEW requests: fail with EEXIST if the object exists.
        package static let exclusive = Flags(rawValue: 0x200)
        /// `NLM_F_CREATE`, for NEW requests.
        package static let create = Flags(rawValue: 0x400)
        /// `NLM_F_CAPPED` (in `NLMSG_ERROR` replies): the echoed request is only its header.
        package static let capped = Flags(rawValue: 0x100)
        /// `NLM_F_ACK_TLVS` (in `NLMSG_ERROR` replies): extended-ack attributes follow.
        package static let acknowledgementTLVs = Flags(rawValue: 0x200)
    }

    /// `NLA_F_NESTED`: set in the type of an attribute that holds attributes.
    package static let nestedAttributeFlag: UInt16 = 0x8000
    /// The mask that removes `NLA_F_NESTED` and `NLA_F_NET_BYTEORDER` (`NLA_TYPE_MASK`).
    package static let attributeTypeMask: UInt16 = 0x3fff

    /// `enum nlmsgerr_attrs`: extended-ack attributes.
    package enum ExtendedAckAttribute {
        /// `NLMSGERR_ATTR_MSG`: a NUL-terminated message.
        package static let message: UInt16 = 1
        /// `NLMSGERR_ATTR_OFFS`: the offset of the offending attribute in the request.
        package static let offset: UInt16 = 2
    }
}

/// Traffic-control numbers (<linux/pkt_sched.h>, <linux/pkt_cls.h>, <linux/rtnetlink.h>).
package enum TrafficControl {
    /// `AF_UNSPEC`, the `tcm_family` of TC requests.
    package static let family: UInt8 = 0
    /// `TC_H_CLSACT` (= `TC_H_INGRESS`): the parent of the clsact qdisc.
    package static let clsactParent: UInt32 = 0xffff_fff1
    /// `TC_H_MAKE(TC_H_CLSACT, 0)`: the handle of the clsact qdisc (ffff:).
    package static let clsactHandle: UInt32 = 0xffff_0000
    /// `TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS)` (ffff:fff2): the parent of ingress filters.
    package static let ingressParent: UInt32 = 0xffff_fff2
    /// `TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS)` (ffff:fff3): the parent of egress filters.
    package static let egressParent: UInt32 = 0xffff_fff3
    /// `ETH_P_ALL`, the filter protocol that matches every packet (host order; sent as big endian).
    package static let allProtocols: UInt16 = 0x0003

    /// `TC_H_MAKE(priority << 16, htons(protocol))`: the `tcm_info` of a filter.
    package static func filterInfo(priority: UInt16, protocol proto: UInt16) -> UInt32 {
        UInt32(priority) << 16 | UInt32(proto.bigEndian)
    }

    /// `enum TCA_*`: top-level attributes of qdisc and filter messages.
    package enum Attribute {
        /// `TCA_KIND`: "clsact", "bpf"...
        package static let kind: UInt16 = 1
        /// `TCA_OPTIONS`: nested, kind-specific.
        package static let options: UInt16 = 2
        /// `TCA_CHAIN`.
        package static let chain: UInt16 = 11
    }

    /// `enum TCA_BPF_*`: the options of a cls_bpf filter (inside `TCA_OPTIONS`).
    package enum BPFAttribute {
        /// `TCA_BPF_CLASSID`.
        package static let classID: UInt16 = 3
        /// `TCA_BPF_FD`: the program's descriptor (u32).
        package static let fd: UInt16 = 6
        /// `TCA_BPF_NAME`: a NUL-terminated name shown by `tc filter show`.
        package static let name: UInt16 = 7
        /// `TCA_BPF_FLAGS` (u32).
        package static let flags: UInt16 = 8
        /// `TCA_BPF_TAG` (8 bytes, in dumps).
        package static let tag: UInt16 = 10
        /// `TCA_BPF_ID`: the program id (u32, in dumps).
        package static let id: UInt16 = 11
    }

    /// `TCA_BPF_FLAG_ACT_DIRECT`: the program's return value is the action (`TC_ACT_*`).
    package static let bpfFlagDirectAction: UInt32 = 1
}
