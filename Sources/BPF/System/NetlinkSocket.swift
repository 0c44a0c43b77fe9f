import Glibc
import Synchronization

/// A netlink socket (`socket(AF_NETLINK, SOCK_RAW, protocol)`) that sends one request at a
/// time and gathers its reply. The socket lives in the network namespace of the thread that
/// opened it, and keeps talking to that namespace whichever thread uses it later.
///
/// Requests are numbered; replies to other sequence numbers (late answers to an earlier,
/// abandoned request) are skipped. An `NLMSG_ERROR` with a non-zero error becomes
/// `BPFError.syscall` with the errno, and the kernel's extended-ack message (`NETLINK_EXT_ACK`)
/// in the operation's text.
package final class NetlinkSocket: Sendable {
    let descriptor: FileDescriptor
    /// Serialises requests (a reply must be read by the request that caused it), and holds
    /// the next request's sequence number.
    let exchange = Mutex<UInt32>(1)

    /// The socket's descriptor. Do not close it.
    package var fd: Int32 { descriptor.rawValue }

    /// Opens and binds a netlink socket of `protocol` (`NETLINK_ROUTE` by default), asking for
    /// extended acks and capped error replies (both optional: older kernels ignore them).
    package init(protocol proto: Int32 = Netlink.routeProtocol) throws(BPFError) {
        let fd = try Syscalls.socket(domain: Netlink.addressFamily, type: Int32(SOCK_RAW.rawValue), protocol: proto)
        try? Syscalls.setSocketOption(fd.rawValue, level: Netlink.socketOptionLevel, option: Netlink.optionExtendedAck, value: Int32(1), "NETLINK_EXT_ACK")
        try? Syscalls.setSocketOption(fd.rawValue, level: Netlink.socketOptionLevel, option: Netlink.optionCapAck, value: Int32(1), "NETLINK_CAP_ACK")
        // The kernel answers every request; a bound wait keeps a lost reply from hanging forever.
        try Syscalls.setSocketOption(fd.rawValue, level: SOL_SOCKET, option: SO_RCVTIMEO, value: timeval(tv_sec: 5, tv_usec: 0), "SO_RCVTIMEO")
        // struct sockaddr_nl: nl_family (u16), pad (u16), nl_pid (u32, 0: the kernel assigns),
        // nl_groups (u32).
        var address: [UInt8] = []
        address.appendNative(UInt16(Netlink.addressFamily))
        address.appendNative(UInt16(0))
        address.appendNative(UInt32(0))
        address.appendNative(UInt32(0))
        try Syscalls.bind(fd.rawValue, address: address, "netlink socket")
        descriptor = fd
    }

    /// Sends `message` (its sequence number is assigned here) and returns the messages of the
    /// reply, without the final acknowledgement or `NLMSG_DONE`. `operation` names the request
    /// in errors, e.g. `RTM_NEWQDISC(clsact on ifindex 4)`.
    ///
    /// The reply ends with the `NLMSG_ERROR` acknowledgement of a request with `NLM_F_ACK`, or
    /// the `NLMSG_DONE` of a dump (`NLM_F_DUMP`).
    package func request(_ message: NetlinkMessage, _ operation: String) throws(BPFError) -> [NetlinkMessage] {
        try exchange.locked { nextSequence throws(BPFError) in
            var message = message
            message.sequence = nextSequence
            nextSequence &+= 1
            let isDump = message.flags.contains(.dump)
            guard isDump || message.flags.contains(.ack) else {
                throw .invalidArgument("\(operation): a netlink request needs NLM_F_ACK or NLM_F_DUMP so that its end can be seen")
            }
            try Syscalls.send(fd, message.encoded(), operation)
            var reply: [NetlinkMessage] = []
            while true {
                let (bytes, length) = try Syscalls.receive(fd, capacity: 1 << 16, flags: Int32(MSG_TRUNC), operation)
                guard length <= bytes.count else {
                    throw .invalidArgument("\(operation): a \(length)-byte netlink reply does not fit the 64 KiB buffer")
                }
                for m in try NetlinkMessage.parse(bytes) where m.sequence == message.sequence {
                    switch m.type {
                    case Netlink.MessageType.error:
                        let ack = try NetlinkAcknowledgement(payload: m.payload, flags: m.flags)
                        if ack.errno != 0 {
                            let why = ack.message.map { ": \($0)" } ?? ""
                            throw .syscall(operation: "\(operation)\(why)", errno: BPFErrno(rawValue: ack.errno))
                        }
                        if !isDump { return reply }
                    case Netlink.MessageType.done:
                        if isDump { return reply }
                    case Netlink.MessageType.noop:
                        continue
                    case Netlink.MessageType.overrun:
                        throw .invalidArgument("\(operation): the netlink reply overran the socket buffer")
                    default:
                        reply.append(m)
                    }
                }
            }
        }
    }
}
